// Trust in peer certificates (RFC 7296 2.15, 3.6, 3.7; RFC 5280 6): the configured
// CA certificates (`cacerts`) as an OpenSSL X509_STORE, verification of a peer's
// end-entity certificate with the intermediates it sent in CERT payloads at an
// injected time, the CERTREQ Certification Authority data we send (SHA-1 of each
// CA's SubjectPublicKeyInfo) and which of our certificates answer a received CERTREQ.
// Revocation: certificate revocation lists (RFC 5280 5) loaded from files by the
// operator (answerd fetches nothing, checks no OCSP), checked for every certificate
// of a validated chain but its trust anchor under strongSwan's three policies.
#pragma once

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <span>
#include <vector>

#include "ike/crypto/errors.h"
#include "ike/crypto/pki/keys.h"
#include "ike/crypto/pki/x509.h"
#include "util/expected.h"

namespace answerd::crypto::pki {

struct TrustStoreImpl;

class TrustStore {
 public:
  // kBadEncoding when a "CA" is not a CA certificate (basicConstraints cA) or the
  // list is empty; message names the certificate's subject.
  [[nodiscard]] static answerd::expected<TrustStore, PkiError> create(std::vector<Certificate> cas);

  // Path validation of `end_entity` through `intermediates` (any order, untrusted)
  // to one of our CAs at time `now`: signatures, validity periods, basicConstraints
  // and pathLen, keyUsage of CAs (keyCertSign), the end entity's keyUsage if present
  // must allow digitalSignature, at most 8 intermediates. kCertificateExpired when
  // a chain certificate is outside its validity, kCertificateUntrusted otherwise;
  // message has OpenSSL's reason and the failing certificate's subject.
  [[nodiscard]] answerd::expected<void, PkiError> verify(
      const Certificate& end_entity, std::span<const Certificate> intermediates,
      std::chrono::system_clock::time_point now) const;
  // As verify(), returning the validated chain: `end_entity` first, the trust
  // anchor (one of our CAs) last.
  [[nodiscard]] answerd::expected<std::vector<Certificate>, PkiError> verify_chain(
      const Certificate& end_entity, std::span<const Certificate> intermediates,
      std::chrono::system_clock::time_point now) const;

  [[nodiscard]] std::span<const Certificate> cas() const;
  // RFC 7296 3.7: the CERTREQ Certification Authority field for encoding 4, the
  // concatenated 20-octet SHA-1 hashes of our CAs' SubjectPublicKeyInfo.
  [[nodiscard]] std::vector<std::uint8_t> certreq_data() const;

  explicit TrustStore(std::shared_ptr<const TrustStoreImpl> impl) : impl_(std::move(impl)) {}

 private:
  std::shared_ptr<const TrustStoreImpl> impl_;
};

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

// The 20-octet hashes of a received CERTREQ's Certification Authority field;
// kBadEncoding when its length is not a multiple of 20 (an empty field is valid).
[[nodiscard]] answerd::expected<std::vector<KeyHash>, CryptoError> parse_certreq(Bytes ca_field);

// Which of our certificates to send in CERT payloads for a peer's CERTREQ hashes.
// `chain` is our end-entity certificate first, then its issuers in order (the root
// may be included). `count` is how many leading certificates to send: up to, not
// including, the first chain certificate whose key the peer names (the peer trusts
// it); self-signed roots are never counted. `matched` says whether the peer named a
// CA of our chain at all (when not, count covers the whole chain minus the root).
struct CertSelection {
  bool matched = false;
  std::size_t count = 0;
};
[[nodiscard]] CertSelection select_certs(std::span<const Certificate> chain,
                                         std::span<const KeyHash> requested);

}  // namespace answerd::crypto::pki
