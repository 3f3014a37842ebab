// AES-GCM / ChaCha20-Poly1305 AEAD and AES-CBC (see cipher.h).
#include "ike/crypto/cipher.h"

#include <openssl/evp.h>
#include <sodium.h>

#include <array>
#include <climits>

#include "ike/crypto/ossl.h"
#include "ike/crypto/transforms.h"

namespace answerd::crypto {

namespace {

using Nonce = std::array<std::uint8_t, Aead::kSaltSize + Aead::kIvSize>;

Nonce make_nonce(const SecretBytes& salt, Bytes iv) {
  Nonce n{};
  std::copy(salt.view().begin(), salt.view().end(), n.begin());
  std::copy(iv.begin(), iv.end(), n.begin() + Aead::kSaltSize);
  return n;
}

const EVP_CIPHER* gcm_cipher(std::size_t key_len) { return ossl::cipher_aes_gcm(key_len); }

bool fits_int(std::size_t n) { return n <= static_cast<std::size_t>(INT_MAX); }

// RFC 5282 / SP 800-38D with a 96-bit nonce and a 16-byte tag.
bool gcm(bool enc, const SecretBytes& key, const Nonce& nonce, Bytes aad, Bytes in,
         std::span<std::uint8_t> out, std::uint8_t* tag) {
  ossl::CipherCtx ctx(EVP_CIPHER_CTX_new());
  int len = 0;
  if (!ctx || !fits_int(aad.size()) || !fits_int(in.size())) return false;
  if (EVP_CipherInit_ex2(ctx.get(), gcm_cipher(key.size()), key.data(), nonce.data(),
                         enc ? 1 : 0, nullptr) != 1)
    return false;
  if (!aad.empty() &&
      EVP_CipherUpdate(ctx.get(), nullptr, &len, aad.data(), static_cast<int>(aad.size())) != 1)
    return false;
  if (!in.empty() && EVP_CipherUpdate(ctx.get(), out.data(), &len, in.data(),
                                      static_cast<int>(in.size())) != 1)
    return false;
  if (!enc && EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_AEAD_SET_TAG, Aead::kTagSize, tag) != 1)
    return false;
  if (EVP_CipherFinal_ex(ctx.get(), out.data() + in.size(), &len) != 1) return false;
  return !enc || EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_AEAD_GET_TAG, Aead::kTagSize, tag) == 1;
}

}  // namespace

answerd::expected<Aead, CryptoError> Aead::create(ike::EncrId encr, std::uint16_t key_bits,
                                                  Bytes key_with_salt) {
  if (!is_aead(encr)) return answerd::unexpected(CryptoError::kUnsupported);
  auto size = encr_keymat_size(encr, key_bits);
  if (!size) return answerd::unexpected(size.error());
  if (key_with_salt.size() != *size) return answerd::unexpected(CryptoError::kBadKeyLength);
  const std::size_t key_len = *size - kSaltSize;
  if (encr == ike::EncrId::kAesGcm16 && gcm_cipher(key_len) == nullptr)
    return answerd::unexpected(CryptoError::kInternal);
  return Aead(encr, SecretBytes::copy_of(key_with_salt.first(key_len)),
              SecretBytes::copy_of(key_with_salt.subspan(key_len)));
}

answerd::expected<void, CryptoError> Aead::encrypt(Bytes iv, Bytes aad, Bytes plain,
                                                   std::span<std::uint8_t> out) const {
  if (iv.size() != kIvSize || out.size() != plain.size() + kTagSize)
    return answerd::unexpected(CryptoError::kBadCiphertext);
  const Nonce nonce = make_nonce(salt_, iv);
  std::uint8_t* tag = out.data() + plain.size();
  if (encr_ == ike::EncrId::kChacha20Poly1305) {
    crypto_aead_chacha20poly1305_ietf_encrypt_detached(out.data(), tag, nullptr, plain.data(),
                                                       plain.size(), aad.data(), aad.size(),
                                                       nullptr, nonce.data(), key_.data());
    return {};
  }
  if (!gcm(true, key_, nonce, aad, plain, out, tag))
    return answerd::unexpected(CryptoError::kInternal);
  return {};
}

answerd::expected<void, CryptoError> Aead::decrypt(Bytes iv, Bytes aad, Bytes in,
                                                   std::span<std::uint8_t> out) const {
  if (iv.size() != kIvSize || in.size() < kTagSize || out.size() != in.size() - kTagSize)
    return answerd::unexpected(CryptoError::kBadCiphertext);
  const Nonce nonce = make_nonce(salt_, iv);
  const Bytes ct = in.first(out.size());
  std::array<std::uint8_t, kTagSize> tag{};
  std::copy(in.end() - kTagSize, in.end(), tag.begin());
  if (encr_ == ike::EncrId::kChacha20Poly1305) {
    if (crypto_aead_chacha20poly1305_ietf_decrypt_detached(out.data(), nullptr, ct.data(),
                                                           ct.size(), tag.data(), aad.data(),
                                                           aad.size(), nonce.data(),
                                                           key_.data()) != 0)
      return answerd::unexpected(CryptoError::kIntegrityCheckFailed);
    return {};
  }
  if (!gcm(false, key_, nonce, aad, ct, out, tag.data())) {
    sodium_memzero(out.data(), out.size());
    return answerd::unexpected(CryptoError::kIntegrityCheckFailed);
  }
  return {};
}

namespace {
answerd::expected<void, CryptoError> aes_cbc(bool enc, Bytes key, Bytes iv, Bytes in,
                                             std::span<std::uint8_t> out) {
  if (key.size() != 16 && key.size() != 32) return answerd::unexpected(CryptoError::kBadKeyLength);
  if (iv.size() != kAesBlock || in.size() % kAesBlock != 0 || out.size() != in.size() ||
      !fits_int(in.size()))
    return answerd::unexpected(CryptoError::kBadCiphertext);
  const EVP_CIPHER* c = ossl::cipher_aes_cbc(key.size());
  ossl::CipherCtx ctx(EVP_CIPHER_CTX_new());
  int len = 0;
  if (c == nullptr || !ctx ||
      EVP_CipherInit_ex2(ctx.get(), c, key.data(), iv.data(), enc ? 1 : 0, nullptr) != 1 ||
      EVP_CIPHER_CTX_set_padding(ctx.get(), 0) != 1 ||
      (!in.empty() &&
       EVP_CipherUpdate(ctx.get(), out.data(), &len, in.data(), static_cast<int>(in.size())) != 1) ||
      EVP_CipherFinal_ex(ctx.get(), out.data() + len, &len) != 1)
    return answerd::unexpected(CryptoError::kInternal);
  return {};
}
}  // namespace

answerd::expected<void, CryptoError> aes_cbc_encrypt(Bytes key, Bytes iv, Bytes in,
                                                     std::span<std::uint8_t> out) {
  return aes_cbc(true, key, iv, in, out);
}

answerd::expected<void, CryptoError> aes_cbc_decrypt(Bytes key, Bytes iv, Bytes in,
                                                     std::span<std::uint8_t> out) {
  return aes_cbc(false, key, iv, in, out);
}

}  // namespace answerd::crypto
