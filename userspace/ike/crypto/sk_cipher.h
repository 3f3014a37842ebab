// Protection of the IKEv2 Encrypted payload (SK, RFC 7296 3.14) and of Encrypted
// Fragments (SKF, RFC 7383): one SkCipher per key and direction, i.e. per
// (SK_ei, SK_ai) for what the initiator sends and (SK_er, SK_ar) for what we send.
//
// Byte layout. The caller (wire layer) builds the whole message up to and including
// the SK payload's generic header, with every length field already final (use
// sealed_size() for the SK payload body length), and passes those bytes as `aad`:
//
//   | IKE header | unencrypted payloads | SK generic header |  IV | ciphertext | ICV |
//   |<------------------------- aad ------------------------>|<----- sealed ------->|
//
//  * AEAD (AES-GCM-16 RFC 5282, ChaCha20-Poly1305 RFC 7634): aad is the AEAD's
//    associated data (RFC 5282 5.1); IV is 8 bytes (nonce = 4-byte salt from the
//    end of SK_e | IV); ICV is the 16-byte tag. Padding length 0.
//  * AES-CBC + HMAC (RFC 7296 3.14, RFC 4868): encrypt-then-MAC; the ICV is the
//    truncated HMAC over aad | IV | ciphertext, i.e. from the first byte of the IKE
//    header to the end of the ciphertext; IV is 16 random bytes from Random;
//    padding up to the 16-byte block.
//
// seal(aad, payloads) takes the inner payloads (the plaintext chain the SK payload's
// Next Payload field points at) and returns IV | Encrypt(payloads | padding |
// pad length) | ICV; open(aad, sealed) checks the ICV / tag first and returns the
// inner payloads with padding and pad length removed.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "ike/crypto/errors.h"
#include "ike/crypto/prf.h"
#include "ike/crypto/random.h"
#include "ike/wire/iana.h"
#include "util/expected.h"

namespace answerd::crypto {

class SkCipher {
 public:
  virtual ~SkCipher() = default;
  [[nodiscard]] virtual std::size_t iv_size() const = 0;
  [[nodiscard]] virtual std::size_t icv_size() const = 0;
  // Length of seal()'s output for `payload_len` bytes of inner payloads: the SK
  // payload body length (Payload Length = 4 + sealed_size(n)).
  [[nodiscard]] virtual std::size_t sealed_size(std::size_t payload_len) const = 0;
  // IV | ciphertext | ICV. Not const: AEAD IVs are a per-key counter (RFC 5282 3.1
  // requires uniqueness), so keep exactly one SkCipher per outbound key.
  [[nodiscard]] virtual answerd::expected<std::vector<std::uint8_t>, CryptoError> seal(
      Bytes aad, Bytes payloads) = 0;
  // Inner payloads, or kBadCiphertext / kIntegrityCheckFailed / kBadPadding.
  [[nodiscard]] virtual answerd::expected<std::vector<std::uint8_t>, CryptoError> open(
      Bytes aad, Bytes sealed) const = 0;
};

// encr_key: encr_keymat_size(encr, key_bits) bytes (with the salt for AEAD, as
// derive_ike_keys() produces SK_e*); integ_key: integ_key_size(integ) bytes, or empty
// with IntegId::kNone for AEAD. rng supplies CBC IVs and the AEAD counter's start and
// must outlive the SkCipher. Keys are copied into wiping storage.
[[nodiscard]] answerd::expected<std::unique_ptr<SkCipher>, CryptoError> make_sk_cipher(
    ike::EncrId encr, std::uint16_t key_bits, ike::IntegId integ, Bytes encr_key, Bytes integ_key,
    Random& rng);

}  // namespace answerd::crypto
