// Internal to answerd_crypto: keyed HMAC over an OpenSSL EVP digest (RFC 2104).
// The key block is absorbed once; compute() can then run many times with the same
// key (prf+ iterates with one key), copying the keyed states into a work context;
// finish() is the one-shot form that consumes the keyed states without copies (each
// EVP_MD_CTX copy frees and allocates the provider's digest state in OpenSSL 3).
#pragma once

#include <openssl/evp.h>

#include <cstdint>
#include <span>

#include "ike/crypto/ossl.h"
#include "ike/crypto/prf.h"

namespace answerd::crypto {

class Hmac {
 public:
  // md must outlive the object (the cached fetches of ossl.h do).
  [[nodiscard]] static answerd::expected<Hmac, CryptoError> create(const EVP_MD* md, Bytes key);
  [[nodiscard]] std::size_t size() const { return out_size_; }
  // HMAC(key, concatenation of data) into out (exactly size() bytes).
  [[nodiscard]] answerd::expected<void, CryptoError> compute(std::span<const Bytes> data,
                                                             std::span<std::uint8_t> out);
  [[nodiscard]] answerd::expected<void, CryptoError> compute(ByteParts data,
                                                             std::span<std::uint8_t> out) {
    return compute(std::span<const Bytes>(data.begin(), data.size()), out);
  }
  // The same for a single use: the object cannot compute again afterwards.
  [[nodiscard]] answerd::expected<void, CryptoError> finish(ByteParts data,
                                                            std::span<std::uint8_t> out) &&;

 private:
  Hmac() = default;
  ossl::MdCtx inner_;  // state after absorbing key ^ ipad
  ossl::MdCtx outer_;  // state after absorbing key ^ opad
  ossl::MdCtx work_;    // created by the first compute()
  std::size_t out_size_ = 0;
};

// The EVP digest behind a PRF / integrity transform; nullptr if unsupported.
[[nodiscard]] const EVP_MD* prf_md(ike::PrfId prf);
[[nodiscard]] const EVP_MD* integ_md(ike::IntegId integ);

}  // namespace answerd::crypto
