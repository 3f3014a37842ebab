// CREATE_CHILD_SA (RFC 7296 1.3), always started by the peer:
//   new Child SA:   --> HDR, SK { SA, Ni, [KEi,] TSi, TSr }
//                   <-- HDR, SK { SA, Nr, [KEr,] TSi, TSr }
//   Child SA rekey: --> HDR, SK { N(REKEY_SA), SA, Ni, [KEi,] TSi, TSr }   (1.3.3)
//   IKE SA rekey:   --> HDR, SK { SA, Ni, KEi }  <-- HDR, SK { SA, Nr, KEr } (1.3.2)
// The old Child or IKE SA stays until the initiator deletes it. An IKE SA rekey's
// DH and key derivation run in RekeyJob, a Child SA's PFS DH in ChildJob, both off
// the loop thread (engine.h); a Child SA without KE is answered inline.
#include <algorithm>

#include "ike/crypto/key_exchange.h"
#include "ike/crypto/secret_bytes.h"
#include "ike/sa/engine_impl.h"
#include "ike/wire/notify_data.h"

namespace answerd::sa {
namespace {

ike::Bytes nonce_of(const std::vector<ike::Payload>& ps) {
  const auto* p = ike::find_payload(ps, ike::PayloadType::kNonce);
  const auto* n = p == nullptr ? nullptr : ike::body_of<ike::NoncePayload>(*p);
  return n == nullptr ? ike::Bytes{} : n->data;
}

}  // namespace

void Engine::create_child_sa(Output& out, IkeSa& sa, const Request& req, TimePoint now) {
  if (job_out(sa)) return;  // a retransmit while its job is out
  ++stats_.create_child_sa;
  const auto* sa_p = ike::body_of<ike::SaPayload>(*ike::find_payload(req.payloads, ike::PayloadType::kSa));
  const auto* rekey = ike::find_notify(req.payloads, ike::NotifyType::kRekeySa);
  const bool ike_proposal = std::any_of(sa_p->proposals.begin(), sa_p->proposals.end(),
                                        [](const ike::Proposal& p) { return p.protocol == ike::ProtocolId::kIke; });
  if (rekey == nullptr && ike_proposal) return rekey_ike(out, sa, req, *sa_p, now);
  // A new or rekeyed Child SA: the cheap checks here; with PFS the DH in a ChildJob.
  const ChildSa* old = nullptr;
  if (rekey != nullptr) {
    const auto spi = ike::notify_esp_spi(*rekey);
    auto it = std::find_if(sa.children.begin(), sa.children.end(),
                           [&](const ChildSa& c) { return spi && c.spi_out == *spi; });
    if (it == sa.children.end()) {
      respond(out, sa, req,
              {ike::make_child_sa_notify(ike::NotifyType::kChildSaNotFound, ike::ProtocolId::kEsp,
                                         spi.value_or(ike::EspSpi(0)))});
      return;
    }
    old = &*it;
  }
  auto plan = plan_child(sa, req, true, old);
  if (!plan) return respond(out, sa, req, {std::move(plan.error())});
  const ike::Bytes ni = nonce_of(req.payloads);
  ike::Bytes nr(32);
  rng_.fill(nr);
  const auto reqid = old != nullptr ? std::optional(old->reqid) : std::nullopt;
  if (plan->sel.pfs != ike::DhGroup::kNone) return child_job(out, sa, req, std::move(*plan), ni, nr, reqid);
  auto child = finish_child(sa, *plan, ni, nr, true, ChildDh{}, reqid, now);
  if (child.error) return respond(out, sa, req, {std::move(*child.error)});
  if (rekey != nullptr) ++stats_.child_rekeyed;
  respond(out, sa, req, std::move(child.payloads));
}

// A Child SA's PFS DH (RFC 7296 1.3.1, 1.3.3) off the loop thread; KEYMAT, the
// inbound SPI and the install follow in child_complete() on the loop thread, so a
// job that completes into nothing has reserved nothing in the kernel.
class ChildJob final : public ComputeJob {
 public:
  // inputs (read-only while run() executes)
  std::uint64_t sa_id = 0;
  ike::IkeSpi spi_r{};
  Datagram dgram{};
  ike::Header header{};
  std::shared_ptr<const config::Config> cfg{};  // plan.cfg points into it
  ChildPlan plan{};
  ike::Bytes ni{}, nr{};
  std::optional<ike::Reqid> rekey_reqid{};
  crypto::Random* rng = nullptr;
  // outputs
  bool ran = false;
  answerd::expected<ChildDh, ike::NotifyType> dh{answerd::unexpect, ike::NotifyType::kNoProposalChosen};

