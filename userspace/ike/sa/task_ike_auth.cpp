// IKE_AUTH (RFC 7296 1.2, 2.15) with the first Child SA (or none, RFC 6023):
//   --> HDR, SK { IDi, [CERT,] [CERTREQ,] [IDr,] AUTH, [N(INITIAL_CONTACT),]
//                 [N(USE_TRANSPORT_MODE),] SAi2, TSi, TSr }
//   <-- HDR, SK { IDr, [CERT,] AUTH, N(AUTH_LIFETIME), [N(USE_TRANSPORT_MODE),] SAr2, TSi, TSr }
//   <-- HDR, SK { N(AUTHENTICATION_FAILED) }   (and the half-open SA is deleted)
// The AUTH verify and sign run in AuthJob, off the loop thread (engine.h).
#include "ike/crypto/secret_bytes.h"
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

// The signature check of the peer's AUTH and our own AUTH (RFC 7296 2.15), run off
// the loop thread: everything it reads is its own copy, the configuration and the
// authenticators are held by shared ownership.
class AuthJob final : public ComputeJob {
 public:
  // inputs (read-only while run() executes)
  std::uint64_t sa_id = 0;
  ike::IkeSpi spi_r{};
  Datagram dgram{};
  ike::Header header{};
  std::vector<ike::Payload> payloads{};
  std::shared_ptr<const config::Config> cfg{};  // `conn` points into it
  const config::Connection* conn = nullptr;
  std::shared_ptr<const Authenticator> remote_auth{}, local_auth{};
  ike::PrfId prf{};
  ike::Bytes init_request{}, init_response{}, ni{}, nr{}, idi_body{}, idr_body{};
  crypto::SecretBytes sk_pi{}, sk_pr{};
  config::Identity idi{}, our_identity{};
  ike::IdPayload idr_out{};
  std::vector<ike::HashAlgorithm> peer_hashes{};
  ike::AuthPayload auth{};
  // outputs
  bool ran = false;
  std::optional<expected<AuthVerified, AuthError>> verified{};
  std::optional<expected<ike::AuthPayload, AuthError>> our_auth{};
  std::vector<ike::Payload> certs{};

  void run() override {
    // The initiator signed its IKE_SA_INIT request, Nr and prf(SK_pi, IDi').
    AuthContext peer{.prf = prf,
                     .real_message = init_request,
                     .peer_nonce = nr,
                     .sk_p = sk_pi.view(),
                     .id_body = idi_body,
                     .conn = conn,
                     .local_id = &our_identity,
                     .remote_id = &idi,
                     .request = payloads,
                     .peer_hashes = peer_hashes,
                     .rsa_pss = false};
    ran = true;
    verified = remote_auth->verify(peer, auth);
    if (!*verified) return;
    // Our side: IKE_SA_INIT response, Ni, prf(SK_pr, IDr').
    AuthContext self = peer;
    self.real_message = init_response;
    self.peer_nonce = ni;
    self.sk_p = sk_pr.view();
    self.id_body = idr_body;
    self.rsa_pss = (*verified)->rsa_pss;
    our_auth = local_auth->build(self);
    if (*our_auth) certs = local_auth->certificates(self);  // RFC 7296 3.6
  }
};

void Engine::auth_fail(Output& out, IkeSa& sa, const Request& req, const std::string& why) {
  ++stats_.auth_failed;
  warn("IKE_SA #" + std::to_string(sa.id) + " authentication failed: " + why);
  respond(out, sa, req, {ike::make_notify(ike::NotifyType::kAuthenticationFailed)});
  remove_sa(sa, "authentication failed");
}

