// Certificate revocation (RFC 5280 5, 6.3): certificate revocation lists loaded
// from files by the operator (answerd fetches nothing, checks no OCSP), the set of
// loaded CRLs and which CAs are expected to have one, and the check of every
// certificate of a validated chain but its trust anchor under strongSwan's three
// revocation policies. Path validation itself is trust.h's.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ike/crypto/errors.h"
#include "ike/crypto/pki/keys.h"
#include "ike/crypto/pki/x509.h"
#include "util/expected.h"

namespace answerd::crypto::pki {

struct CrlImpl;

// A certificate revocation list (RFC 5280 5.1), PEM or DER. Opaque, copies share it.
class Crl {
 public:
  // kBadEncoding "NAME: not a PEM or DER CRL" for anything else (operator files are
  // parsed as untrusted input: garbage fails cleanly).
  [[nodiscard]] static answerd::expected<Crl, PkiError> load(Bytes pem_or_der, std::string_view name = "CRL");
  [[nodiscard]] static answerd::expected<Crl, PkiError> load_file(const std::filesystem::path& path);

  [[nodiscard]] std::vector<std::uint8_t> issuer_der() const;  // DER Name
  [[nodiscard]] std::string issuer_text() const;
  [[nodiscard]] std::chrono::system_clock::time_point this_update() const;
  // nextUpdate (RFC 5280 5.1.2.5); nullopt when the CRL has none.
  [[nodiscard]] std::optional<std::chrono::system_clock::time_point> next_update() const;
  // `ca` is the CRL's issuer (names equal) and the CRL's signature verifies with its key.
  [[nodiscard]] bool signed_by(const Certificate& ca) const;
  // Issued later: thisUpdate, then cRLNumber (RFC 5280 5.2.3) when issued the same second.
  [[nodiscard]] bool newer_than(const Crl& other) const;
  // The certificate's serial number is among the revoked ones.
  [[nodiscard]] bool lists(const Certificate& cert) const;

  [[nodiscard]] const CrlImpl& impl() const { return *impl_; }
  explicit Crl(std::shared_ptr<const CrlImpl> impl) : impl_(std::move(impl)) {}

 private:
  std::shared_ptr<const CrlImpl> impl_;
};

// strongSwan's `revocation` of a remote authentication round.
enum class RevocationPolicy : std::uint8_t {
  kRelaxed,  // fail only when a CRL of the issuer lists the certificate
  kIfUri,    // also when the issuer has a CRL configured that is expired or not loaded
  kStrict,   // fail unless a current CRL of the issuer says the certificate is good
};

// The loaded CRLs and which CAs are expected to have one (authorities crl_uris).
class CrlSet {
 public:
  // `issuer`: the CA the CRL is configured for; then the CRL must be issued and
  // signed by it (kCertificateUntrusted "NAME: not issued by SUBJECT" / "NAME:
  // signature does not verify with SUBJECT's key"). Without it the signature is
  // checked against the chain's issuer when the CRL is used.
  [[nodiscard]] answerd::expected<void, PkiError> add(Crl crl, std::string_view name,
                                                      const Certificate* issuer = nullptr);
  // `ca` has a CRL configured: kIfUri fails its certificates when none is current.
  void expect_crl(const Certificate& ca);

  // Checks chain[0 .. size-2], each against the CRLs of chain[i+1], under `policy`
  // at `now`. kCertificateUntrusted with "SUBJECT (serial HEX): revoked by the CRL
  // of ISSUER" or "SUBJECT (serial HEX): no current CRL of ISSUER (...)".
  [[nodiscard]] answerd::expected<void, PkiError> check(std::span<const Certificate> chain,
                                                        RevocationPolicy policy,
                                                        std::chrono::system_clock::time_point now) const;
  [[nodiscard]] std::size_t size() const { return crls_.size(); }

 private:
  std::vector<Crl> crls_{};
  std::vector<KeyHash> expected_{};  // key hashes of CAs with a configured CRL
};

// Upper-case hex serial number of a certificate, as strongSwan logs it ("1A:2B" style
// without colons).
[[nodiscard]] std::string serial_text(const Certificate& cert);

}  // namespace answerd::crypto::pki
