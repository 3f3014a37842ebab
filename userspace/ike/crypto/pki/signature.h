// IKEv2 signature AUTH payloads (RFC 7296 2.15 and 3.8):
//   RSA Digital Signature (1)     RSASSA-PKCS1-v1_5 with SHA-1 over the signed octets
//   ECDSA_256/384/521 (9/10/11)   RFC 4754: SHA-256/384/512 on P-256/384/521, the
//                                 signature as r | s, each padded to the curve size
//   Digital Signature (14)        RFC 7427 3: Authentication Data =
//                                 ASN.1 Length (1 octet) | AlgorithmIdentifier DER |
//                                 Signature Value, for sha{256,384,512}WithRSAEncryption,
//                                 RSASSA-PSS (hash, MGF1 hash and salt length from its
//                                 parameters), ecdsa-with-SHA{256,384,512} (DER
//                                 Ecdsa-Sig-Value) and Ed25519 (RFC 8420, identity hash)
// plus the choice of method and algorithm from the peer's SIGNATURE_HASH_ALGORITHMS
// (RFC 7427 4; the notify data itself is encoded by ike/wire/notify_data.h) and the
// signed octets (RFC 7296 2.15). Verification failures are CryptoError::kAuthFailed,
// a method that does not fit the key kKeyMismatch, undecodable AUTH data
// kBadEncoding, an algorithm we do not accept kUnsupported: the responder answers
// AUTHENTICATION_FAILED for all of them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "ike/crypto/errors.h"
#include "ike/crypto/pki/keys.h"
#include "ike/crypto/psk_auth.h"
#include "ike/wire/iana.h"
#include "util/expected.h"

namespace answerd::crypto::pki {

enum class SignatureScheme : std::uint8_t {
  kRsaPkcs1Sha1,  // only with method 1
  kRsaPkcs1Sha256,
  kRsaPkcs1Sha384,
  kRsaPkcs1Sha512,
  kRsaPssSha256,  // MGF1 with the same hash, salt length = hash length when we sign
  kRsaPssSha384,
  kRsaPssSha512,
  kEcdsaSha256,
  kEcdsaSha384,
  kEcdsaSha512,
  kEd25519,
};

// strongSwan's names (RSA_EMSA_PKCS1_SHA2_256, ECDSA_WITH_SHA256_DER, ED25519, ...).
[[nodiscard]] std::string_view to_string(SignatureScheme s);
// The RFC 7427 hash algorithm identifier of a scheme (kIdentity for Ed25519).
[[nodiscard]] ike::HashAlgorithm scheme_hash(SignatureScheme s);

// A scheme with the parameters of a received RSASSA-PSS AlgorithmIdentifier.
struct SignatureParams {
  SignatureScheme scheme = SignatureScheme::kRsaPkcs1Sha256;
  ike::HashAlgorithm mgf1_hash = ike::HashAlgorithm::kSha2_256;  // PSS only
  std::size_t salt_len = 0;                                      // PSS only
};

// RFC 7427 3 / Appendix A: the AlgorithmIdentifier DER we send for a scheme
// (PKCS#1 with NULL parameters, ECDSA and Ed25519 without, PSS with explicit
// hash, MGF1 hash and salt length = hash length).
[[nodiscard]] std::vector<std::uint8_t> algorithm_identifier(SignatureScheme s);
// Parses an AlgorithmIdentifier from untrusted AUTH data (exactly one DER SEQUENCE).
[[nodiscard]] answerd::expected<SignatureParams, CryptoError> parse_algorithm_identifier(Bytes der);

// Authentication Data of method 14, split (views into the input).
struct DigitalSignature {
  SignatureParams params{};
  Bytes algorithm_identifier{};
  Bytes signature{};
};
[[nodiscard]] answerd::expected<DigitalSignature, CryptoError> parse_digital_signature(Bytes auth_data);

// What we advertise in SIGNATURE_HASH_ALGORITHMS and accept in method 14:
// SHA2-256, SHA2-384, SHA2-512, Identity (as strongSwan sends them).
[[nodiscard]] std::span<const ike::HashAlgorithm> supported_signature_hashes();

struct SignatureChoice {
  ike::AuthMethod method = ike::AuthMethod::kDigitalSignature;
  SignatureScheme scheme = SignatureScheme::kRsaPkcs1Sha256;
};

// The method and scheme for our key given the peer's SIGNATURE_HASH_ALGORITHMS
// (empty when it sent none). With the notify: method 14 with the first of
// SHA2-256/384/512 the peer supports (ECDSA prefers the hash of its curve size,
// Ed25519 needs Identity); RSA uses PSS when `rsa_pss`. Without it: RSA -> 1,
// ECDSA -> 9/10/11, Ed25519 -> kUnsupported (it has no classic method).
[[nodiscard]] answerd::expected<SignatureChoice, CryptoError> choose_signature(
    KeyType key, std::span<const ike::HashAlgorithm> peer_hashes, bool rsa_pss = false);

// The AUTH payload's Authentication Data for `choice`, signed with `key`.
[[nodiscard]] answerd::expected<std::vector<std::uint8_t>, CryptoError> sign_auth(
    const PrivateKey& key, SignatureChoice choice, Bytes signed_octets);

// Verifies a peer's AUTH payload (method and Authentication Data) with the public
// key of its certificate. Method 14 accepts only hashes in `accepted_hashes`.
// Returns the scheme that was verified (for logs).
[[nodiscard]] answerd::expected<SignatureParams, CryptoError> verify_auth(
    const PublicKey& key, ike::AuthMethod method, Bytes auth_data, Bytes signed_octets,
    std::span<const ike::HashAlgorithm> accepted_hashes = supported_signature_hashes());

// RFC 7296 2.15: InitiatorSignedOctets = RealMessage1 | NonceRData | MACedIDForI,
// MACedIDForI = prf(SK_pi, RestOfInitIDPayload) (and the responder's likewise): the
// same inputs as the PSK AUTH value (psk_auth.h).
using SignedOctetsInput = PskAuthInput;
[[nodiscard]] answerd::expected<std::vector<std::uint8_t>, CryptoError> signed_octets(
    ike::PrfId prf, const SignedOctetsInput& in);

}  // namespace answerd::crypto::pki
