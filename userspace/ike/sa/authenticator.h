// Pluggable IKE_AUTH authentication (RFC 7296 2.15): one Authenticator per config
// auth method. The IKE_AUTH task looks up the one for the connection's remote round
// to verify the peer's AUTH and the one for the local round to build ours, so that
// certificate/signature authentication (RFC 7427) plugs in next to PSK without
// touching the exchange logic (auth_pubkey.h is the certificate one). Also: IDi/IDr
// payloads <-> config identities.
#pragma once

#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "config/config.h"
#include "ike/wire/payloads.h"
#include "util/expected.h"

namespace answerd::sa {

// Everything a signer's AUTH value covers (RFC 7296 2.15), from the signer's side.
struct AuthContext {
  ike::PrfId prf = ike::PrfId::kHmacSha2_256;
  std::span<const std::uint8_t> real_message{};  // the signer's IKE_SA_INIT message
  std::span<const std::uint8_t> peer_nonce{};    // the other side's nonce data
  std::span<const std::uint8_t> sk_p{};          // signer's SK_pi / SK_pr
  std::span<const std::uint8_t> id_body{};       // signer's ID payload body
  const config::Connection* conn = nullptr;
  const config::Identity* local_id = nullptr;    // our identity
  const config::Identity* remote_id = nullptr;   // the peer's identity
  // The IKE_AUTH request's payloads: the peer's CERTs (verify), its CERTREQs (build).
  std::span<const ike::Payload> request{};
  // The initiator's SIGNATURE_HASH_ALGORITHMS from IKE_SA_INIT (RFC 7427 4).
  std::span<const ike::HashAlgorithm> peer_hashes{};
  bool rsa_pss = false;  // the peer signed with RSASSA-PSS: an RSA key of ours answers in kind
};

// A verified peer: what to log, and what our signature should mirror.
struct AuthVerified {
  std::string detail{};  // e.g. "C=CH, O=x, CN=spoke with ECDSA_WITH_SHA256_DER"
  bool rsa_pss = false;
};

// Why authentication failed, for the log (never secret material).
using AuthError = std::string;

class Authenticator {
 public:
  virtual ~Authenticator() = default;
  [[nodiscard]] virtual config::AuthMethod method() const = 0;
  // The initiator's AUTH payload (context from the initiator's side).
  [[nodiscard]] virtual expected<AuthVerified, AuthError> verify(const AuthContext& peer,
                                                                 const ike::AuthPayload& auth) const = 0;
  // Our AUTH payload (context from our side).
  [[nodiscard]] virtual expected<ike::AuthPayload, AuthError> build(const AuthContext& self) const = 0;
  // CERT payloads that precede our AUTH (RFC 7296 3.6), after the peer's CERTREQs.
  [[nodiscard]] virtual std::vector<ike::Payload> certificates(const AuthContext&) const { return {}; }
  // Our IDr when this method decides it (a certificate's subject DN), else nullopt.
  [[nodiscard]] virtual std::optional<ike::IdPayload> own_id(const config::Connection&) const {
    return std::nullopt;
  }
  // The CERTREQ for our IKE_SA_INIT response (RFC 7296 3.7), if any.
  [[nodiscard]] virtual std::optional<ike::Payload> certreq(const config::Connection&) const {
    return std::nullopt;
  }
};

// Pre-shared keys from the config's `secrets` (ike<suffix> sections): the secret
// whose id list best matches our and the peer's identity, as strongSwan picks it.
class PskAuthenticator final : public Authenticator {
 public:
  explicit PskAuthenticator(std::shared_ptr<const config::Config> cfg) : cfg_(std::move(cfg)) {}
  [[nodiscard]] config::AuthMethod method() const override { return config::AuthMethod::kPsk; }
  [[nodiscard]] expected<AuthVerified, AuthError> verify(const AuthContext& peer,
                                                         const ike::AuthPayload& auth) const override;
  [[nodiscard]] expected<ike::AuthPayload, AuthError> build(const AuthContext& self) const override;

 private:
  std::shared_ptr<const config::Config> cfg_;
};

// The secret for the pair (local, remote), or nullptr.
[[nodiscard]] const config::Secret* find_psk(const config::Config& cfg, const config::Identity& local,
                                             const config::Identity& remote);

// An ID payload as a config identity (nullopt for types answerd does not match on,
// or an undecodable DN).
[[nodiscard]] std::optional<config::Identity> identity_from_wire(const ike::IdPayload& id);
// Our ID payload: the configured identity, or our IKE address when it is %any.
[[nodiscard]] ike::IdPayload identity_to_wire(const config::Identity& id, const config::IpAddress& fallback);
[[nodiscard]] std::string identity_text(const ike::IdPayload& id);

}  // namespace answerd::sa
