// SK / SKF payload protection (RFC 7296 3.14, RFC 5282, RFC 7634); see sk_cipher.h.
#include "ike/crypto/sk_cipher.h"

#include <sodium.h>

#include <algorithm>
#include <array>

#include "ike/crypto/cipher.h"
#include "ike/crypto/transforms.h"

namespace answerd::crypto {

namespace {

using Out = answerd::expected<std::vector<std::uint8_t>, CryptoError>;

// AEAD: IV is a 64-bit counter starting at a random value (unique per key).
class AeadSk final : public SkCipher {
 public:
  AeadSk(Aead aead, std::uint64_t first_iv) : aead_(std::move(aead)), next_iv_(first_iv) {}

  std::size_t iv_size() const override { return Aead::kIvSize; }
  std::size_t icv_size() const override { return Aead::kTagSize; }
  std::size_t sealed_size(std::size_t n) const override {
    return Aead::kIvSize + n + 1 + Aead::kTagSize;  // pad length byte, no padding
  }

  Out seal(Bytes aad, Bytes payloads) override {
    std::vector<std::uint8_t> out(sealed_size(payloads.size()));
    const std::uint64_t iv = next_iv_++;
    for (std::size_t i = 0; i < Aead::kIvSize; ++i)
      out[i] = static_cast<std::uint8_t>(iv >> (8 * (Aead::kIvSize - 1 - i)));
    std::vector<std::uint8_t> plain(payloads.begin(), payloads.end());
    plain.push_back(0);  // Pad Length = 0
    auto r = aead_.encrypt(Bytes(out).first(Aead::kIvSize), aad, plain,
                           std::span(out).subspan(Aead::kIvSize));
    sodium_memzero(plain.data(), plain.size());
    if (!r) return answerd::unexpected(r.error());
    return out;
  }

  Out open(Bytes aad, Bytes sealed) const override {
    if (sealed.size() < Aead::kIvSize + 1 + Aead::kTagSize)
      return answerd::unexpected(CryptoError::kBadCiphertext);
    const Bytes body = sealed.subspan(Aead::kIvSize);
    std::vector<std::uint8_t> plain(body.size() - Aead::kTagSize);
    auto r = aead_.decrypt(sealed.first(Aead::kIvSize), aad, body, plain);
    if (!r) return answerd::unexpected(r.error());
    return strip_padding(std::move(plain));
  }

  static Out strip_padding(std::vector<std::uint8_t> plain) {
    const std::size_t pad = plain.back();
    if (pad + 1 > plain.size()) return answerd::unexpected(CryptoError::kBadPadding);
    plain.resize(plain.size() - pad - 1);
    return plain;
  }

 private:
  Aead aead_;
  std::uint64_t next_iv_;
};

// AES-CBC + HMAC, encrypt-then-MAC over the whole message (RFC 7296 3.14).
class CbcSk final : public SkCipher {
 public:
  CbcSk(ike::IntegId integ, SecretBytes ekey, SecretBytes akey, Random& rng)
      : integ_(integ), ekey_(std::move(ekey)), akey_(std::move(akey)), rng_(rng) {}

  std::size_t iv_size() const override { return kAesBlock; }
  std::size_t icv_size() const override { return integ_icv_size(integ_); }
  std::size_t sealed_size(std::size_t n) const override {
    return kAesBlock + padded(n) + icv_size();
  }

  Out seal(Bytes aad, Bytes payloads) override {
    const std::size_t ct_len = padded(payloads.size());
    std::vector<std::uint8_t> out(sealed_size(payloads.size()));
    std::span<std::uint8_t> iv = std::span(out).first(kAesBlock);
    std::span<std::uint8_t> ct = std::span(out).subspan(kAesBlock, ct_len);
    rng_.fill(iv);
    // payloads | zero padding | Pad Length
    std::vector<std::uint8_t> plain(ct_len, 0);
    std::copy(payloads.begin(), payloads.end(), plain.begin());
    plain.back() = static_cast<std::uint8_t>(ct_len - payloads.size() - 1);
    auto r = aes_cbc_encrypt(ekey_.view(), iv, plain, ct);
    sodium_memzero(plain.data(), plain.size());
    if (!r) return answerd::unexpected(r.error());
    auto m = integ_mac(integ_, akey_.view(), {aad, iv, ct},
                       std::span(out).subspan(kAesBlock + ct_len));
    if (!m) return answerd::unexpected(m.error());
    return out;
  }

  Out open(Bytes aad, Bytes sealed) const override {
    const std::size_t icv = icv_size();
    if (sealed.size() < kAesBlock + kAesBlock + icv ||
        (sealed.size() - kAesBlock - icv) % kAesBlock != 0)
      return answerd::unexpected(CryptoError::kBadCiphertext);
    const Bytes iv = sealed.first(kAesBlock);
    const Bytes ct = sealed.subspan(kAesBlock, sealed.size() - kAesBlock - icv);
    std::array<std::uint8_t, 32> mac{};
    auto m = integ_mac(integ_, akey_.view(), {aad, iv, ct}, std::span(mac).first(icv));
    if (!m) return answerd::unexpected(m.error());
    if (sodium_memcmp(mac.data(), sealed.data() + sealed.size() - icv, icv) != 0)
      return answerd::unexpected(CryptoError::kIntegrityCheckFailed);
    std::vector<std::uint8_t> plain(ct.size());
    auto r = aes_cbc_decrypt(ekey_.view(), iv, ct, plain);
    if (!r) return answerd::unexpected(r.error());
    return AeadSk::strip_padding(std::move(plain));
  }

 private:
  // Smallest multiple of the block that holds n bytes plus the pad length byte.
  static std::size_t padded(std::size_t n) { return (n + 1 + kAesBlock - 1) / kAesBlock * kAesBlock; }

  ike::IntegId integ_;
  SecretBytes ekey_, akey_;
  Random& rng_;
};

}  // namespace

answerd::expected<std::unique_ptr<SkCipher>, CryptoError> make_sk_cipher(
    ike::EncrId encr, std::uint16_t key_bits, ike::IntegId integ, Bytes encr_key, Bytes integ_key,
    Random& rng) {
  if (is_aead(encr)) {
    if (integ != ike::IntegId::kNone || !integ_key.empty())
      return answerd::unexpected(CryptoError::kUnsupported);
    auto aead = Aead::create(encr, key_bits, encr_key);
    if (!aead) return answerd::unexpected(aead.error());
    std::array<std::uint8_t, 8> start{};
    rng.fill(start);
    std::uint64_t iv = 0;
    for (std::uint8_t b : start) iv = (iv << 8) | b;
    return std::unique_ptr<SkCipher>(std::make_unique<AeadSk>(std::move(*aead), iv));
  }
  if (encr != ike::EncrId::kAesCbc) return answerd::unexpected(CryptoError::kUnsupported);
  auto e_len = encr_keymat_size(encr, key_bits);
  if (!e_len) return answerd::unexpected(e_len.error());
  if (integ_key_size(integ) == 0) return answerd::unexpected(CryptoError::kUnsupported);
  if (encr_key.size() != *e_len || integ_key.size() != integ_key_size(integ))
    return answerd::unexpected(CryptoError::kBadKeyLength);
  return std::unique_ptr<SkCipher>(std::make_unique<CbcSk>(
      integ, SecretBytes::copy_of(encr_key), SecretBytes::copy_of(integ_key), rng));
}

}  // namespace answerd::crypto
