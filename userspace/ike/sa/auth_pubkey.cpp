// PubkeyAuthenticator: the peer's AUTH against its CERT chain, ours with our key
// (see auth_pubkey.h). Credential loading is in auth_pubkey_load.cpp.
#include "ike/sa/auth_pubkey.h"

#include <algorithm>

#include "ike/crypto/pki/identity.h"
#include "ike/crypto/pki/peer_auth.h"
#include "ike/crypto/pki/signature.h"

namespace answerd::sa {
namespace pki = crypto::pki;
namespace {

using CertList = std::vector<std::pair<ike::CertEncoding, pki::Bytes>>;

// CERT (or CERTREQ) payloads of a request, in order (RFC 7296 3.6: the first CERT
// holds the end-entity certificate).
CertList cert_payloads(std::span<const ike::Payload> ps, ike::PayloadType type) {
  CertList out;
  for (const auto& p : ps)
    if (p.type == type)
      if (const auto* c = ike::body_of<ike::CertPayload>(p)) out.emplace_back(c->encoding, c->data);
  return out;
}

// The signer's ID payload from RestOfInitIDPayload (ID Type | RESERVED | data).
std::optional<pki::IkeId> ike_id(std::span<const std::uint8_t> id_body) {
  if (id_body.size() < 4) return std::nullopt;
  return pki::IkeId{.type = static_cast<ike::IdType>(id_body[0]), .data = id_body.subspan(4)};
}

expected<std::vector<std::uint8_t>, AuthError> octets_of(const AuthContext& c) {
  auto o = pki::signed_octets(c.prf, pki::SignedOctetsInput{.real_message = c.real_message, .peer_nonce = c.peer_nonce,
                                                            .sk_p = c.sk_p, .id_body = c.id_body});
  if (!o) return unexpected(AuthError("signed octets: " + std::string(crypto::to_string(o.error()))));
  return std::move(*o);
}

bool is_signature_method(ike::AuthMethod m) {
  using M = ike::AuthMethod;
  return m == M::kRsaSig || m == M::kDigitalSignature || m == M::kEcdsa256 || m == M::kEcdsa384 ||
         m == M::kEcdsa521;
}

bool is_pss(const pki::SignatureParams& p) {
  using S = pki::SignatureScheme;
  return p.scheme == S::kRsaPssSha256 || p.scheme == S::kRsaPssSha384 || p.scheme == S::kRsaPssSha512;
}

AuthVerified verified(const std::string& who, const pki::SignatureParams& p) {
  return AuthVerified{.detail = who + " with " + std::string(pki::to_string(p.scheme)), .rsa_pss = is_pss(p)};
}

}  // namespace

expected<AuthVerified, AuthError> PubkeyAuthenticator::verify(const AuthContext& peer,
                                                              const ike::AuthPayload& auth) const {
  if (!is_signature_method(auth.method))
    return unexpected(AuthError("AUTH method " + std::to_string(static_cast<int>(auth.method)) +
                                " where a signature is expected"));
  auto it = remote_.find(peer.conn);
  if (it == remote_.end()) return unexpected(AuthError("no trust anchors loaded for this connection"));
  const PubkeyRemote& r = it->second;
  const CertList certs = cert_payloads(peer.request, ike::PayloadType::kCert);
  if (!r.trust || certs.empty()) return verify_without_ca(r, peer, auth);
  auto octets = octets_of(peer);
  if (!octets) return unexpected(octets.error());
  // RFC 7296 2.15 / RFC 7427: chain at the wall clock's time, its revocation
  // (RFC 5280 6.3), IDi in the end entity, then the signature with its key.
  auto v = pki::verify_peer(*r.trust, pki::PeerCertAuth{.certs = certs,
                                                         .id = ike_id(peer.id_body),
                                                         .method = auth.method,
                                                         .auth_data = auth.data,
                                                         .signed_octets = *octets,
                                                         .now = clock_(),
                                                         .crls = &crls_,
                                                         .revocation = r.revocation});
  if (!v) {
    // A pinned certificate (remote certs) is accepted without a chain, never a revoked one.
    if (!r.pinned.empty() && !v.error().revoked) return verify_without_ca(r, peer, auth);
    return unexpected(AuthError(v.error().message));
  }
  return verified(v->end_entity.subject_text(), v->signature);
}

// Pinned peer certificates (remote `certs`) and raw keys (`pubkeys`): the AUTH must
// verify with one of them; a certificate also binds the IDi. A CERT the peer sent
// must be one of the pinned ones.
expected<AuthVerified, AuthError> PubkeyAuthenticator::verify_without_ca(const PubkeyRemote& r,
                                                                         const AuthContext& peer,
                                                                         const ike::AuthPayload& auth) const {
  if (r.pinned.empty() && r.pubkeys.empty())
    return unexpected(AuthError("the peer sent no certificate (CERT payload)"));
  auto octets = octets_of(peer);
  if (!octets) return unexpected(octets.error());
  const CertList certs = cert_payloads(peer.request, ike::PayloadType::kCert);
  std::optional<pki::Certificate> sent;
  for (const auto& [enc, data] : certs)
    if (enc == ike::CertEncoding::kX509Signature) {
      auto c = pki::Certificate::from_der(data);
      if (!c) return unexpected(AuthError("CERT payload: not a DER X.509 certificate"));
      sent = std::move(*c);
      break;
    }
  const auto id = ike_id(peer.id_body);
  AuthError why = "no configured certificate or public key verifies the AUTH";
  for (const auto& c : r.pinned) {
    if (sent && !std::ranges::equal(sent->der(), c.der())) continue;
    if (auto ok = pki::check_identity(c, id); !ok) {
      why = c.subject_text() + ": peer ID not in certificate";
      continue;
    }
    auto s = pki::verify_auth(c.public_key(), auth.method, auth.data, *octets);
    if (s) return verified(c.subject_text(), *s);
    why = c.subject_text() + ": " + std::string(crypto::to_string(s.error()));
  }
  for (const auto& k : r.pubkeys) {
    auto s = pki::verify_auth(k, auth.method, auth.data, *octets);
    if (s) return verified("raw " + std::string(pki::to_string(k.type())) + " key", *s);
    why = "raw public key: " + std::string(crypto::to_string(s.error()));
  }
  if (sent && r.pubkeys.empty()) why = sent->subject_text() + ": certificate not trusted (no CA, not pinned)";
  return unexpected(why);
}

expected<ike::AuthPayload, AuthError> PubkeyAuthenticator::build(const AuthContext& self) const {
  auto it = local_.find(self.conn);
  if (it == local_.end() || !it->second.key) return unexpected(AuthError("no private key for this connection"));
  const pki::PrivateKey& key = *it->second.key;
  // RFC 7427 4: method 14 with a hash the peer announced, else the classic method.
  auto choice = pki::choose_signature(key.type(), self.peer_hashes, self.rsa_pss);
  if (!choice) {
    return unexpected(AuthError("no signature scheme for our " + std::string(pki::to_string(key.type())) +
                                " key that the peer supports"));
  }
  auto octets = octets_of(self);
  if (!octets) return unexpected(octets.error());
  auto sig = pki::sign_auth(key, *choice, *octets);
  if (!sig) return unexpected(AuthError("signing: " + std::string(crypto::to_string(sig.error()))));
  return ike::AuthPayload{choice->method, std::move(*sig)};
}

// RFC 7296 3.6/3.7 and strongSwan's send_cert: ifasked sends our chain when the peer
// sent any CERTREQ, always sends it anyway, never sends nothing. Which certificates:
// ours and the intermediates up to a CA the peer names (pki::select_certs).
std::vector<ike::Payload> PubkeyAuthenticator::certificates(const AuthContext& self) const {
  if (self.conn == nullptr || self.conn->send_cert == config::SendCert::kNever) return {};
  auto it = local_.find(self.conn);
  if (it == local_.end() || it->second.chain.empty()) return {};
  const CertList reqs = cert_payloads(self.request, ike::PayloadType::kCertreq);
  if (reqs.empty() && self.conn->send_cert == config::SendCert::kIfAsked) return {};
  std::vector<pki::KeyHash> wanted;
  for (const auto& [enc, data] : reqs)
    if (enc == ike::CertEncoding::kX509Signature)
      if (auto h = pki::parse_certreq(data)) wanted.insert(wanted.end(), h->begin(), h->end());
  const auto& chain = it->second.chain;
  const auto sel = pki::select_certs(chain, wanted);
  const std::size_t n = std::clamp<std::size_t>(sel.count, 1, chain.size());
  std::vector<ike::Payload> out;
  for (std::size_t i = 0; i < n; ++i) {
    const auto der = chain[i].der();
    out.push_back(ike::make_payload(ike::PayloadType::kCert,
                                    ike::CertPayload{ike::CertEncoding::kX509Signature, ike::Bytes(der.begin(), der.end())}));
  }
  return out;
}

// A local id of %any or a DN goes out as our certificate's subject (ID_DER_ASN1_DN),
// as strongSwan sends it; other ids were checked against the certificate at load.
std::optional<ike::IdPayload> PubkeyAuthenticator::own_id(const config::Connection& conn) const {
  auto it = local_.find(&conn);
  if (it == local_.end() || it->second.chain.empty() || conn.local.empty()) return std::nullopt;
  const auto kind = conn.local.front().id.kind;
  if (kind != config::Identity::Kind::kAny && kind != config::Identity::Kind::kDn) return std::nullopt;
  return ike::IdPayload{ike::IdType::kDerAsn1Dn, it->second.chain.front().subject_der()};
}

// RFC 7296 3.7: SHA-1 hashes of our CAs' public keys, so the peer picks its chain.
std::optional<ike::Payload> PubkeyAuthenticator::certreq(const config::Connection& conn) const {
  if (!conn.send_certreq) return std::nullopt;
  auto it = remote_.find(&conn);
  if (it == remote_.end() || !it->second.trust) return std::nullopt;
  return ike::make_payload(ike::PayloadType::kCertreq,
                           ike::CertPayload{ike::CertEncoding::kX509Signature, it->second.trust->certreq_data()});
}

}  // namespace answerd::sa
