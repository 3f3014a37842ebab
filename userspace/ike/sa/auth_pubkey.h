// Public key (certificate) authentication in IKE_AUTH (RFC 7296 2.15, 3.6-3.8;
// RFC 7427 digital signatures; RFC 4754 ECDSA) as an Authenticator for
// `auth = pubkey`. It owns the credentials the config's pubkey rounds name, loaded
// once by load(): per connection our certificate chain and private key (local
// round) and the peer's trust anchors (remote round: `cacerts`, pinned peer `certs`,
// raw `pubkeys`, else every `authorities` CA), and the CRLs of `authorities`
// crl_uris and x509ca/'s sibling x509crl/. Encrypted key files are decrypted with
// the passphrases of `secrets`. The checks themselves are crypto/pki's: chain to a
// CA at the wall clock's time, revocation of every chain certificate but the anchor
// under the round's `revocation` policy, IDi bound to the end-entity certificate,
// AUTH signature over the signed octets. Our side: the signature scheme from the peer's
// SIGNATURE_HASH_ALGORITHMS, CERT payloads per `send_cert` and the peer's CERTREQ,
// a CERTREQ of our CAs for the IKE_SA_INIT response per `send_certreq`.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "ike/crypto/pki/keys.h"
#include "ike/crypto/pki/trust.h"
#include "ike/crypto/pki/x509.h"
#include "ike/sa/authenticator.h"

namespace answerd::sa {

// Credentials of one connection, from its config files.
struct PubkeyLocal {
  std::vector<crypto::pki::Certificate> chain{};  // our certificate, then its issuers
  std::shared_ptr<const crypto::pki::PrivateKey> key{};
};
struct PubkeyRemote {
  std::optional<crypto::pki::TrustStore> trust{};         // cacerts
  std::vector<crypto::pki::Certificate> pinned{};         // certs: accepted as they are
  std::vector<crypto::pki::PublicKey> pubkeys{};          // raw public keys
  crypto::pki::RevocationPolicy revocation = crypto::pki::RevocationPolicy::kRelaxed;
};

class PubkeyAuthenticator final : public Authenticator {
 public:
  using WallClock = std::function<std::chrono::system_clock::time_point()>;

  // Loads every certificate, key and CA file of the config's `auth = pubkey`
  // rounds and checks that they fit together (our key belongs to our certificate,
  // our id is in it, CA files hold CA certificates), decrypts encrypted keys and
  // loads every CRL (its signature must verify with its CA). Errors are
  // "file:line: connections.NAME.ROUND: PATH: reason" (or secrets.NAME /
  // authorities.NAME), one per problem; never a passphrase.
  [[nodiscard]] static expected<std::unique_ptr<PubkeyAuthenticator>, std::vector<std::string>> load(
      std::shared_ptr<const config::Config> cfg, WallClock clock = [] { return std::chrono::system_clock::now(); });

  [[nodiscard]] config::AuthMethod method() const override { return config::AuthMethod::kPubkey; }
  [[nodiscard]] expected<AuthVerified, AuthError> verify(const AuthContext& peer,
                                                         const ike::AuthPayload& auth) const override;
  [[nodiscard]] expected<ike::AuthPayload, AuthError> build(const AuthContext& self) const override;
  [[nodiscard]] std::vector<ike::Payload> certificates(const AuthContext& self) const override;
  [[nodiscard]] std::optional<ike::IdPayload> own_id(const config::Connection& conn) const override;
  [[nodiscard]] std::optional<ike::Payload> certreq(const config::Connection& conn) const override;

  // How many connections have our credentials / peer trust anchors loaded.
  [[nodiscard]] std::size_t local_count() const { return local_.size(); }
  [[nodiscard]] std::size_t remote_count() const { return remote_.size(); }
  // How many CRLs were loaded (authorities crl_uris and x509crl/).
  [[nodiscard]] std::size_t crl_count() const { return crls_.size(); }

 private:
  PubkeyAuthenticator(std::shared_ptr<const config::Config> cfg, WallClock clock)
      : cfg_(std::move(cfg)), clock_(std::move(clock)) {}
  [[nodiscard]] expected<AuthVerified, AuthError> verify_without_ca(const PubkeyRemote& r, const AuthContext& peer,
                                                                    const ike::AuthPayload& auth) const;

  std::shared_ptr<const config::Config> cfg_;  // the connections below point into it
  WallClock clock_;
  std::map<const config::Connection*, PubkeyLocal> local_{};
  std::map<const config::Connection*, PubkeyRemote> remote_{};
  crypto::pki::CrlSet crls_{};
};

}  // namespace answerd::sa
