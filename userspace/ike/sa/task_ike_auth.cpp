// IKE_AUTH (RFC 7296 1.2, 2.15) with the first Child SA (or none, RFC 6023):
//   --> HDR, SK { IDi, [CERT,] [CERTREQ,] [IDr,] AUTH, [N(INITIAL_CONTACT),]
//                 [N(USE_TRANSPORT_MODE),] SAi2, TSi, TSr }
//   <-- HDR, SK { IDr, [CERT,] AUTH, N(AUTH_LIFETIME), [N(USE_TRANSPORT_MODE),] SAr2, TSi, TSr }
//   <-- HDR, SK { N(AUTHENTICATION_FAILED) }   (and the half-open SA is deleted)
#include "ike/sa/engine_impl.h"
#include "ike/wire/notify_data.h"

namespace answerd::sa {
namespace {

const ike::IdPayload* id_of(const std::vector<ike::Payload>& ps, ike::PayloadType t) {
  const auto* p = ike::find_payload(ps, t);
  return p == nullptr ? nullptr : ike::body_of<ike::IdPayload>(*p);
}

}  // namespace

const config::Connection* Engine::find_connection(const IkeSa& sa, const config::Identity& idi,
                                                  const std::optional<config::Identity>& idr) const {
  for (const auto* c : candidates(sa.local, sa.remote)) {
    if (c->remote.empty() || c->local.empty()) continue;
    if (!config::matches(c->remote.front().id, idi)) continue;
    if (idr && !config::matches(c->local.front().id, *idr)) continue;
    if (!auth_.contains(c->remote.front().auth) || !auth_.contains(c->local.front().auth)) continue;
    return c;
  }
  return nullptr;
}

void Engine::ike_auth(Output& out, IkeSa& sa, const Request& req, TimePoint now) {
  ++stats_.ike_auth;
  auto fail = [&](const std::string& why) {
    ++stats_.auth_failed;
    log("IKE_SA #" + std::to_string(sa.id) + " authentication failed: " + why);
    respond(out, sa, req, {ike::make_notify(ike::NotifyType::kAuthenticationFailed)});
    remove_sa(sa, "authentication failed");
  };
  const auto* idi_p = id_of(req.payloads, ike::PayloadType::kIdi);
  const auto* idr_p = id_of(req.payloads, ike::PayloadType::kIdr);
  const auto* auth_p = ike::find_payload(req.payloads, ike::PayloadType::kAuth);
  if (idi_p == nullptr || auth_p == nullptr) return fail("no IDi or AUTH (EAP is not offered)");
  const auto idi = identity_from_wire(*idi_p);
  if (!idi) return fail("unsupported IDi type");
  std::optional<config::Identity> idr;
  if (idr_p != nullptr) idr = identity_from_wire(*idr_p);
  const config::Connection* conn = find_connection(sa, *idi, idr);
  if (conn == nullptr) return fail("no connection for identity '" + idi->text + "'");
  const Authenticator& remote_auth = *auth_.at(conn->remote.front().auth);
  const Authenticator& local_auth = *auth_.at(conn->local.front().auth);
  const auto idi_body = ike::serialize_body(ike::PayloadBody(*idi_p));
  // Our IDr: the certificate's subject for pubkey with id %any or a DN, else the config's.
  const ike::IdPayload idr_out =
      local_auth.own_id(*conn).value_or(identity_to_wire(conn->local.front().id, sa.local.addr));
  const config::Identity our_identity = conn->local.front().id.kind == config::Identity::Kind::kAny
                                            ? identity_from_wire(idr_out).value_or(config::Identity{})
                                            : conn->local.front().id;
  // RFC 7427 4: the hashes the initiator announced in IKE_SA_INIT pick our signature.
  std::vector<ike::HashAlgorithm> peer_hashes;
  if (conn->local.front().auth == config::AuthMethod::kPubkey)
    if (auto init = ike::parse_message(sa.init_request))
      if (const auto* n = ike::find_notify(init->payloads, ike::NotifyType::kSignatureHashAlgorithms))
        peer_hashes = ike::parse_signature_hash_algorithms(n->data).value_or(std::vector<ike::HashAlgorithm>{});
  // RFC 7296 2.15: the initiator signed its IKE_SA_INIT request, Nr and prf(SK_pi, IDi').
  AuthContext peer{.prf = sa.suite.prf,
                   .real_message = sa.init_request,
                   .peer_nonce = sa.nr,
                   .sk_p = sa.keys.sk_pi.view(),
                   .id_body = idi_body ? std::span<const std::uint8_t>(*idi_body) : std::span<const std::uint8_t>(),
                   .conn = conn,
                   .local_id = &our_identity,
                   .remote_id = &*idi,
                   .request = req.payloads,
                   .peer_hashes = peer_hashes,
                   .rsa_pss = false};
  if (!idi_body) return fail("IDi of '" + idi->text + "' cannot be encoded");
  auto verified = remote_auth.verify(peer, *ike::body_of<ike::AuthPayload>(*auth_p));
  if (!verified) return fail("'" + idi->text + "': " + verified.error());
  // Our side: IKE_SA_INIT response, Ni, prf(SK_pr, IDr').
  const auto idr_body = ike::serialize_body(ike::PayloadBody(idr_out));
  AuthContext self = peer;
  self.real_message = sa.init_response;
  self.peer_nonce = sa.ni;
  self.sk_p = sa.keys.sk_pr.view();
  self.id_body = idr_body ? std::span<const std::uint8_t>(*idr_body) : std::span<const std::uint8_t>();
  self.rsa_pss = verified->rsa_pss;
  expected<ike::AuthPayload, AuthError> our_auth = unexpected(AuthError("IDr cannot be encoded"));
  if (idr_body) our_auth = local_auth.build(self);
  if (!our_auth) return fail("our AUTH as '" + our_identity.text + "': " + our_auth.error());

  // unique = keep (strongSwan): an established SA of this identity wins over the new one.
  if (conn->unique == config::Unique::kKeep && has_duplicate(sa, *conn, idi->text)) {
    ++stats_.duplicates_resolved;
    return fail("unique = keep: '" + idi->text + "' already has an IKE SA");
  }
  sa.conn = conn;
  sa.auth = conn->remote.front().auth;
  set_remote_id(sa, idi->text);
  sa.local_id = identity_text(idr_out);
  sa.established_at = now;
  half_open_add(sa.remote.addr, -1);
  set_state(sa, IkeState::kEstablished);
  ++stats_.ike_established;
  // unique = replace always, no on INITIAL_CONTACT, never: duplicates stay (strongSwan).
  const bool initial = ike::find_notify(req.payloads, ike::NotifyType::kInitialContact) != nullptr;
  if (conn->unique == config::Unique::kReplace || (initial && conn->unique == config::Unique::kNo))
    replace_duplicates(out, sa, initial, now);

  std::vector<ike::Payload> resp;
  resp.push_back(ike::make_payload(ike::PayloadType::kIdr, idr_out));
  for (auto& cert : local_auth.certificates(self)) resp.push_back(std::move(cert));  // RFC 7296 3.6
  resp.push_back(ike::make_payload(std::move(*our_auth)));
  // RFC 4478: the initiator reauthenticates before this; we never do.
  resp.push_back(ike::make_auth_lifetime(static_cast<std::uint32_t>(conn->auth_lifetime().count())));
  if (ike::find_payload(req.payloads, ike::PayloadType::kSa) == nullptr) {
    ++stats_.childless;  // RFC 6023: IKE SA only
  } else {
    auto child = create_child(sa, req, sa.ni, sa.nr, false, nullptr, now);
    if (child.error) {
      resp.push_back(std::move(*child.error));  // RFC 7296 1.2: the IKE SA stays
    } else {
      for (auto& p : child.payloads) resp.push_back(std::move(p));
    }
  }
  log("IKE_SA #" + std::to_string(sa.id) + " '" + sa.remote_id + "' (" + verified->detail +
      ") established on connection '" + conn->name + "'");
  respond(out, sa, req, std::move(resp));
}

bool Engine::has_duplicate(const IkeSa& self, const config::Connection& conn, const std::string& remote_id) const {
  return !duplicates_of(self, &conn, remote_id).empty();
}

void Engine::set_remote_id(IkeSa& sa, std::string id) {
  for (auto [it, end] = by_remote_id_.equal_range(sa.remote_id); it != end; ++it)
    if (it->second == sa.spi_r) {
      by_remote_id_.erase(it);
      break;
    }
  sa.remote_id = std::move(id);
  by_remote_id_.emplace(sa.remote_id, sa.spi_r);
}

std::vector<ike::IkeSpi> Engine::duplicates_of(const IkeSa& self, const config::Connection* conn,
                                               const std::string& remote_id) const {
  std::vector<ike::IkeSpi> found;
  for (auto [it, end] = by_remote_id_.equal_range(remote_id); it != end; ++it) {
    const auto sa = sas_.find(it->second);
    if (sa != sas_.end() && sa->second.get() != &self && sa->second->state == IkeState::kEstablished &&
        sa->second->conn == conn)
      found.push_back(it->second);
  }
  return found;
}

// RFC 7296 2.4 INITIAL_CONTACT and unique = replace: every other established IKE SA
// of this identity on this connection goes. With INITIAL_CONTACT the peer says it
// holds none of them any more, so they are removed silently; without it (replace)
// the old peer may still use its SA, so it gets an INFORMATIONAL DELETE (strongSwan
// does the same), which is a request answerd may send (DESIGN.md).
void Engine::replace_duplicates(Output& out, const IkeSa& keep, bool initial_contact, TimePoint now) {
  for (auto spi : duplicates_of(keep, keep.conn, keep.remote_id)) {
    ++stats_.duplicates_resolved;
    if (initial_contact) {
      ++stats_.initial_contact_deleted;
      remove_sa(*find(spi), "replaced (INITIAL_CONTACT)");
    } else {
      begin_delete(out, *find(spi), "replaced by IKE_SA #" + std::to_string(keep.id) + " (unique = replace)", now);
    }
  }
}

}  // namespace answerd::sa
