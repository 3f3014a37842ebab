// Name tables for the IANA registries of iana.h (see names.h).
#include "ike/wire/names.h"

#include <array>
#include <span>

namespace answerd::ike {
namespace {

struct Entry {
  unsigned value;
  std::string_view name;
};

constexpr std::array<Entry, 11> kExchangeType{{
    {34, "IKE_SA_INIT"},
    {35, "IKE_AUTH"},
    {36, "CREATE_CHILD_SA"},
    {37, "INFORMATIONAL"},
    {38, "IKE_SESSION_RESUME"},
    {39, "GSA_AUTH"},
    {40, "GSA_REGISTRATION"},
    {41, "GSA_REKEY"},
    {42, "GSA_INBAND_REKEY"},
    {43, "IKE_INTERMEDIATE"},
    {44, "IKE_FOLLOWUP_KE"},
}};
constexpr std::array<Entry, 23> kPayloadType{{
    {0, "NONE"},
    {33, "SA"},
    {34, "KE"},
    {35, "IDi"},
    {36, "IDr"},
    {37, "CERT"},
    {38, "CERTREQ"},
    {39, "AUTH"},
    {40, "Nonce"},
    {41, "N"},
    {42, "D"},
    {43, "V"},
    {44, "TSi"},
    {45, "TSr"},
    {46, "SK"},
    {47, "CP"},
    {48, "EAP"},
    {49, "GSPM"},
    {50, "IDg"},
    {51, "GSA"},
    {52, "KD"},
    {53, "SKF"},
    {54, "PS"},
}};
constexpr std::array<Entry, 12> kTransformType{{
    {1, "ENCR"},
    {2, "PRF"},
    {3, "INTEG"},
    {4, "KE"},
    {5, "ESN"},
    {6, "ADDKE1"},  // RFC 9370 Additional Key Exchange 1..7
    {7, "ADDKE2"},
    {8, "ADDKE3"},
    {9, "ADDKE4"},
    {10, "ADDKE5"},
    {11, "ADDKE6"},
    {12, "ADDKE7"},
}};
constexpr std::array<Entry, 3> kProtocolId{{
    {1, "IKE"},
    {2, "AH"},
    {3, "ESP"},
}};
constexpr std::array<Entry, 32> kEncrId{{
    {1, "DES_IV64"},
    {2, "DES"},
    {3, "3DES"},
    {4, "RC5"},
    {5, "IDEA"},
    {6, "CAST"},
    {7, "BLOWFISH"},
    {8, "3IDEA"},
    {9, "DES_IV32"},
    {11, "NULL"},
    {12, "AES_CBC"},
    {13, "AES_CTR"},
    {14, "AES_CCM_8"},
    {15, "AES_CCM_12"},
    {16, "AES_CCM_16"},
    {18, "AES_GCM_8"},
    {19, "AES_GCM_12"},
    {20, "AES_GCM_16"},
    {21, "NULL_AUTH_AES_GMAC"},
    {23, "CAMELLIA_CBC"},
    {24, "CAMELLIA_CTR"},
    {25, "CAMELLIA_CCM_8"},
    {26, "CAMELLIA_CCM_12"},
    {27, "CAMELLIA_CCM_16"},
    {28, "CHACHA20_POLY1305"},
    {29, "AES_CCM_8_IIV"},
    {30, "AES_GCM_16_IIV"},
    {31, "CHACHA20_POLY1305_IIV"},
    {32, "KUZNYECHIK_MGM_KTREE"},
    {33, "MAGMA_MGM_KTREE"},
    {34, "KUZNYECHIK_MGM_MAC_KTREE"},
    {35, "MAGMA_MGM_MAC_KTREE"},
}};
constexpr std::array<Entry, 9> kPrfId{{
    {1, "PRF_HMAC_MD5"},
    {2, "PRF_HMAC_SHA1"},
    {3, "PRF_HMAC_TIGER"},
    {4, "PRF_AES128_XCBC"},
    {5, "PRF_HMAC_SHA2_256"},
    {6, "PRF_HMAC_SHA2_384"},
    {7, "PRF_HMAC_SHA2_512"},
    {8, "PRF_AES128_CMAC"},
    {9, "PRF_HMAC_STREEBOG_512"},
}};
constexpr std::array<Entry, 15> kIntegId{{
    {0, "NONE"},
    {1, "HMAC_MD5_96"},
    {2, "HMAC_SHA1_96"},
    {3, "DES_MAC"},
    {4, "KPDK_MD5"},
    {5, "AES_XCBC_96"},
    {6, "HMAC_MD5_128"},
    {7, "HMAC_SHA1_160"},
    {8, "AES_CMAC_96"},
    {9, "AES_128_GMAC"},
    {10, "AES_192_GMAC"},
    {11, "AES_256_GMAC"},
    {12, "HMAC_SHA2_256_128"},
    {13, "HMAC_SHA2_384_192"},
    {14, "HMAC_SHA2_512_256"},
}};
constexpr std::array<Entry, 28> kDhGroup{{
    {0, "NONE"},
    {1, "MODP_768"},
    {2, "MODP_1024"},
    {5, "MODP_1536"},
    {14, "MODP_2048"},
    {15, "MODP_3072"},
    {16, "MODP_4096"},
    {17, "MODP_6144"},
    {18, "MODP_8192"},
    {19, "ECP_256"},
    {20, "ECP_384"},
    {21, "ECP_521"},
    {22, "MODP_1024_160"},
    {23, "MODP_2048_224"},
    {24, "MODP_2048_256"},
    {25, "ECP_192"},
    {26, "ECP_224"},
    {27, "ECP_224_BP"},
    {28, "ECP_256_BP"},
    {29, "ECP_384_BP"},
    {30, "ECP_512_BP"},
    {31, "CURVE_25519"},
    {32, "CURVE_448"},
    {33, "GOST3410_2012_256"},
    {34, "GOST3410_2012_512"},
    {35, "ML_KEM_512"},
    {36, "ML_KEM_768"},
    {37, "ML_KEM_1024"},
}};
constexpr std::array<Entry, 2> kEsnId{{
    {0, "NO_EXT_SEQ"},
    {1, "EXT_SEQ"},
}};
constexpr std::array<Entry, 1> kTransformAttr{{
    {14, "KEY_LENGTH"},
}};
constexpr std::array<Entry, 9> kIdType{{
    {1, "ID_IPV4_ADDR"},
    {2, "ID_FQDN"},
    {3, "ID_RFC822_ADDR"},
    {5, "ID_IPV6_ADDR"},
    {9, "ID_DER_ASN1_DN"},
    {10, "ID_DER_ASN1_GN"},
    {11, "ID_KEY_ID"},
    {12, "ID_FC_NAME"},
    {13, "ID_NULL"},
}};
constexpr std::array<Entry, 14> kCertEncoding{{
    {1, "PKCS7_X509"},
    {2, "PGP"},
    {3, "DNS_SIGNED_KEY"},
    {4, "X509_SIGNATURE"},
    {6, "KERBEROS_TOKEN"},
    {7, "CRL"},
    {8, "ARL"},
    {9, "SPKI"},
    {10, "X509_ATTRIBUTE"},
    {11, "RAW_RSA_KEY"},
    {12, "HASH_URL_X509_CERT"},
    {13, "HASH_URL_X509_BUNDLE"},
    {14, "OCSP_CONTENT"},
    {15, "RAW_PUBLIC_KEY"},
}};
constexpr std::array<Entry, 9> kAuthMethod{{
    {1, "RSA_SIG"},
    {2, "SHARED_KEY_MIC"},
    {3, "DSS_SIG"},
    {9, "ECDSA_256"},
    {10, "ECDSA_384"},
    {11, "ECDSA_521"},
    {12, "GSPM"},
    {13, "NULL_AUTH"},
    {14, "DIGITAL_SIGNATURE"},
}};
constexpr std::array<Entry, 4> kTsType{{
    {7, "TS_IPV4_ADDR_RANGE"},
    {8, "TS_IPV6_ADDR_RANGE"},
    {9, "TS_FC_ADDR_RANGE"},
    {10, "TS_SECLABEL"},
}};
constexpr std::array<Entry, 4> kCfgType{{
    {1, "CFG_REQUEST"},
    {2, "CFG_REPLY"},
    {3, "CFG_SET"},
    {4, "CFG_ACK"},
}};
constexpr std::array<Entry, 23> kCfgAttr{{
    {1, "INTERNAL_IP4_ADDRESS"},
    {2, "INTERNAL_IP4_NETMASK"},
    {3, "INTERNAL_IP4_DNS"},
    {4, "INTERNAL_IP4_NBNS"},
    {6, "INTERNAL_IP4_DHCP"},
    {7, "APPLICATION_VERSION"},
    {8, "INTERNAL_IP6_ADDRESS"},
    {10, "INTERNAL_IP6_DNS"},
    {12, "INTERNAL_IP6_DHCP"},
    {13, "INTERNAL_IP4_SUBNET"},
    {14, "SUPPORTED_ATTRIBUTES"},
    {15, "INTERNAL_IP6_SUBNET"},
    {16, "MIP6_HOME_PREFIX"},
    {17, "INTERNAL_IP6_LINK"},
    {18, "INTERNAL_IP6_PREFIX"},
    {19, "HOME_AGENT_ADDRESS"},
    {20, "P_CSCF_IP4_ADDRESS"},
    {21, "P_CSCF_IP6_ADDRESS"},
    {22, "FTT_KAT"},
    {23, "EXTERNAL_SOURCE_IP4_NAT_INFO"},
    {24, "TIMEOUT_PERIOD_FOR_LIVENESS_CHECK"},
    {25, "INTERNAL_DNS_DOMAIN"},
    {26, "INTERNAL_DNSSEC_TA"},
}};
constexpr std::array<Entry, 7> kHashAlgorithm{{
    {1, "SHA1"},
    {2, "SHA2_256"},
    {3, "SHA2_384"},
    {4, "SHA2_512"},
    {5, "IDENTITY"},
    {6, "STREEBOG_256"},
    {7, "STREEBOG_512"},
}};

std::optional<std::string_view> lookup(std::span<const Entry> table, unsigned v) {
  for (const auto& e : table)
    if (e.value == v) return e.name;
  return std::nullopt;
}

std::string name_or_number(std::span<const Entry> table, std::string_view prefix, unsigned v) {
  if (auto n = lookup(table, v)) return std::string(*n);
  return std::string(prefix) + "(" + std::to_string(v) + ")";
}

}  // namespace

std::optional<std::string_view> find_name(ExchangeType v) { return lookup(kExchangeType, static_cast<unsigned>(v)); }
std::string to_string(ExchangeType v) { return name_or_number(kExchangeType, "EXCHANGE", static_cast<unsigned>(v)); }
std::optional<std::string_view> find_name(PayloadType v) { return lookup(kPayloadType, static_cast<unsigned>(v)); }
std::string to_string(PayloadType v) { return name_or_number(kPayloadType, "PAYLOAD", static_cast<unsigned>(v)); }
std::optional<std::string_view> find_name(TransformType v) { return lookup(kTransformType, static_cast<unsigned>(v)); }
std::string to_string(TransformType v) { return name_or_number(kTransformType, "TRANSFORM", static_cast<unsigned>(v)); }
std::optional<std::string_view> find_name(ProtocolId v) { return lookup(kProtocolId, static_cast<unsigned>(v)); }
std::string to_string(ProtocolId v) { return name_or_number(kProtocolId, "PROTOCOL", static_cast<unsigned>(v)); }
std::optional<std::string_view> find_name(EncrId v) { return lookup(kEncrId, static_cast<unsigned>(v)); }
std::string to_string(EncrId v) { return name_or_number(kEncrId, "ENCR", static_cast<unsigned>(v)); }
std::optional<std::string_view> find_name(PrfId v) { return lookup(kPrfId, static_cast<unsigned>(v)); }
std::string to_string(PrfId v) { return name_or_number(kPrfId, "PRF", static_cast<unsigned>(v)); }
std::optional<std::string_view> find_name(IntegId v) { return lookup(kIntegId, static_cast<unsigned>(v)); }
std::string to_string(IntegId v) { return name_or_number(kIntegId, "INTEG", static_cast<unsigned>(v)); }
std::optional<std::string_view> find_name(DhGroup v) { return lookup(kDhGroup, static_cast<unsigned>(v)); }
std::string to_string(DhGroup v) { return name_or_number(kDhGroup, "KE", static_cast<unsigned>(v)); }
std::optional<std::string_view> find_name(EsnId v) { return lookup(kEsnId, static_cast<unsigned>(v)); }
std::string to_string(EsnId v) { return name_or_number(kEsnId, "ESN", static_cast<unsigned>(v)); }
std::optional<std::string_view> find_name(TransformAttr v) { return lookup(kTransformAttr, static_cast<unsigned>(v)); }
std::string to_string(TransformAttr v) { return name_or_number(kTransformAttr, "ATTR", static_cast<unsigned>(v)); }
std::optional<std::string_view> find_name(IdType v) { return lookup(kIdType, static_cast<unsigned>(v)); }
std::string to_string(IdType v) { return name_or_number(kIdType, "ID", static_cast<unsigned>(v)); }
std::optional<std::string_view> find_name(CertEncoding v) { return lookup(kCertEncoding, static_cast<unsigned>(v)); }
std::string to_string(CertEncoding v) { return name_or_number(kCertEncoding, "CERT", static_cast<unsigned>(v)); }
std::optional<std::string_view> find_name(AuthMethod v) { return lookup(kAuthMethod, static_cast<unsigned>(v)); }
std::string to_string(AuthMethod v) { return name_or_number(kAuthMethod, "AUTH", static_cast<unsigned>(v)); }
std::optional<std::string_view> find_name(TsType v) { return lookup(kTsType, static_cast<unsigned>(v)); }
std::string to_string(TsType v) { return name_or_number(kTsType, "TS", static_cast<unsigned>(v)); }
std::optional<std::string_view> find_name(CfgType v) { return lookup(kCfgType, static_cast<unsigned>(v)); }
std::string to_string(CfgType v) { return name_or_number(kCfgType, "CFG", static_cast<unsigned>(v)); }
std::optional<std::string_view> find_name(CfgAttr v) { return lookup(kCfgAttr, static_cast<unsigned>(v)); }
std::string to_string(CfgAttr v) { return name_or_number(kCfgAttr, "CFG_ATTR", static_cast<unsigned>(v)); }
std::optional<std::string_view> find_name(HashAlgorithm v) { return lookup(kHashAlgorithm, static_cast<unsigned>(v)); }
std::string to_string(HashAlgorithm v) { return name_or_number(kHashAlgorithm, "HASH", static_cast<unsigned>(v)); }

std::string transform_name(TransformType type, std::uint16_t id) {
  switch (type) {
    case TransformType::kEncr: return to_string(static_cast<EncrId>(id));
    case TransformType::kPrf: return to_string(static_cast<PrfId>(id));
    case TransformType::kInteg: return to_string(static_cast<IntegId>(id));
    case TransformType::kDh: return to_string(static_cast<DhGroup>(id));
    case TransformType::kEsn: return to_string(static_cast<EsnId>(id));
  }
  const auto t = static_cast<unsigned>(type);
  if (t >= 6 && t <= 12) return to_string(static_cast<DhGroup>(id));  // RFC 9370 ADDKEn
  return to_string(type) + "(" + std::to_string(id) + ")";
}

}  // namespace answerd::ike
