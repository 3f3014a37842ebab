// X.509 certificates (RFC 5280) for IKEv2 certificate authentication: loading from
// PEM/DER files or bytes, the DER of CERT payloads with encoding 4 "X.509
// Certificate - Signature" (RFC 7296 3.6) in and out, the certificate's public key,
// names and subjectAltNames, and the SHA-1 hash of its SubjectPublicKeyInfo that
// CERTREQ payloads carry (RFC 7296 3.7). Opaque handle, copies share the certificate.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "ike/crypto/errors.h"
#include "ike/crypto/pki/keys.h"
#include "util/expected.h"

namespace answerd::crypto::pki {

// SHA-1 of a DER SubjectPublicKeyInfo: a CERTREQ Certification Authority entry.
using KeyHash = std::array<std::uint8_t, 20>;

// One subjectAltName entry answerd matches IKE identities against (RFC 5280 4.2.1.6).
struct AltName {
  enum class Kind : std::uint8_t { kDns, kEmail, kIp, kDirName, kOther };
  Kind kind = Kind::kOther;
  std::vector<std::uint8_t> value{};  // text for DNS/email, 4/16 octets for IP, DER Name
};

struct CertImpl;

class Certificate {
 public:
  // CERT payload data with encoding 4: exactly one DER certificate, no trailing
  // bytes. kBadEncoding otherwise. The input is untrusted network data.
  // Identical bytes return the same shared parsed certificate from a process-wide,
  // bounded cache (parsing only: trust is checked by the caller every time).
  [[nodiscard]] static answerd::expected<Certificate, CryptoError> from_der(Bytes der);

  // The DER encoding (CERT payload data for encoding 4).
  [[nodiscard]] Bytes der() const;
  [[nodiscard]] PublicKey public_key() const;
  [[nodiscard]] std::vector<std::uint8_t> subject_der() const;  // DER Name
  [[nodiscard]] std::vector<std::uint8_t> issuer_der() const;
  // "C=CH, O=answerd test, CN=ca", as strongSwan prints DNs.
  [[nodiscard]] std::string subject_text() const;
  [[nodiscard]] std::string issuer_text() const;
  [[nodiscard]] std::vector<AltName> alt_names() const;
  [[nodiscard]] KeyHash key_hash() const;  // SHA-1(SubjectPublicKeyInfo DER)
  // The validity period (RFC 5280 4.1.2.5), for logs and expiry warnings.
  [[nodiscard]] std::chrono::system_clock::time_point not_before() const;
  [[nodiscard]] std::chrono::system_clock::time_point not_after() const;
  [[nodiscard]] bool is_ca() const;        // basicConstraints cA
  [[nodiscard]] bool self_signed() const;  // subject == issuer and self-verifying
  // Does `key` belong to this certificate (our cert vs our private key)?
  [[nodiscard]] bool matches(const PrivateKey& key) const;

  [[nodiscard]] const CertImpl& impl() const { return *impl_; }
  explicit Certificate(std::shared_ptr<const CertImpl> impl) : impl_(std::move(impl)) {}

 private:
  std::shared_ptr<const CertImpl> impl_;
};

// The cache behind Certificate::from_der: at most this many parsed certificates,
// least recently used out. Thread-safe.
inline constexpr std::size_t kParsedCacheCapacity = 256;
[[nodiscard]] std::size_t parsed_cache_size();
// Drops every cached entry (handles keep their certificates). Not needed on a
// configuration reload (the cache holds parsed bytes, not trust decisions); for
// tests and benchmarks.
void clear_parsed_cache();

// The first certificate of PEM or DER bytes; `name` prefixes error messages.
[[nodiscard]] answerd::expected<Certificate, PkiError> load_certificate(
    Bytes pem_or_der, std::string_view name = "certificate");
[[nodiscard]] answerd::expected<Certificate, PkiError> load_certificate_file(
    const std::filesystem::path& path);
// Every certificate of a PEM bundle (or the one of a DER file): CA files.
[[nodiscard]] answerd::expected<std::vector<Certificate>, PkiError> load_certificates(
    Bytes pem_or_der, std::string_view name = "certificates");
[[nodiscard]] answerd::expected<std::vector<Certificate>, PkiError> load_certificates_file(
    const std::filesystem::path& path);

}  // namespace answerd::crypto::pki