  void run() override {
    ran = true;
    dh = child_dh(plan.sel.pfs, plan.kei, *rng);
  }
};

void Engine::child_job(Output& out, IkeSa& sa, const Request& req, ChildPlan plan, const ike::Bytes& ni,
                       const ike::Bytes& nr, std::optional<ike::Reqid> rekey_reqid) {
  auto job = std::make_unique<ChildJob>();
  job->sa_id = sa.id;
  job->spi_r = sa.spi_r;
  if (req.dgram != nullptr) job->dgram = *req.dgram;
  job->header = req.header;
  job->cfg = cfg_;
  job->plan = std::move(plan);
  job->ni = ni;
  job->nr = nr;
  job->rekey_reqid = rekey_reqid;
  job->rng = &rng_;
  busy_.insert(sa.spi_r);
  out.job = std::move(job);
}

// Back on the loop thread: KEYMAT with g^ir, install, respond; or nothing when the
// IKE SA went, changed state, answered something else, or the config was reloaded
// meanwhile (the peer's retransmit then starts over under the new configuration).
bool Engine::child_complete(ComputeJob& j, Output& out, TimePoint now) {
  auto* job = dynamic_cast<ChildJob*>(&j);
  if (job == nullptr) return false;
  IkeSa* target = job_target(job->sa_id, job->spi_r, job->header.message_id, IkeState::kEstablished);
  if (target == nullptr || !job->ran) return true;
  if (job->cfg != cfg_) {
    log("IKE_SA #" + std::to_string(job->sa_id) + ": configuration reloaded during CREATE_CHILD_SA; waiting for a retransmit");
    return true;
  }
  IkeSa& sa = *target;
  const Request req{.dgram = &job->dgram, .header = job->header, .payloads = {}};
  auto child = job->dh ? finish_child(sa, job->plan, job->ni, job->nr, true, *job->dh, job->rekey_reqid, now)
                       : ChildOutcome{.payloads = {}, .error = ike::make_notify(job->dh.error())};
  if (child.error) {
    respond(out, sa, req, {std::move(*child.error)});
    return true;
  }
  if (job->rekey_reqid) ++stats_.child_rekeyed;
  respond(out, sa, req, std::move(child.payloads));
  return true;
}

// An IKE SA rekey's DH and key derivation (RFC 7296 2.18), off the loop thread.
class RekeyJob final : public ComputeJob {
 public:
  // inputs (read-only while run() executes)
  std::uint64_t sa_id = 0;
  ike::IkeSpi spi_r{};            // the IKE SA being rekeyed
  ike::IkeSpi new_spi_i{}, new_spi_r{};
  Datagram dgram{};
  ike::Header header{};
  IkeSelection sel{};
  ike::DhGroup group = ike::DhGroup::kNone;
  ike::Bytes kei{}, ni{}, nr{};
  ike::PrfId old_prf{};
  crypto::SecretBytes old_sk_d{};
  crypto::Random* rng = nullptr;
  // outputs
  bool ran = false;
  std::optional<ike::NotifyType> error{};
  ike::Bytes public_value{};
  std::optional<crypto::IkeKeys> keys{};
  std::unique_ptr<crypto::SkCipher> in{}, out{};

