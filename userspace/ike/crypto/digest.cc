// See digest.h.
#include "ike/crypto/digest.h"

#include <openssl/evp.h>

#include <cstdlib>
#include <memory>

#include "ike/crypto/ossl.h"

namespace answerd::crypto {

// The cached SHA-1 (ossl.h): EVP_sha1() would fetch it from the provider per call.
Sha1Digest sha1(std::initializer_list<std::span<const std::uint8_t>> parts) {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  Sha1Digest out{};
  unsigned int len = 0;
  bool ok = ctx && EVP_DigestInit_ex2(ctx.get(), ossl::md_sha1(), nullptr) == 1;
  for (auto p : parts) ok = ok && EVP_DigestUpdate(ctx.get(), p.data(), p.size()) == 1;
  ok = ok && EVP_DigestFinal_ex(ctx.get(), out.data(), &len) == 1 && len == out.size();
  // Only allocation failure gets here: nothing sensible to answer the peer with.
  if (!ok) std::abort();
  return out;
}

}  // namespace answerd::crypto
