// Certificates made in process for tests and benchmarks: a P-256 (or any key's)
// CA or end entity with basicConstraints and keyUsage, valid from an hour ago for
// a day, signed with SHA-256, and its DER. Never for anything but tests.
#pragma once

#include <openssl/evp.h>
#include <openssl/x509v3.h>

#include <cstdint>
#include <utility>
#include <vector>

namespace answerd::crypto::test {

// A new X509 (the caller frees it); issuer == nullptr: self-signed with `key`.
inline X509* make_x509(EVP_PKEY* key, const char* cn, X509* issuer, EVP_PKEY* issuer_key, bool ca) {
  X509* x = X509_new();
  X509_set_version(x, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(x), ca ? 1 : 2);
  X509_gmtime_adj(X509_getm_notBefore(x), -3600);
  X509_gmtime_adj(X509_getm_notAfter(x), 86400);
  X509_set_pubkey(x, key);
  X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(cn), -1, -1, 0);
  X509_set_issuer_name(x, X509_get_subject_name(issuer ? issuer : x));
  X509V3_CTX v3;
  X509V3_set_ctx(&v3, issuer ? issuer : x, x, nullptr, nullptr, 0);
  const char* bc = ca ? "critical,CA:TRUE" : "CA:FALSE";
  const char* ku = ca ? "critical,keyCertSign,cRLSign" : "critical,digitalSignature";
  for (auto [nid, value] : {std::pair{NID_basic_constraints, bc}, std::pair{NID_key_usage, ku}}) {
    X509_EXTENSION* e = X509V3_EXT_conf_nid(nullptr, &v3, nid, value);
    X509_add_ext(x, e, -1);
    X509_EXTENSION_free(e);
  }
  X509_sign(x, issuer_key, EVP_sha256());
  return x;
}

// The DER of x (x stays the caller's).
inline std::vector<std::uint8_t> der_of(const X509* x) {
  unsigned char* out = nullptr;
  const int len = i2d_X509(x, &out);
  std::vector<std::uint8_t> v(out, out + (len > 0 ? len : 0));
  OPENSSL_free(out);
  return v;
}

// The DER of x, then frees x.
inline std::vector<std::uint8_t> der_of_owned(X509* x) {
  auto v = der_of(x);
  X509_free(x);
  return v;
}

}  // namespace answerd::crypto::test
