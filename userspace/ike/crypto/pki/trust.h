// Trust in peer certificates (RFC 7296 2.15, 3.6, 3.7; RFC 5280 6): the configured
// CA certificates (`cacerts`) as an OpenSSL X509_STORE, verification of a peer's
// end-entity certificate with the intermediates it sent in CERT payloads at an
// injected time, the CERTREQ Certification Authority data we send (SHA-1 of each
// CA's SubjectPublicKeyInfo) and which of our certificates answer a received CERTREQ.
// Revocation (Crl, CrlSet, RevocationPolicy) is crl.h's, included here for users
// that check a validated chain's revocation after TrustStore::verify_chain.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <span>
#include <vector>

#include "ike/crypto/errors.h"
#include "ike/crypto/pki/crl.h"
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
