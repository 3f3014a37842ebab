// Certificate revocation lists and the revocation check of a chain (see crl.h).
#include "ike/crypto/pki/crl.h"

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <ctime>
#include <string>

#include "ike/crypto/pki/pki_impl.h"

namespace answerd::crypto::pki {

using CrlPtr = std::unique_ptr<X509_CRL, ossl::Deleter<X509_CRL_free>>;
using BioPtr = std::unique_ptr<BIO, ossl::Deleter<BIO_free>>;

struct CrlImpl {
  CrlPtr crl;
};

namespace {
std::chrono::system_clock::time_point crl_time(const ASN1_TIME* t) {
  std::tm tm{};
  if (t == nullptr || ASN1_TIME_to_tm(t, &tm) != 1) return {};
  return std::chrono::system_clock::from_time_t(timegm(&tm));
}

// RFC 5280 5.2.3 cRLNumber, -1 when absent.
long crl_number(const X509_CRL* crl) {
  auto* n = static_cast<ASN1_INTEGER*>(X509_CRL_get_ext_d2i(crl, NID_crl_number, nullptr, nullptr));
  const long v = n != nullptr ? ASN1_INTEGER_get(n) : -1;
  ASN1_INTEGER_free(n);
  return v;
}

std::string utc_text(std::chrono::system_clock::time_point t) {
  const std::time_t tt = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S UTC", &tm);
  return buf;
}
}  // namespace

answerd::expected<Crl, PkiError> Crl::load(Bytes in, std::string_view name) {
  const std::string who(name);
  if (in.empty() || in.size() > INT32_MAX)
    return answerd::unexpected(PkiError{CryptoError::kBadEncoding, who + ": not a PEM or DER CRL"});
  const std::string_view text(reinterpret_cast<const char*>(in.data()), in.size());
  X509_CRL* raw = nullptr;
  if (text.find("-----BEGIN") != std::string_view::npos) {
    BioPtr bio(BIO_new_mem_buf(in.data(), static_cast<int>(in.size())));
    if (bio) raw = PEM_read_bio_X509_CRL(bio.get(), nullptr, [](char*, int, int, void*) { return -1; }, nullptr);
  } else {
    const unsigned char* p = in.data();
    raw = d2i_X509_CRL(nullptr, &p, static_cast<long>(in.size()));
    if (raw != nullptr && p != in.data() + in.size()) {
      X509_CRL_free(raw);
      raw = nullptr;
    }
  }
  ERR_clear_error();
  if (raw == nullptr) return answerd::unexpected(PkiError{CryptoError::kBadEncoding, who + ": not a PEM or DER CRL"});
  auto impl = std::make_shared<CrlImpl>();
  impl->crl.reset(raw);
  return Crl(std::move(impl));
}

answerd::expected<Crl, PkiError> Crl::load_file(const std::filesystem::path& path) {
  auto d = read_file(path);
  if (!d) return answerd::unexpected(d.error());
  return load(*d, path.string());
}

std::vector<std::uint8_t> Crl::issuer_der() const {
  unsigned char* out = nullptr;
  const int len = i2d_X509_NAME(X509_CRL_get_issuer(impl_->crl.get()), &out);
  if (len <= 0) return {};
  std::vector<std::uint8_t> v(out, out + len);
  OPENSSL_free(out);
  return v;
}
std::string Crl::issuer_text() const { return name_text(X509_CRL_get_issuer(impl_->crl.get())); }
std::chrono::system_clock::time_point Crl::this_update() const {
  return crl_time(X509_CRL_get0_lastUpdate(impl_->crl.get()));
}
std::optional<std::chrono::system_clock::time_point> Crl::next_update() const {
  const ASN1_TIME* t = X509_CRL_get0_nextUpdate(impl_->crl.get());
  if (t == nullptr) return std::nullopt;
  return crl_time(t);
}

bool Crl::newer_than(const Crl& o) const {
  if (this_update() != o.this_update()) return this_update() > o.this_update();
  return crl_number(impl_->crl.get()) > crl_number(o.impl_->crl.get());
}

bool Crl::signed_by(const Certificate& ca) const {
  X509* x = x509_of(ca);
  if (X509_NAME_cmp(X509_CRL_get_issuer(impl_->crl.get()), X509_get_subject_name(x)) != 0) return false;
  EVP_PKEY* key = X509_get0_pubkey(x);
  const bool ok = key != nullptr && X509_CRL_verify(impl_->crl.get(), key) == 1;
  ERR_clear_error();
  return ok;
}

bool Crl::lists(const Certificate& cert) const {
  X509_REVOKED* entry = nullptr;
  const int found = X509_CRL_get0_by_cert(impl_->crl.get(), &entry, x509_of(cert));
  ERR_clear_error();
  // 1: revoked; 2: listed with removeFromCRL (RFC 5280 5.3.1, delta CRLs): not revoked.
  return found == 1;
}

std::string serial_text(const Certificate& cert) {
  BIGNUM* bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(x509_of(cert)), nullptr);
  char* hex = bn != nullptr ? BN_bn2hex(bn) : nullptr;
  std::string out = hex != nullptr ? hex : "?";
  OPENSSL_free(hex);
  BN_free(bn);
  return out;
}

