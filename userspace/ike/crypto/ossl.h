// Internal to answerd_crypto: RAII owners for OpenSSL objects and the cached,
// fetched algorithm handles (fetching per call costs a provider lookup and a lock).
// Not installed, not included outside userspace/ike/crypto.
#pragma once

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>

#include <cstddef>
#include <memory>

namespace answerd::crypto::ossl {

template <auto Fn>
struct Deleter {
  template <class T>
  void operator()(T* p) const noexcept { Fn(p); }
};

using MdCtx = std::unique_ptr<EVP_MD_CTX, Deleter<EVP_MD_CTX_free>>;
using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, Deleter<EVP_CIPHER_CTX_free>>;
using PkeyCtx = std::unique_ptr<EVP_PKEY_CTX, Deleter<EVP_PKEY_CTX_free>>;
using Pkey = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY_free>>;
using Bn = std::unique_ptr<BIGNUM, Deleter<BN_clear_free>>;
using BnCtx = std::unique_ptr<BN_CTX, Deleter<BN_CTX_free>>;
using MontCtx = std::unique_ptr<BN_MONT_CTX, Deleter<BN_MONT_CTX_free>>;
using EcGroup = std::unique_ptr<EC_GROUP, Deleter<EC_GROUP_free>>;
using EcPoint = std::unique_ptr<EC_POINT, Deleter<EC_POINT_clear_free>>;

// Fetched once per process, never freed (process lifetime); nullptr if unavailable.
[[nodiscard]] const EVP_MD* md_sha1();
[[nodiscard]] const EVP_MD* md_sha256();
[[nodiscard]] const EVP_MD* md_sha384();
[[nodiscard]] const EVP_MD* md_sha512();
[[nodiscard]] const EVP_CIPHER* cipher_aes_gcm(std::size_t key_len);  // 16 or 32
[[nodiscard]] const EVP_CIPHER* cipher_aes_cbc(std::size_t key_len);  // 16 or 32

}  // namespace answerd::crypto::ossl
