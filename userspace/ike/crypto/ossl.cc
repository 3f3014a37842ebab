// Cached OpenSSL algorithm fetches (see ossl.h).
#include "ike/crypto/ossl.h"

#include <map>
#include <mutex>
#include <string>

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

const EVP_CIPHER* cipher_by_name(const char* name) {
  static std::mutex mu;
  static std::map<std::string, EVP_CIPHER*> cache;
  std::lock_guard lock(mu);
  auto it = cache.find(name);
  if (it != cache.end()) return it->second;
  EVP_CIPHER* c = EVP_CIPHER_fetch(nullptr, name, nullptr);
  cache.emplace(name, c);
  return c;
}

}  // namespace answerd::crypto::ossl