  void run() override {
    ran = true;
    auto kx = crypto::make_key_exchange(group, *rng);
    if (!kx) return void(error = ike::NotifyType::kNoProposalChosen);
    auto g_ir = (*kx)->shared_secret(kei);
    if (!g_ir) return void(error = ike::NotifyType::kInvalidSyntax);
    const auto pv = (*kx)->public_value();
    public_value.assign(pv.begin(), pv.end());
    // RFC 7296 2.18: SKEYSEED = prf(SK_d (old), g^ir (new) | Ni | Nr), old PRF.
    auto seed = crypto::rekey_skeyseed(old_prf, old_sk_d.view(), g_ir->view(), ni, nr);
    if (!seed) return void(error = ike::NotifyType::kNoProposalChosen);
    auto k = crypto::derive_ike_keys(sel.suite, seed->view(), ni, nr, new_spi_i, new_spi_r);
    if (!k) return void(error = ike::NotifyType::kNoProposalChosen);
    const auto& s = sel.suite;
    auto ci = crypto::make_sk_cipher(s.encr, s.encr_key_bits, s.integ, k->sk_ei.view(), k->sk_ai.view(), *rng);
    auto co = crypto::make_sk_cipher(s.encr, s.encr_key_bits, s.integ, k->sk_er.view(), k->sk_ar.view(), *rng);
    if (!ci || !co) return void(error = ike::NotifyType::kNoProposalChosen);
    in = std::move(*ci);
    out = std::move(*co);
    keys = std::move(*k);
  }
};

// The cheap part on the loop thread: proposal and KE group; then the job.
void Engine::rekey_ike(Output& out, IkeSa& sa, const Request& req, const ike::SaPayload& sa_i, TimePoint) {
  const auto props = sa.conn->proposals.empty() ? config::default_ike_proposals() : sa.conn->proposals;
  auto sel = select_ike(props, sa_i);
  if (!sel || sel->peer_spi.size() != 8) {
    ++stats_.no_proposal_chosen;
    return respond(out, sa, req, {ike::make_notify(ike::NotifyType::kNoProposalChosen)});
  }
  const auto* kp = ike::find_payload(req.payloads, ike::PayloadType::kKe);
  const auto* ke = kp == nullptr ? nullptr : ike::body_of<ike::KePayload>(*kp);
  if (ke == nullptr || std::find(sel->acceptable.begin(), sel->acceptable.end(), ke->group) == sel->acceptable.end()) {
    ++stats_.invalid_ke;
    return respond(out, sa, req, {ike::make_invalid_ke_payload(sel->group)});
  }
  auto job = std::make_unique<RekeyJob>();
  job->sa_id = sa.id;
  job->spi_r = sa.spi_r;
  job->new_spi_i = ike::IkeSpi::from_wire(std::span<const std::uint8_t, 8>(sel->peer_spi.data(), 8));
  job->new_spi_r = fresh_spi();
  if (req.dgram != nullptr) job->dgram = *req.dgram;
  job->header = req.header;
  job->sel = std::move(*sel);
  job->group = ke->group;
  job->kei = ke->data;
  job->ni = nonce_of(req.payloads);
  job->nr.resize(32);
  rng_.fill(job->nr);
  job->old_prf = sa.suite.prf;
  job->old_sk_d = sa.keys.sk_d.clone();
  job->rng = &rng_;
  pending_spi_.insert(job->new_spi_r);
  busy_.insert(sa.spi_r);
  out.job = std::move(job);
}

// Back on the loop thread: the new IKE SA takes over the Child SAs; the old one
// stays until the initiator deletes it.
bool Engine::rekey_complete(ComputeJob& j, Output& out, TimePoint now) {
  auto* job = dynamic_cast<RekeyJob*>(&j);
  if (job == nullptr) return false;
  pending_spi_.erase(job->new_spi_r);
  IkeSa* target = job_target(job->sa_id, job->spi_r, job->header.message_id, IkeState::kEstablished);
  if (target == nullptr || !job->ran) return true;  // gone or deleting meanwhile, or never run
  IkeSa& sa = *target;
  const Request req{.dgram = &job->dgram, .header = job->header, .payloads = {}};
  if (job->error || !job->keys) {
    respond(out, sa, req, {ike::make_notify(job->error.value_or(ike::NotifyType::kNoProposalChosen))});
    return true;
  }
  auto n = std::make_unique<IkeSa>();
  n->spi_i = job->new_spi_i;
  n->spi_r = job->new_spi_r;
  n->id = next_sa_id_++;
  n->state = IkeState::kEstablished;  // created established: the rekey is its authentication
  n->local = sa.local;
  n->remote = sa.remote;
  n->nat_local = sa.nat_local;
  n->nat_remote = sa.nat_remote;
  n->peer_fragmentation = sa.peer_fragmentation;
  n->conn = sa.conn;
  n->suite = job->sel.suite;
  n->group = job->group;
  n->keys = std::move(*job->keys);
  n->in = std::move(job->in);
  n->out = std::move(job->out);
  n->ni = job->ni;
  n->nr = job->nr;
  n->next_mid = ike::MessageId(0);
  n->local_id = sa.local_id;
  set_remote_id(*n, sa.remote_id);
  n->auth = sa.auth;
  n->created_at = now;
  n->established_at = sa.established_at;  // rekeying is not reauthentication (RFC 4478)
  n->children = std::move(sa.children);
  sa.children.clear();
  const auto spi = n->spi_r.bytes();
  respond(out, sa, req,
          {ike::make_payload(ike_response_sa(job->sel, job->group, ike::Bytes(spi.begin(), spi.end()))),
           ike::make_payload(ike::NoncePayload{job->nr}), ike::make_payload(ike::KePayload{job->group, job->public_value})});
  ++stats_.ike_rekeyed;
  log("IKE_SA #" + std::to_string(sa.id) + " rekeyed into #" + std::to_string(n->id));
  const auto key_spi = n->spi_r;
  sas_[key_spi] = std::move(n);
  return true;
}

}  // namespace answerd::sa
