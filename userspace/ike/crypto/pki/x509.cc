// X.509 certificate handles (see x509.h).
#include "ike/crypto/pki/x509.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <ctime>

#include "ike/crypto/pki/pki_impl.h"

namespace answerd::crypto::pki {

namespace {

using BioPtr = std::unique_ptr<BIO, ossl::Deleter<BIO_free>>;
using GeneralNames = std::unique_ptr<GENERAL_NAMES, ossl::Deleter<GENERAL_NAMES_free>>;

bool is_pem(Bytes in) {
  const std::string_view s(reinterpret_cast<const char*>(in.data()), in.size());
  return s.find("-----BEGIN") != std::string_view::npos;
}

PkiError error(CryptoError code, std::string_view name, std::string_view reason) {
  ERR_clear_error();
  return {code, std::string(name) + ": " + std::string(reason)};
}

std::vector<std::uint8_t> name_der(const X509_NAME* n) {
  unsigned char* out = nullptr;
  const int len = i2d_X509_NAME(n, &out);
  if (len <= 0) return {};
  std::vector<std::uint8_t> v(out, out + len);
  OPENSSL_free(out);
  return v;
}

std::chrono::system_clock::time_point to_time_point(const ASN1_TIME* t) {
  std::tm tm{};
  if (!t || ASN1_TIME_to_tm(t, &tm) != 1) return {};
  return std::chrono::system_clock::from_time_t(timegm(&tm));
}

// Takes ownership of x (may be null) and records its DER.
answerd::expected<Certificate, CryptoError> wrap(X509* x) {
  X509Ptr cert(x);
  if (!cert) return answerd::unexpected(CryptoError::kBadEncoding);
  auto impl = std::make_shared<CertImpl>();
  unsigned char* out = nullptr;
  const int len = i2d_X509(cert.get(), &out);
  if (len <= 0) return answerd::unexpected(CryptoError::kBadEncoding);
  impl->der.assign(out, out + len);
  OPENSSL_free(out);
  impl->x509 = std::move(cert);
  return Certificate(std::move(impl));
}

}  // namespace

X509* x509_of(const Certificate& c) { return c.impl().x509.get(); }

std::string name_text(const X509_NAME* n) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio) return {};
  // strongSwan's form: "C=CH, O=Org, CN=name" (no spaces around '=').
  const unsigned long flags = XN_FLAG_ONELINE & ~XN_FLAG_SPC_EQ;
  if (X509_NAME_print_ex(bio.get(), n, 0, flags) < 0) return {};
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio.get(), &data);
  return len > 0 ? std::string(data, static_cast<std::size_t>(len)) : std::string();
}


answerd::expected<Certificate, CryptoError> Certificate::from_der(Bytes der) {
  if (der.empty() || der.size() > 65535) return answerd::unexpected(CryptoError::kBadEncoding);
  const unsigned char* p = der.data();
  X509Ptr x(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
  ERR_clear_error();
  if (!x || p != der.data() + der.size()) return answerd::unexpected(CryptoError::kBadEncoding);
  // Keep the bytes exactly as received (what the peer sent and the issuer signed).
  auto impl = std::make_shared<CertImpl>();
  impl->x509 = std::move(x);
  impl->der.assign(der.begin(), der.end());
  return Certificate(std::move(impl));
}

Bytes Certificate::der() const { return impl_->der; }

PublicKey Certificate::public_key() const {
  auto impl = std::make_shared<KeyImpl>();
  impl->type = KeyType::kUnsupported;
  impl->pkey.reset(X509_get_pubkey(impl_->x509.get()));  // counted reference
  if (impl->pkey) impl->type = key_type_of(impl->pkey.get()).value_or(KeyType::kUnsupported);
  return PublicKey(std::move(impl));
}

std::vector<std::uint8_t> Certificate::subject_der() const {
  return name_der(X509_get_subject_name(impl_->x509.get()));
}
std::vector<std::uint8_t> Certificate::issuer_der() const {
  return name_der(X509_get_issuer_name(impl_->x509.get()));
}
std::string Certificate::subject_text() const {
  return name_text(X509_get_subject_name(impl_->x509.get()));
}
std::string Certificate::issuer_text() const {
  return name_text(X509_get_issuer_name(impl_->x509.get()));
}

std::vector<AltName> Certificate::alt_names() const {
  std::vector<AltName> out;
  GeneralNames names(static_cast<GENERAL_NAMES*>(
      X509_get_ext_d2i(impl_->x509.get(), NID_subject_alt_name, nullptr, nullptr)));
  ERR_clear_error();
  if (!names) return out;
  for (int i = 0; i < sk_GENERAL_NAME_num(names.get()); ++i) {
    const GENERAL_NAME* g = sk_GENERAL_NAME_value(names.get(), i);
    AltName a;
    const ASN1_STRING* s = nullptr;
    switch (g->type) {
      case GEN_DNS: a.kind = AltName::Kind::kDns; s = g->d.dNSName; break;
      case GEN_EMAIL: a.kind = AltName::Kind::kEmail; s = g->d.rfc822Name; break;
      case GEN_IPADD: a.kind = AltName::Kind::kIp; s = g->d.iPAddress; break;
      case GEN_DIRNAME: a.kind = AltName::Kind::kDirName; a.value = name_der(g->d.directoryName); break;
      default: continue;
    }
    if (s) {
      const unsigned char* d = ASN1_STRING_get0_data(s);
      a.value.assign(d, d + ASN1_STRING_length(s));
    }
    out.push_back(std::move(a));
  }
  return out;
}

KeyHash Certificate::key_hash() const {
  KeyHash h{};
  unsigned char* spki = nullptr;
  const int len = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(impl_->x509.get()), &spki);
  if (len > 0) {
    unsigned int out_len = 0;
    EVP_Digest(spki, static_cast<std::size_t>(len), h.data(), &out_len, ossl::md_sha1(), nullptr);
  }
  OPENSSL_free(spki);
  return h;
}

