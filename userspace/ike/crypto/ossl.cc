// Cached OpenSSL algorithm fetches (see ossl.h).
#include "ike/crypto/ossl.h"


namespace answerd::crypto::ossl {

namespace {
const EVP_MD* fetch_md(const char* name) { return EVP_MD_fetch(nullptr, name, nullptr); }
}  // namespace

const EVP_MD* md_sha1() {
  static const EVP_MD* md = fetch_md("SHA1");
  return md;
}
const EVP_MD* md_sha256() {
  static const EVP_MD* md = fetch_md("SHA2-256");
  return md;
}
const EVP_MD* md_sha384() {
  static const EVP_MD* md = fetch_md("SHA2-384");
  return md;
}
const EVP_MD* md_sha512() {
  static const EVP_MD* md = fetch_md("SHA2-512");
  return md;
}

const EVP_CIPHER* cipher_aes_gcm(std::size_t key_len) {
  static const EVP_CIPHER* c128 = EVP_CIPHER_fetch(nullptr, "AES-128-GCM", nullptr);
  static const EVP_CIPHER* c256 = EVP_CIPHER_fetch(nullptr, "AES-256-GCM", nullptr);
  return key_len == 16 ? c128 : key_len == 32 ? c256 : nullptr;
}

const EVP_CIPHER* cipher_aes_cbc(std::size_t key_len) {
  static const EVP_CIPHER* c128 = EVP_CIPHER_fetch(nullptr, "AES-128-CBC", nullptr);
  static const EVP_CIPHER* c256 = EVP_CIPHER_fetch(nullptr, "AES-256-CBC", nullptr);
  return key_len == 16 ? c128 : key_len == 32 ? c256 : nullptr;
}

}  // namespace answerd::crypto::ossl
