// Internal to answerd_crypto: the OpenSSL objects behind the opaque pki/ handles,
// shared by the pki/*.cc files. Not included outside userspace/ike/crypto.
#pragma once

#include <openssl/x509.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ike/crypto/ossl.h"
#include "ike/crypto/pki/keys.h"
#include "ike/crypto/pki/x509.h"

namespace answerd::crypto::pki {

namespace ossl = answerd::crypto::ossl;
using X509Ptr = std::unique_ptr<X509, ossl::Deleter<X509_free>>;

struct KeyImpl {
  ossl::Pkey pkey;
  KeyType type = KeyType::kRsa;
};

struct CertImpl {
  X509Ptr x509;
  std::vector<std::uint8_t> der;  // as received / loaded (re-encoded for PEM input)
};

// The key type of an EVP_PKEY, or nullopt for keys answerd does not sign with.
[[nodiscard]] std::optional<KeyType> key_type_of(const EVP_PKEY* pkey);

// Handle accessors for the other pki/ files.
[[nodiscard]] const EVP_PKEY* pkey_of(const PublicKey& k);
[[nodiscard]] const EVP_PKEY* pkey_of(const PrivateKey& k);
[[nodiscard]] X509* x509_of(const Certificate& c);
// "C=CH, O=Org, CN=name", strongSwan's form of a DN.
[[nodiscard]] std::string name_text(const X509_NAME* n);

}  // namespace answerd::crypto::pki