std::chrono::system_clock::time_point Certificate::not_before() const {
  return to_time_point(X509_get0_notBefore(impl_->x509.get()));
}
std::chrono::system_clock::time_point Certificate::not_after() const {
  return to_time_point(X509_get0_notAfter(impl_->x509.get()));
}

bool Certificate::is_ca() const {
  return (X509_get_extension_flags(impl_->x509.get()) & EXFLAG_CA) != 0;
}

bool Certificate::self_signed() const { return X509_self_signed(impl_->x509.get(), 1) == 1; }

bool Certificate::matches(const PrivateKey& key) const {
  return X509_check_private_key(impl_->x509.get(), pkey_of(key)) == 1 || (ERR_clear_error(), false);
}

answerd::expected<std::vector<Certificate>, PkiError> load_certificates(Bytes in, std::string_view name) {
  std::vector<Certificate> out;
  if (in.empty()) return answerd::unexpected(error(CryptoError::kBadEncoding, name, "empty"));
  if (in.size() > INT32_MAX) return answerd::unexpected(error(CryptoError::kBadEncoding, name, "too large"));
  if (!is_pem(in)) {
    auto c = Certificate::from_der(in);
    if (!c) return answerd::unexpected(error(c.error(), name, "not a PEM or DER X.509 certificate"));
    out.push_back(std::move(*c));
    return out;
  }
  BioPtr bio(BIO_new_mem_buf(in.data(), static_cast<int>(in.size())));
  if (!bio) return answerd::unexpected(error(CryptoError::kInternal, name, "out of memory"));
  while (X509* x = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) {
    auto c = wrap(x);
    if (!c) return answerd::unexpected(error(c.error(), name, "certificate does not re-encode"));
    out.push_back(std::move(*c));
  }
  const unsigned long err = ERR_peek_last_error();
  // The loop ends with "no start line" at the end of the input; anything else is broken PEM.
  if (out.empty() || (err && ERR_GET_REASON(err) != PEM_R_NO_START_LINE))
    return answerd::unexpected(error(CryptoError::kBadEncoding, name,
                                     out.empty() ? "no PEM certificate" : "broken PEM certificate"));
  ERR_clear_error();
  return out;
}

answerd::expected<Certificate, PkiError> load_certificate(Bytes in, std::string_view name) {
  auto all = load_certificates(in, name);
  if (!all) return answerd::unexpected(all.error());
  return std::move(all->front());
}

answerd::expected<std::vector<Certificate>, PkiError> load_certificates_file(
    const std::filesystem::path& path) {
  auto d = read_file(path);
  if (!d) return answerd::unexpected(d.error());
  return load_certificates(*d, path.string());
}

answerd::expected<Certificate, PkiError> load_certificate_file(const std::filesystem::path& path) {
  auto d = read_file(path);
  if (!d) return answerd::unexpected(d.error());
  return load_certificate(*d, path.string());
}

}  // namespace answerd::crypto::pki