answerd::expected<void, PkiError> CrlSet::add(Crl crl, std::string_view name, const Certificate* issuer) {
  if (issuer != nullptr) {
    if (crl.issuer_der() != issuer->subject_der())
      return answerd::unexpected(PkiError{CryptoError::kCertificateUntrusted,
                                          std::string(name) + ": not issued by " + issuer->subject_text() +
                                              " (issuer " + crl.issuer_text() + ")"});
    if (!crl.signed_by(*issuer))
      return answerd::unexpected(PkiError{CryptoError::kCertificateUntrusted,
                                          std::string(name) + ": signature does not verify with " +
                                              issuer->subject_text() + "'s key"});
  }
  crls_.push_back(std::move(crl));
  return {};
}

void CrlSet::expect_crl(const Certificate& ca) {
  const KeyHash h = ca.key_hash();
  if (std::find(expected_.begin(), expected_.end(), h) == expected_.end()) expected_.push_back(h);
}

answerd::expected<void, PkiError> CrlSet::check(std::span<const Certificate> chain, RevocationPolicy policy,
                                                std::chrono::system_clock::time_point now) const {
  for (std::size_t i = 0; i + 1 < chain.size(); ++i) {
    const Certificate& cert = chain[i];
    const Certificate& issuer = chain[i + 1];
    const Crl* best = nullptr;  // the newest CRL of this issuer whose signature verifies
    for (const Crl& c : crls_)
      if (c.signed_by(issuer) && (best == nullptr || c.newer_than(*best))) best = &c;
    const std::string who = cert.subject_text() + " (serial " + serial_text(cert) + ")";
    if (best != nullptr && best->lists(cert))
      return answerd::unexpected(
          PkiError{CryptoError::kCertificateUntrusted, who + ": revoked by the CRL of " + issuer.subject_text(), true});
    constexpr auto kNever = std::chrono::system_clock::time_point::max();
    const auto next = best != nullptr ? best->next_update().value_or(kNever) : kNever;
    const bool current = best != nullptr && best->this_update() <= now && now < next;
    if (current || policy == RevocationPolicy::kRelaxed) continue;
    const bool configured =
        std::find(expected_.begin(), expected_.end(), issuer.key_hash()) != expected_.end();
    if (policy == RevocationPolicy::kIfUri && best == nullptr && !configured) continue;
    std::string why = best == nullptr ? "none loaded"
                      : now >= next ? "it expired " + utc_text(next)
                                             : "it is not valid before " + utc_text(best->this_update());
    return answerd::unexpected(PkiError{CryptoError::kCertificateUntrusted,
                                        who + ": no current CRL of " + issuer.subject_text() + " (" + why + ")"});
  }
  return {};
}

}  // namespace answerd::crypto::pki
