// IANA "Internet Key Exchange Version 2 (IKEv2) Parameters" values shared by the codec,
// the crypto suite and the config parser. Numbers are the registry's; names follow
// RFC 7296 section 3 and the registry. Notify message types live in notify_types.h.
#pragma once

#include <cstdint>

namespace answerd::ike {

// RFC 7296 3.1 Exchange Types
enum class ExchangeType : std::uint8_t {
  kIkeSaInit = 34,
  kIkeAuth = 35,
  kCreateChildSa = 36,
  kInformational = 37,
  kIkeSessionResume = 38,  // RFC 5723
  kGsaAuth = 39,           // RFC 9838 (G-IKEv2)
  kGsaRegistration = 40,
  kGsaRekey = 41,
  kGsaInbandRekey = 42,
  kIkeIntermediate = 43,   // RFC 9242
  kIkeFollowupKe = 44,     // RFC 9370
};

// RFC 7296 3.2 Next Payload types
enum class PayloadType : std::uint8_t {
  kNone = 0,
  kSa = 33,
  kKe = 34,
  kIdi = 35,
  kIdr = 36,
  kCert = 37,
  kCertreq = 38,
  kAuth = 39,
  kNonce = 40,
  kNotify = 41,
  kDelete = 42,
  kVendorId = 43,
  kTsi = 44,
  kTsr = 45,
  kSk = 46,
  kCp = 47,
  kEap = 48,
  kGspm = 49,  // RFC 6467
  kIdg = 50,   // G-IKEv2
  kGsa = 51,
  kKd = 52,
  kSkf = 53,   // RFC 7383
  kPs = 54,    // RFC 8019 (puzzle solution)
};

// RFC 7296 3.3.2 Transform Types
enum class TransformType : std::uint8_t {
  kEncr = 1,
  kPrf = 2,
  kInteg = 3,
  kDh = 4,  // "Key Exchange Method" in RFC 9370
  kEsn = 5,
};

// RFC 7296 3.3.1 Protocol IDs
enum class ProtocolId : std::uint8_t {
  kIke = 1,
  kAh = 2,
  kEsp = 3,
};

// Transform Type 1 - Encryption Algorithm Transform IDs
enum class EncrId : std::uint16_t {
  kDesIv64 = 1,
  kDes = 2,
  k3Des = 3,
  kRc5 = 4,
  kIdea = 5,
  kCast = 6,
  kBlowfish = 7,
  k3Idea = 8,
  kDesIv32 = 9,
  kNull = 11,
  kAesCbc = 12,
  kAesCtr = 13,
  kAesCcm8 = 14,
  kAesCcm12 = 15,
  kAesCcm16 = 16,
  kAesGcm8 = 18,
  kAesGcm12 = 19,
  kAesGcm16 = 20,
  kNullAuthAesGmac = 21,
  kCamelliaCbc = 23,
  kCamelliaCtr = 24,
  kCamelliaCcm8 = 25,
  kCamelliaCcm12 = 26,
  kCamelliaCcm16 = 27,
  kChacha20Poly1305 = 28,  // RFC 7634
  kAesCcm8Iiv = 29,        // RFC 8750
  kAesGcm16Iiv = 30,
  kChacha20Poly1305Iiv = 31,
};

// Transform Type 2 - Pseudorandom Function Transform IDs
enum class PrfId : std::uint16_t {
  kHmacMd5 = 1,
  kHmacSha1 = 2,
  kHmacTiger = 3,
  kAes128Xcbc = 4,
  kHmacSha2_256 = 5,
  kHmacSha2_384 = 6,
  kHmacSha2_512 = 7,
  kAes128Cmac = 8,
  kHmacStreebog512 = 9,
};

// Transform Type 3 - Integrity Algorithm Transform IDs
enum class IntegId : std::uint16_t {
  kNone = 0,
  kHmacMd5_96 = 1,
  kHmacSha1_96 = 2,
  kDesMac = 3,
  kKpdkMd5 = 4,
  kAesXcbc96 = 5,
  kHmacMd5_128 = 6,
  kHmacSha1_160 = 7,
  kAesCmac96 = 8,
  kAes128Gmac = 9,
  kAes192Gmac = 10,
  kAes256Gmac = 11,
  kHmacSha2_256_128 = 12,  // RFC 4868
  kHmacSha2_384_192 = 13,
  kHmacSha2_512_256 = 14,
};

// Transform Type 4 - Key Exchange Method (Diffie-Hellman group) Transform IDs
enum class DhGroup : std::uint16_t {
  kNone = 0,
  kModp768 = 1,
  kModp1024 = 2,
  kModp1536 = 5,
  kModp2048 = 14,  // RFC 3526
  kModp3072 = 15,
  kModp4096 = 16,
  kModp6144 = 17,
  kModp8192 = 18,
  kEcp256 = 19,  // RFC 5903
  kEcp384 = 20,
  kEcp521 = 21,
  kModp1024s160 = 22,
  kModp2048s224 = 23,
  kModp2048s256 = 24,
  kEcp192 = 25,
  kEcp224 = 26,
  kBrainpool224 = 27,
  kBrainpool256 = 28,
  kBrainpool384 = 29,
  kBrainpool512 = 30,
  kCurve25519 = 31,  // RFC 8031
  kCurve448 = 32,
  kGost3410_2012_256 = 33,  // RFC 9385
  kGost3410_2012_512 = 34,
  kMlKem512 = 35,  // RFC 9370 additional key exchanges (ML-KEM)
  kMlKem768 = 36,
  kMlKem1024 = 37,
};

// Transform Type 5 - Extended Sequence Numbers
enum class EsnId : std::uint16_t {
  kNoEsn = 0,
  kEsn = 1,
};

// RFC 7296 3.3.5 Transform Attribute Types
enum class TransformAttr : std::uint16_t {
  kKeyLength = 14,  // TV format (AF bit set), value in bits
};

// RFC 7296 3.5 ID Types
enum class IdType : std::uint8_t {
  kIpv4Addr = 1,
  kFqdn = 2,
  kRfc822Addr = 3,
  kIpv6Addr = 5,
  kDerAsn1Dn = 9,
  kDerAsn1Gn = 10,
  kKeyId = 11,
  kFcName = 12,  // RFC 4595
  kNull = 13,    // RFC 7619
};

// RFC 7296 3.6 Certificate Encoding
enum class CertEncoding : std::uint8_t {
  kPkcs7X509 = 1,
  kPgp = 2,
  kDnsSignedKey = 3,
  kX509Signature = 4,
  kKerberos = 6,
  kCrl = 7,
  kArl = 8,
  kSpki = 9,
  kX509Attribute = 10,
  kRawRsaKey = 11,  // deprecated by RFC 7296
  kHashUrlX509Cert = 12,
  kHashUrlX509Bundle = 13,
  kRawPublicKey = 15,  // RFC 7670
};

// RFC 7296 3.8 Authentication Method
enum class AuthMethod : std::uint8_t {
  kRsaSig = 1,
  kSharedKeyMic = 2,
  kDssSig = 3,
  kEcdsa256 = 9,  // RFC 4754
  kEcdsa384 = 10,
  kEcdsa521 = 11,
  kGenericSecurePassword = 12,  // RFC 6467
  kNull = 13,                   // RFC 7619
  kDigitalSignature = 14,       // RFC 7427
};

// RFC 7296 3.13.1 Traffic Selector Types
enum class TsType : std::uint8_t {
  kIpv4AddrRange = 7,
  kIpv6AddrRange = 8,
};

// RFC 7296 3.15 Configuration payload types and attributes
enum class CfgType : std::uint8_t {
  kRequest = 1,
  kReply = 2,
  kSet = 3,
  kAck = 4,
};

enum class CfgAttr : std::uint16_t {
  kInternalIp4Address = 1,
  kInternalIp4Netmask = 2,
  kInternalIp4Dns = 3,
  kInternalIp4Nbns = 4,
  kInternalIp4Dhcp = 6,
  kApplicationVersion = 7,
  kInternalIp6Address = 8,
  kInternalIp6Dns = 10,
  kInternalIp6Dhcp = 12,
  kInternalIp4Subnet = 13,
  kSupportedAttributes = 14,
  kInternalIp6Subnet = 15,
  kMip6HomePrefix = 16,
  kInternalIp6Link = 17,
  kInternalIp6Prefix = 18,
  kHomeAgentAddress = 19,
  kPCscfIp4Address = 20,
  kPCscfIp6Address = 21,
  kFttKat = 22,
  kExternalSourceIp4NatInfo = 23,
  kTimeoutPeriodForLivenessCheck = 24,
  kInternalDnsDomain = 25,
  kInternalDnssecTa = 26,
};

// RFC 7427 / IANA "IKEv2 Hash Algorithms"
enum class HashAlgorithm : std::uint16_t {
  kSha1 = 1,
  kSha2_256 = 2,
  kSha2_384 = 3,
  kSha2_512 = 4,
  kIdentity = 5,  // RFC 8420 (Ed25519/Ed448)
  kStreebog256 = 6,
  kStreebog512 = 7,
};

// IKE header flags (RFC 7296 3.1)
inline constexpr std::uint8_t kFlagInitiator = 0x08;
inline constexpr std::uint8_t kFlagVersion = 0x10;
inline constexpr std::uint8_t kFlagResponse = 0x20;

inline constexpr std::uint16_t kIkePort = 500;
inline constexpr std::uint16_t kIkeNattPort = 4500;
inline constexpr std::size_t kIkeHeaderLen = 28;

}  // namespace answerd::ike
