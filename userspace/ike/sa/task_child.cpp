// Child SA negotiation shared by IKE_AUTH and CREATE_CHILD_SA (RFC 7296 1.3, 2.9,
// 2.17): pick the config child whose traffic selectors intersect the peer's, then
// its first ESP proposal the peer offers, derive KEYMAT, take an inbound SPI from
// the dataplane and install both SAs and their policies.
#include <algorithm>

#include "ike/crypto/key_exchange.h"
#include "ike/sa/engine_impl.h"
#include "ike/sa/traffic_selectors.h"
#include "ike/wire/notify_data.h"

namespace answerd::sa {
namespace {

const ike::TsPayload* ts_of(const std::vector<ike::Payload>& ps, ike::PayloadType t) {
  const auto* p = ike::find_payload(ps, t);
  return p == nullptr ? nullptr : ike::body_of<ike::TsPayload>(*p);
}

std::uint32_t if_id(const std::optional<config::IfId>& child, const std::optional<config::IfId>& conn) {
  const auto& v = child ? child : conn;
  return v && !v->unique ? v->value : 0;
}

}  // namespace

void Engine::delete_child(IkeSa& sa, const ChildSa& c) {
  bool ok = dp_.del_sa(SaKey{sa.remote.addr, sa.local.addr, c.spi_in}).has_value();
  ok = dp_.del_sa(SaKey{sa.local.addr, sa.remote.addr, c.spi_out}).has_value() && ok;
  // Policies are shared by a Child SA and its rekeyed successor (same reqid); `c`
  // is already out of sa.children.
  const bool shared = std::any_of(sa.children.begin(), sa.children.end(),
                                  [&](const ChildSa& o) { return o.reqid == c.reqid; });
  if (!shared) {
    for (const auto& l : c.local_ts)
      for (const auto& r : c.remote_ts) {
        ok = dp_.del_policy(PolicyKey{to_selector(l), to_selector(r), PolicyDir::kOut, c.if_id_out}).has_value() && ok;
        ok = dp_.del_policy(PolicyKey{to_selector(r), to_selector(l), PolicyDir::kIn, c.if_id_in}).has_value() && ok;
        if (c.mode == config::Mode::kTunnel)
          ok = dp_.del_policy(PolicyKey{to_selector(r), to_selector(l), PolicyDir::kFwd, c.if_id_in}).has_value() && ok;
      }
  }
  if (!ok) ++stats_.dataplane_errors;
  ++stats_.child_deleted;
  log("CHILD_SA " + c.name + " #" + std::to_string(c.id) + " deleted");
}

ChildOutcome Engine::create_child(IkeSa& sa, const Request& req, std::span<const std::uint8_t> ni,
                                  std::span<const std::uint8_t> nr, bool create_child_sa, const ChildSa* rekeyed,
                                  TimePoint now) {
  ChildOutcome r;
  const auto* sa_p = ike::body_of<ike::SaPayload>(*ike::find_payload(req.payloads, ike::PayloadType::kSa));
  const auto* tsi = ts_of(req.payloads, ike::PayloadType::kTsi);
  const auto* tsr = ts_of(req.payloads, ike::PayloadType::kTsr);
  if (sa_p == nullptr || tsi == nullptr || tsr == nullptr) {
    r.error = ike::make_notify(ike::NotifyType::kInvalidSyntax);
    return r;
  }
  // RFC 7296 2.9: TSi is the initiator's side (our remote), TSr ours.
  const config::Child* chosen = nullptr;
  std::vector<ike::TrafficSelector> ts_i, ts_r;
  for (const auto& c : sa.conn->children) {
    if (rekeyed != nullptr && c.name != rekeyed->name) continue;
    ts_i = narrow(tsi->selectors, c.remote_ts, sa.remote.addr);
    ts_r = narrow(tsr->selectors, c.local_ts, sa.local.addr);
    if (!ts_i.empty() && !ts_r.empty()) {
      chosen = &c;
      break;
    }
  }
  if (chosen == nullptr) {
    ++stats_.ts_unacceptable;
    r.error = ike::make_notify(ike::NotifyType::kTsUnacceptable);
    return r;
  }
  const auto props = chosen->esp_proposals.empty() ? config::default_esp_proposals() : chosen->esp_proposals;
  auto sel = select_esp(props, *sa_p, create_child_sa);
  if (!sel) {
    ++stats_.no_proposal_chosen;
    r.error = ike::make_notify(ike::NotifyType::kNoProposalChosen);
    return r;
  }
  // PFS (RFC 7296 1.3.1): g^ir of this exchange's KE payloads goes into KEYMAT.
  crypto::SecretBytes g_ir;
  std::optional<ike::Payload> ke_r;
  if (sel->pfs != ike::DhGroup::kNone) {
    const auto* kp = ike::find_payload(req.payloads, ike::PayloadType::kKe);
    const auto* ke = kp == nullptr ? nullptr : ike::body_of<ike::KePayload>(*kp);
    if (ke == nullptr || std::find(sel->acceptable.begin(), sel->acceptable.end(), ke->group) == sel->acceptable.end()) {
      ++stats_.invalid_ke;
      r.error = ike::make_invalid_ke_payload(sel->pfs);
      return r;
    }
    auto kx = crypto::make_key_exchange(ke->group, rng_);
    auto s = kx ? (*kx)->shared_secret(ke->data) : answerd::expected<crypto::SecretBytes, crypto::CryptoError>(
                                                     answerd::unexpect, crypto::CryptoError::kInternal);
    if (!s) {
      r.error = ike::make_notify(ike::NotifyType::kInvalidSyntax);
      return r;
    }
    g_ir = std::move(*s);
    const auto pv = (*kx)->public_value();
    ke_r = ike::make_payload(ike::KePayload{ke->group, ike::Bytes(pv.begin(), pv.end())});
  }
  auto spi_in = dp_.alloc_spi(sa.remote.addr, sa.local.addr);
  auto keys = crypto::derive_child_keys(sa.suite.prf, sa.keys.sk_d.view(), sel->suite, g_ir.view(), ni, nr);
  if (!spi_in || !keys) {
    ++stats_.dataplane_errors;
    r.error = ike::make_notify(ike::NotifyType::kNoAdditionalSas);
    return r;
  }
  const bool transport = chosen->mode == config::Mode::kTransport &&
                         ike::find_notify(req.payloads, ike::NotifyType::kUseTransportMode) != nullptr;
  ChildSa c{.id = next_child_id_++,
            .name = chosen->name,
            .spi_in = *spi_in,
            .spi_out = sel->peer_spi,
            .suite = sel->suite,
            .esn = sel->esn,
            .mode = transport ? config::Mode::kTransport : config::Mode::kTunnel,
            .reqid = rekeyed != nullptr ? rekeyed->reqid : ike::Reqid(next_reqid_++),
            .local_ts = ts_r,
            .remote_ts = ts_i,
            .if_id_in = if_id(chosen->if_id_in, sa.conn->if_id_in),
            .if_id_out = if_id(chosen->if_id_out, sa.conn->if_id_out),
            .installed_at = now,
            .life_time_s = static_cast<std::uint64_t>(chosen->life_time.count())};
  const bool nat = sa.nat_local || sa.nat_remote;
  SaParams in{.suite = c.suite, .encr_key = keys->encr_i2r.view(), .integ_key = keys->integ_i2r.view(),
              .mode = c.mode, .reqid = c.reqid, .esn = c.esn, .inbound = true,
              .encap_src_port = nat ? std::optional(sa.remote.port) : std::nullopt,
              .encap_dst_port = nat ? std::optional(sa.local.port) : std::nullopt,
              .replay_window = chosen->replay_window, .hard_lifetime_s = c.life_time_s,
              .soft_lifetime_s = static_cast<std::uint64_t>(chosen->rekey_time.count()), .if_id = c.if_id_in};
  SaParams outp = in;
  outp.encr_key = keys->encr_r2i.view();
  outp.integ_key = keys->integ_r2i.view();
  outp.inbound = false;
  outp.encap_src_port = in.encap_dst_port;
  outp.encap_dst_port = in.encap_src_port;
  outp.if_id = c.if_id_out;
  bool ok = dp_.add_sa(SaKey{sa.remote.addr, sa.local.addr, c.spi_in}, in).has_value();
  ok = dp_.add_sa(SaKey{sa.local.addr, sa.remote.addr, c.spi_out}, outp).has_value() && ok;
  if (rekeyed == nullptr) {
    const PolicyParams pin{c.reqid, c.mode, sa.remote.addr, sa.local.addr};
    const PolicyParams pout{c.reqid, c.mode, sa.local.addr, sa.remote.addr};
    for (const auto& l : c.local_ts)
      for (const auto& rt : c.remote_ts) {
        ok = dp_.add_policy(PolicyKey{to_selector(l), to_selector(rt), PolicyDir::kOut, c.if_id_out}, pout).has_value() && ok;
        ok = dp_.add_policy(PolicyKey{to_selector(rt), to_selector(l), PolicyDir::kIn, c.if_id_in}, pin).has_value() && ok;
        if (c.mode == config::Mode::kTunnel)
          ok = dp_.add_policy(PolicyKey{to_selector(rt), to_selector(l), PolicyDir::kFwd, c.if_id_in}, pin).has_value() && ok;
      }
  }
  if (!ok) ++stats_.dataplane_errors;
  ++stats_.child_installed;
  log("CHILD_SA " + c.name + " #" + std::to_string(c.id) + " installed, SPIs in " + std::to_string(c.spi_in.value()) +
      " out " + std::to_string(c.spi_out.value()));
  if (transport) r.payloads.push_back(ike::make_notify(ike::NotifyType::kUseTransportMode));
  r.payloads.push_back(ike::make_payload(esp_response_sa(*sel, c.spi_in)));
  if (create_child_sa) r.payloads.push_back(ike::make_payload(ike::NoncePayload{ike::Bytes(nr.begin(), nr.end())}));
  if (ke_r) r.payloads.push_back(std::move(*ke_r));
  r.payloads.push_back(ike::make_payload(ike::PayloadType::kTsi, ike::TsPayload{ts_i}));
  r.payloads.push_back(ike::make_payload(ike::PayloadType::kTsr, ike::TsPayload{ts_r}));
  sa.children.push_back(std::move(c));
  return r;
}

}  // namespace answerd::sa
