// CREATE_CHILD_SA (RFC 7296 1.3), always started by the peer:
//   new Child SA:   --> HDR, SK { SA, Ni, [KEi,] TSi, TSr }
//                   <-- HDR, SK { SA, Nr, [KEr,] TSi, TSr }
//   Child SA rekey: --> HDR, SK { N(REKEY_SA), SA, Ni, [KEi,] TSi, TSr }   (1.3.3)
//   IKE SA rekey:   --> HDR, SK { SA, Ni, KEi }  <-- HDR, SK { SA, Nr, KEr } (1.3.2)
// The old Child or IKE SA stays until the initiator deletes it.
#include <algorithm>

#include "ike/crypto/key_exchange.h"
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
  ++stats_.create_child_sa;
  const auto* sa_p = ike::body_of<ike::SaPayload>(*ike::find_payload(req.payloads, ike::PayloadType::kSa));
  const auto* rekey = ike::find_notify(req.payloads, ike::NotifyType::kRekeySa);
  const bool ike_proposal = std::any_of(sa_p->proposals.begin(), sa_p->proposals.end(),
                                        [](const ike::Proposal& p) { return p.protocol == ike::ProtocolId::kIke; });
  if (rekey == nullptr && ike_proposal) return rekey_ike(out, sa, req, *sa_p, now);
  const ike::Bytes ni = nonce_of(req.payloads);
  ike::Bytes nr(32);
  rng_.fill(nr);
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
  auto child = create_child(sa, req, ni, nr, true, old, now);  // `old` is invalid after this
  if (child.error) {
    respond(out, sa, req, {std::move(*child.error)});
    return;
  }
  if (rekey != nullptr) ++stats_.child_rekeyed;
  respond(out, sa, req, std::move(child.payloads));
}

void Engine::rekey_ike(Output& out, IkeSa& sa, const Request& req, const ike::SaPayload& sa_i, TimePoint now) {
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
  const ike::Bytes ni = nonce_of(req.payloads);
  ike::Bytes nr(32);
  rng_.fill(nr);
  auto kx = crypto::make_key_exchange(ke->group, rng_);
  if (!kx) return respond(out, sa, req, {ike::make_notify(ike::NotifyType::kNoProposalChosen)});
  auto g_ir = (*kx)->shared_secret(ke->data);
  if (!g_ir) return respond(out, sa, req, {ike::make_notify(ike::NotifyType::kInvalidSyntax)});
  auto n = std::make_unique<IkeSa>();
  n->spi_i = ike::IkeSpi::from_wire(std::span<const std::uint8_t, 8>(sel->peer_spi.data(), 8));
  n->spi_r = fresh_spi();
  // RFC 7296 2.18: SKEYSEED = prf(SK_d (old), g^ir (new) | Ni | Nr), old PRF.
  auto seed = crypto::rekey_skeyseed(sa.suite.prf, sa.keys.sk_d.view(), g_ir->view(), ni, nr);
  auto keys = seed ? crypto::derive_ike_keys(sel->suite, seed->view(), ni, nr, n->spi_i, n->spi_r)
                   : answerd::expected<crypto::IkeKeys, crypto::CryptoError>(answerd::unexpect, seed.error());
  if (!keys) return respond(out, sa, req, {ike::make_notify(ike::NotifyType::kNoProposalChosen)});
  const auto& s = sel->suite;
  auto in = crypto::make_sk_cipher(s.encr, s.encr_key_bits, s.integ, keys->sk_ei.view(), keys->sk_ai.view(), rng_);
  auto oc = crypto::make_sk_cipher(s.encr, s.encr_key_bits, s.integ, keys->sk_er.view(), keys->sk_ar.view(), rng_);
  if (!in || !oc) return respond(out, sa, req, {ike::make_notify(ike::NotifyType::kNoProposalChosen)});
  n->id = next_sa_id_++;
  n->state = IkeState::kEstablished;  // created established: the rekey is its authentication
  n->local = sa.local;
  n->remote = sa.remote;
  n->nat_local = sa.nat_local;
  n->nat_remote = sa.nat_remote;
  n->peer_fragmentation = sa.peer_fragmentation;
  n->conn = sa.conn;
  n->suite = s;
  n->group = ke->group;
  n->keys = std::move(*keys);
  n->in = std::move(*in);
  n->out = std::move(*oc);
  n->ni = ni;
  n->nr = nr;
  n->next_mid = ike::MessageId(0);
  n->local_id = sa.local_id;
  set_remote_id(*n, sa.remote_id);
  n->auth = sa.auth;
  n->created_at = now;
  n->established_at = sa.established_at;  // rekeying is not reauthentication (RFC 4478)
  n->children = std::move(sa.children);
  sa.children.clear();
  const auto spi = n->spi_r.bytes();
  const auto pv = (*kx)->public_value();
  respond(out, sa, req,
          {ike::make_payload(ike_response_sa(*sel, ke->group, ike::Bytes(spi.begin(), spi.end()))),
           ike::make_payload(ike::NoncePayload{nr}),
           ike::make_payload(ike::KePayload{ke->group, ike::Bytes(pv.begin(), pv.end())})});
  ++stats_.ike_rekeyed;
  log("IKE_SA #" + std::to_string(sa.id) + " rekeyed into #" + std::to_string(n->id));
  const auto key_spi = n->spi_r;
  sas_[key_spi] = std::move(n);
}

}  // namespace answerd::sa
