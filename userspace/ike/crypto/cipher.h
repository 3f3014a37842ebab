// Raw ciphers under the SK payload (sk_cipher.h builds on these): AEAD with the
// IKEv2/ESP nonce construction (4-byte salt | 8-byte explicit IV) for AES-GCM-16
// (RFC 5282, RFC 4106) and ChaCha20-Poly1305 (RFC 7634), and AES-CBC without
// padding. Public so that known-answer tests can reach the primitives directly.
#pragma once

#include <cstdint>
#include <span>

#include "ike/crypto/errors.h"
#include "ike/crypto/prf.h"
#include "ike/crypto/secret_bytes.h"
#include "ike/wire/iana.h"
#include "util/expected.h"

namespace answerd::crypto {

class Aead {
 public:
  static constexpr std::size_t kIvSize = 8;
  static constexpr std::size_t kSaltSize = 4;
  static constexpr std::size_t kTagSize = 16;

  // key_with_salt: cipher key followed by the 4-byte salt (encr_keymat_size bytes).
  [[nodiscard]] static answerd::expected<Aead, CryptoError> create(ike::EncrId encr,
                                                                   std::uint16_t key_bits,
                                                                   Bytes key_with_salt);
  // out = ciphertext | tag, exactly plain.size() + kTagSize bytes.
  [[nodiscard]] answerd::expected<void, CryptoError> encrypt(Bytes iv, Bytes aad, Bytes plain,
                                                             std::span<std::uint8_t> out) const;
  // in = ciphertext | tag; out exactly in.size() - kTagSize bytes.
  [[nodiscard]] answerd::expected<void, CryptoError> decrypt(Bytes iv, Bytes aad, Bytes in,
                                                             std::span<std::uint8_t> out) const;

 private:
  Aead(ike::EncrId e, SecretBytes key, SecretBytes salt)
      : encr_(e), key_(std::move(key)), salt_(std::move(salt)) {}
  ike::EncrId encr_;
  SecretBytes key_;
  SecretBytes salt_;
};

inline constexpr std::size_t kAesBlock = 16;

// AES-CBC (128 or 256-bit key by key.size()), no padding: in.size() must be a
// multiple of 16 and equal to out.size(); iv is 16 bytes.
[[nodiscard]] answerd::expected<void, CryptoError> aes_cbc_encrypt(Bytes key, Bytes iv, Bytes in,
                                                                   std::span<std::uint8_t> out);
[[nodiscard]] answerd::expected<void, CryptoError> aes_cbc_decrypt(Bytes key, Bytes iv, Bytes in,
                                                                   std::span<std::uint8_t> out);

}  // namespace answerd::crypto
