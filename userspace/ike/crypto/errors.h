// Error type of the crypto suite (answerd::crypto). Every fallible function here
// returns answerd::expected<T, CryptoError>; nothing throws on the packet path.
//
// Mapping to IKEv2 notifies is the responder's job; the intended mapping is:
//   kUnsupported (group not implemented)        -> INVALID_KE_PAYLOAD with our group
//   kBadPublicValueLength, kInvalidPublicValue  -> INVALID_SYNTAX (RFC 7296 3.4,
//                                                  RFC 6989 public value checks)
//   kIntegrityCheckFailed, kBadCiphertext,
//   kBadPadding on an SK payload                -> drop silently (RFC 7296 2.21.1)
//   kAuthFailed                                 -> AUTHENTICATION_FAILED
//   kBadEncoding, kKeyMismatch (AUTH data, CERT),
//   kCertificateUntrusted, kCertificateExpired,
//   kIdentityMismatch (pki/)                    -> AUTHENTICATION_FAILED
//   kIo: a file could not be read (configuration loading only, never a packet)
#pragma once

#include <cstdint>
#include <string_view>

namespace answerd::crypto {

enum class CryptoError : std::uint8_t {
  kUnsupported,            // algorithm, key size or group not implemented
  kBadKeyLength,           // a key of the wrong size was handed in
  kBadPublicValueLength,   // KE data length does not match the group
  kInvalidPublicValue,     // MODP y <= 1 or y >= p-1, ECP point not on curve,
                           // X25519 low-order point (all-zero shared secret)
  kBadCiphertext,          // SK payload too short or not a block multiple
  kIntegrityCheckFailed,   // ICV / AEAD tag mismatch
  kBadPadding,             // pad length byte larger than the decrypted data
  kAuthFailed,             // AUTH payload value mismatch
  kInternal,               // OpenSSL / libsodium reported a failure
  // Certificate authentication (pki/):
  kBadEncoding,            // malformed DER/PEM: certificate, key, AUTH AlgorithmIdentifier
  kKeyMismatch,            // method/algorithm does not fit the key (RSA method, EC key)
  kCertificateUntrusted,   // no valid chain to a configured CA
  kCertificateExpired,     // a chain certificate is outside its validity at "now"
  kIdentityMismatch,       // the IKE ID is not bound to the certificate
  kIo,                     // a key or certificate file could not be read
};

[[nodiscard]] constexpr std::string_view to_string(CryptoError e) {
  switch (e) {
    case CryptoError::kUnsupported: return "unsupported algorithm";
    case CryptoError::kBadKeyLength: return "bad key length";
    case CryptoError::kBadPublicValueLength: return "bad KE public value length";
    case CryptoError::kInvalidPublicValue: return "invalid KE public value";
    case CryptoError::kBadCiphertext: return "bad ciphertext length";
    case CryptoError::kIntegrityCheckFailed: return "integrity check failed";
    case CryptoError::kBadPadding: return "bad padding";
    case CryptoError::kAuthFailed: return "authentication failed";
    case CryptoError::kInternal: return "crypto library failure";
    case CryptoError::kBadEncoding: return "malformed encoding";
    case CryptoError::kKeyMismatch: return "algorithm does not match the key";
    case CryptoError::kCertificateUntrusted: return "certificate not trusted";
    case CryptoError::kCertificateExpired: return "certificate expired or not yet valid";
    case CryptoError::kIdentityMismatch: return "identity not in certificate";
    case CryptoError::kIo: return "file not readable";
  }
  return "unknown";
}

}  // namespace answerd::crypto