// The cheap part on the loop thread: identities, connection, encodings; then the job.
void Engine::ike_auth(Output& out, IkeSa& sa, const Request& req, TimePoint) {
  if (job_out(sa)) return;  // a retransmit while its job is out
  ++stats_.ike_auth;
  auto fail = [&](const std::string& why) { auth_fail(out, sa, req, why); };
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
  auto job = std::make_unique<AuthJob>();
  job->remote_auth = auth_.at(conn->remote.front().auth);
  job->local_auth = auth_.at(conn->local.front().auth);
  const auto idi_body = ike::serialize_body(ike::PayloadBody(*idi_p));
  if (!idi_body) return fail("IDi of '" + idi->text + "' cannot be encoded");
  // Our IDr: the certificate's subject for pubkey with id %any or a DN, else the config's.
  job->idr_out = job->local_auth->own_id(*conn).value_or(identity_to_wire(conn->local.front().id, sa.local.addr));
  job->our_identity = conn->local.front().id.kind == config::Identity::Kind::kAny
                          ? identity_from_wire(job->idr_out).value_or(config::Identity{})
                          : conn->local.front().id;
  const auto idr_body = ike::serialize_body(ike::PayloadBody(job->idr_out));
  if (!idr_body) return fail("our AUTH as '" + job->our_identity.text + "': IDr cannot be encoded");
  // RFC 7427 4: the hashes the initiator announced in IKE_SA_INIT pick our signature.
  if (conn->local.front().auth == config::AuthMethod::kPubkey)
    if (auto init = ike::parse_message(sa.init_request))
      if (const auto* n = ike::find_notify(init->payloads, ike::NotifyType::kSignatureHashAlgorithms))
        job->peer_hashes = ike::parse_signature_hash_algorithms(n->data).value_or(std::vector<ike::HashAlgorithm>{});
  job->sa_id = sa.id;
  job->spi_r = sa.spi_r;
  if (req.dgram != nullptr) job->dgram = *req.dgram;
  job->header = req.header;
  job->payloads = req.payloads;
  job->cfg = cfg_;
  job->conn = conn;
  job->prf = sa.suite.prf;
  job->init_request = sa.init_request;
  job->init_response = sa.init_response;
  job->ni = sa.ni;
  job->nr = sa.nr;
  job->idi_body = *idi_body;
  job->idr_body = *idr_body;
  job->sk_pi = sa.keys.sk_pi.clone();
  job->sk_pr = sa.keys.sk_pr.clone();
  job->idi = *idi;
  job->auth = *ike::body_of<ike::AuthPayload>(*auth_p);
  busy_.insert(sa.spi_r);
  out.job = std::move(job);
}

// Back on the loop thread: the SA established and the response, or AUTHENTICATION_FAILED.
bool Engine::auth_complete(ComputeJob& j, Output& out, TimePoint now) {
  auto* job = dynamic_cast<AuthJob*>(&j);
  if (job == nullptr) return false;
  IkeSa* target = job_target(job->sa_id, job->spi_r, job->header.message_id, IkeState::kHalfOpen);
  if (target == nullptr || !job->ran) return true;  // gone meanwhile, or never run: the peer retransmits
  if (job->cfg != cfg_) {
    log("IKE_SA #" + std::to_string(job->sa_id) + ": configuration reloaded during IKE_AUTH; waiting for a retransmit");
    return true;
  }
  IkeSa& sa = *target;
  const Request req{.dgram = &job->dgram, .header = job->header, .payloads = std::move(job->payloads)};
  const config::Connection* conn = job->conn;
  const auto& idi = job->idi;
  auto fail = [&](const std::string& why) {
    auth_fail(out, sa, req, why);
    return true;
  };
  if (!*job->verified) return fail("'" + idi.text + "': " + job->verified->error());
  if (!*job->our_auth) return fail("our AUTH as '" + job->our_identity.text + "': " + job->our_auth->error());
  // unique = keep (strongSwan): an established SA of this identity wins over the new one.
  if (conn->unique == config::Unique::kKeep && has_duplicate(sa, *conn, idi.text)) {
    ++stats_.duplicates_resolved;
    return fail("unique = keep: '" + idi.text + "' already has an IKE SA");
  }
  sa.conn = conn;
  sa.auth = conn->remote.front().auth;
  set_remote_id(sa, idi.text);
  sa.local_id = identity_text(job->idr_out);
  sa.established_at = now;
  half_open_add(sa.remote.addr, -1);
  set_state(sa, IkeState::kEstablished);
  ++stats_.ike_established;
  // unique = replace always, no on INITIAL_CONTACT, never: duplicates stay (strongSwan).
  const bool initial = ike::find_notify(req.payloads, ike::NotifyType::kInitialContact) != nullptr;
  if (conn->unique == config::Unique::kReplace || (initial && conn->unique == config::Unique::kNo))
    replace_duplicates(out, sa, initial, now);

  std::vector<ike::Payload> resp;
  resp.push_back(ike::make_payload(ike::PayloadType::kIdr, job->idr_out));
  for (auto& cert : job->certs) resp.push_back(std::move(cert));
  resp.push_back(ike::make_payload(std::move(**job->our_auth)));
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
  log("IKE_SA #" + std::to_string(sa.id) + " '" + sa.remote_id + "' (" + (*job->verified)->detail +
      ") established on connection '" + conn->name + "'");
  respond(out, sa, req, std::move(resp));
  return true;
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
