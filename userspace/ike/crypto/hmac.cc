// HMAC over EVP digests, prf, prf+ and integrity MACs (RFC 2104, RFC 4868,
// RFC 7296 2.13).
#include "ike/crypto/hmac.h"

#include <sodium.h>

#include <algorithm>
#include <array>

#include "ike/crypto/transforms.h"

namespace answerd::crypto {

namespace {
constexpr std::size_t kMaxBlock = 128;  // SHA-384/512 block size
constexpr std::size_t kMaxOut = 64;

bool absorb_pad(EVP_MD_CTX* ctx, const EVP_MD* md, std::span<const std::uint8_t> key_block,
                std::uint8_t pad) {
  std::array<std::uint8_t, kMaxBlock> block{};
  for (std::size_t i = 0; i < key_block.size(); ++i) block[i] = key_block[i] ^ pad;
  const bool ok = EVP_DigestInit_ex2(ctx, md, nullptr) == 1 &&
                  EVP_DigestUpdate(ctx, block.data(), key_block.size()) == 1;
  sodium_memzero(block.data(), block.size());
  return ok;
}
}  // namespace

answerd::expected<Hmac, CryptoError> Hmac::create(const EVP_MD* md, Bytes key) {
  if (md == nullptr) return answerd::unexpected(CryptoError::kUnsupported);
  const auto block_size = static_cast<std::size_t>(EVP_MD_get_block_size(md));
  const auto out_size = static_cast<std::size_t>(EVP_MD_get_size(md));
  if (block_size > kMaxBlock || out_size > kMaxOut)
    return answerd::unexpected(CryptoError::kUnsupported);
  Hmac h;
  h.inner_.reset(EVP_MD_CTX_new());
  h.outer_.reset(EVP_MD_CTX_new());
  if (!h.inner_ || !h.outer_) return answerd::unexpected(CryptoError::kInternal);
  h.out_size_ = out_size;

  // K0: the key, hashed first when longer than a block, zero-padded to a block.
  std::array<std::uint8_t, kMaxBlock> k0{};
  if (key.size() > block_size) {
    unsigned int n = 0;
    if (EVP_Digest(key.data(), key.size(), k0.data(), &n, md, nullptr) != 1)
      return answerd::unexpected(CryptoError::kInternal);
  } else {
    std::copy(key.begin(), key.end(), k0.begin());
  }
  const std::span<const std::uint8_t> k0_block(k0.data(), block_size);
  const bool ok = absorb_pad(h.inner_.get(), md, k0_block, 0x36) &&
                  absorb_pad(h.outer_.get(), md, k0_block, 0x5c);
  sodium_memzero(k0.data(), k0.size());
  if (!ok) return answerd::unexpected(CryptoError::kInternal);
  return h;
}

answerd::expected<void, CryptoError> Hmac::compute(std::span<const Bytes> data,
                                                   std::span<std::uint8_t> out) {
  if (out.size() != out_size_) return answerd::unexpected(CryptoError::kInternal);
  if (!work_) work_.reset(EVP_MD_CTX_new());
  if (!work_) return answerd::unexpected(CryptoError::kInternal);
  std::array<std::uint8_t, kMaxOut> inner_hash{};
  unsigned int n = 0;
  bool ok = EVP_MD_CTX_copy_ex(work_.get(), inner_.get()) == 1;
  for (Bytes part : data) {
    if (ok && !part.empty()) ok = EVP_DigestUpdate(work_.get(), part.data(), part.size()) == 1;
  }
  ok = ok && EVP_DigestFinal_ex(work_.get(), inner_hash.data(), &n) == 1 &&
       EVP_MD_CTX_copy_ex(work_.get(), outer_.get()) == 1 &&
       EVP_DigestUpdate(work_.get(), inner_hash.data(), out_size_) == 1 &&
       EVP_DigestFinal_ex(work_.get(), out.data(), &n) == 1;
  sodium_memzero(inner_hash.data(), inner_hash.size());
  if (!ok) return answerd::unexpected(CryptoError::kInternal);
  return {};
}

answerd::expected<void, CryptoError> Hmac::finish(ByteParts data, std::span<std::uint8_t> out) && {
  if (out.size() != out_size_) return answerd::unexpected(CryptoError::kInternal);
  std::array<std::uint8_t, kMaxOut> inner_hash{};
  unsigned int n = 0;
  bool ok = true;
  for (Bytes part : data) {
    if (ok && !part.empty()) ok = EVP_DigestUpdate(inner_.get(), part.data(), part.size()) == 1;
  }
  ok = ok && EVP_DigestFinal_ex(inner_.get(), inner_hash.data(), &n) == 1 &&
       EVP_DigestUpdate(outer_.get(), inner_hash.data(), out_size_) == 1 &&
       EVP_DigestFinal_ex(outer_.get(), out.data(), &n) == 1;
  sodium_memzero(inner_hash.data(), inner_hash.size());
  if (!ok) return answerd::unexpected(CryptoError::kInternal);
  return {};
}

const EVP_MD* prf_md(ike::PrfId prf) {
  switch (prf) {
    case ike::PrfId::kHmacSha1: return ossl::md_sha1();
    case ike::PrfId::kHmacSha2_256: return ossl::md_sha256();
    case ike::PrfId::kHmacSha2_384: return ossl::md_sha384();
    case ike::PrfId::kHmacSha2_512: return ossl::md_sha512();
    default: return nullptr;
  }
}

const EVP_MD* integ_md(ike::IntegId integ) {
  switch (integ) {
    case ike::IntegId::kHmacSha1_96: return ossl::md_sha1();
    case ike::IntegId::kHmacSha2_256_128: return ossl::md_sha256();
    case ike::IntegId::kHmacSha2_384_192: return ossl::md_sha384();
    case ike::IntegId::kHmacSha2_512_256: return ossl::md_sha512();
    default: return nullptr;
  }
}

answerd::expected<void, CryptoError> prf(ike::PrfId prf, Bytes key, ByteParts data,
                                         std::span<std::uint8_t> out) {
  auto h = Hmac::create(prf_md(prf), key);
  if (!h) return answerd::unexpected(h.error());
  return std::move(*h).finish(data, out);
}

answerd::expected<SecretBytes, CryptoError> prf_secret(ike::PrfId prf_id, Bytes key,
                                                       ByteParts data) {
  SecretBytes out(prf_output_size(prf_id));
  if (out.empty()) return answerd::unexpected(CryptoError::kUnsupported);
  auto r = prf(prf_id, key, data, out.writable());
  if (!r) return answerd::unexpected(r.error());
  return out;
}

// RFC 7296 2.13
answerd::expected<SecretBytes, CryptoError> prf_plus(ike::PrfId prf_id, Bytes key,
                                                     ByteParts seed, std::size_t length) {
  auto h = Hmac::create(prf_md(prf_id), key);
  if (!h) return answerd::unexpected(h.error());
  const std::size_t block = h->size();
  const std::size_t blocks = (length + block - 1) / block;
  if (blocks > 255) return answerd::unexpected(CryptoError::kBadKeyLength);
  SecretBytes out(blocks * block);
  std::uint8_t* t = out.writable().data();
  for (std::size_t i = 1; i <= blocks; ++i) {
    const std::uint8_t counter = static_cast<std::uint8_t>(i);
    Bytes prev = i == 1 ? Bytes{} : Bytes{t - block, block};
    // Tn = prf(K, Tn-1 | S | n): the seed parts go between Tn-1 and the counter.
    std::array<Bytes, 10> parts{};
    std::size_t np = 0;
    parts[np++] = prev;
    for (Bytes s : seed) {
      if (np + 1 >= parts.size()) return answerd::unexpected(CryptoError::kInternal);
      parts[np++] = s;
    }
    parts[np++] = Bytes{&counter, 1};
    auto r = h->compute(std::span<const Bytes>(parts.data(), np), {t, block});
    if (!r) return answerd::unexpected(r.error());
    t += block;
  }
  out.truncate(length);
  return out;
}

answerd::expected<void, CryptoError> integ_mac(ike::IntegId integ, Bytes key, ByteParts data,
                                               std::span<std::uint8_t> out) {
  const std::size_t icv = integ_icv_size(integ);
  if (icv == 0) return answerd::unexpected(CryptoError::kUnsupported);
  if (key.size() != integ_key_size(integ) || out.size() != icv)
    return answerd::unexpected(CryptoError::kBadKeyLength);
  auto h = Hmac::create(integ_md(integ), key);
  if (!h) return answerd::unexpected(h.error());
  std::array<std::uint8_t, kMaxOut> full{};
  auto r = std::move(*h).finish(data, {full.data(), h->size()});
  if (!r) return r;
  std::copy_n(full.begin(), icv, out.begin());
  return {};
}

}  // namespace answerd::crypto
