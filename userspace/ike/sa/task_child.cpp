// Child SA negotiation shared by IKE_AUTH and CREATE_CHILD_SA (RFC 7296 1.3, 2.9,
// 2.17): pick the config child whose traffic selectors intersect the peer's, then
// its first ESP proposal the peer offers, derive KEYMAT, take an inbound SPI from
// the dataplane and install both SAs and their policies. Split in plan_child()
// (cheap checks, on the loop thread) and finish_child() (KEYMAT, SPI, install,
// response) so that a CREATE_CHILD_SA's PFS DH (child_dh()) can run in a job
// between the two (task_create_child.cpp); without PFS both run back to back.
#include <algorithm>
#include <cerrno>

#include "ike/crypto/key_exchange.h"
#include "ike/sa/engine_impl.h"
#include "ike/sa/traffic_selectors.h"
#include "ike/wire/names.h"
#include "ike/wire/notify_data.h"

namespace answerd::sa {
namespace {

const ike::TsPayload* ts_of(const std::vector<ike::Payload>& ps, ike::PayloadType t) {
  const auto* p = ike::find_payload(ps, t);
  return p == nullptr ? nullptr : ike::body_of<ike::TsPayload>(*p);
}

// Removal of an SA the kernel no longer has (it removed it on its hard lifetime, and
// the other SA of the pair is removed after that event) is no error: ESRCH from
// XFRM_MSG_DELSA, ENOENT from a backend without the entry.
bool removed(const kernel::IpsecResult<void>& r) {
  return r.has_value() || r.error().code == ESRCH || r.error().code == ENOENT;
}

std::uint32_t if_id(const std::optional<config::IfId>& child, const std::optional<config::IfId>& conn) {
  const auto& v = child ? child : conn;
  return v && !v->unique ? v->value : 0;
}

}  // namespace

// Both ESP SAs (RFC 4303) and, for a new reqid, the policies in, out and (tunnel
// mode) fwd for every pair of narrowed selectors.
bool Engine::install(IkeSa& sa, ChildSa& c, const config::Child& cfg, const crypto::ChildKeys& keys,
                     bool with_policies) {
  const auto mode = c.mode == config::Mode::kTransport ? kernel::IpsecMode::kTransport : kernel::IpsecMode::kTunnel;
  const bool nat = sa.nat_local || sa.nat_remote;
  c.sa_in = kernel::SaId{.src = sa.remote.addr, .dst = sa.local.addr, .spi = c.spi_in, .mark = {}, .if_id = c.if_id_in};
  c.sa_out = kernel::SaId{.src = sa.local.addr, .dst = sa.remote.addr, .spi = c.spi_out, .mark = {}, .if_id = c.if_id_out};
  kernel::SaData in{
      .reqid = c.reqid,
      .mode = mode,
      .encr = {.id = c.suite.encr, .key_bits = c.suite.encr_key_bits, .key = keys.encr_i2r.view()},
      .integ = {.id = c.suite.integ, .key = keys.integ_i2r.view()},
      .esn = c.esn,
      .replay_window = cfg.replay_window,
      .encap = nat ? std::optional(kernel::UdpEncap{sa.remote.port, sa.local.port}) : std::nullopt,
      .soft = {.bytes = cfg.rekey_bytes, .packets = cfg.rekey_packets,
               .seconds = static_cast<std::uint64_t>(cfg.rekey_time.count())},
      .hard = {.bytes = cfg.life_bytes, .packets = cfg.life_packets, .seconds = c.life_time_s},
      .selector = std::nullopt,
      .inbound = true,
      .update = true};  // the SPI came from alloc_spi()
  kernel::SaData out = in;
  out.encr.key = keys.encr_r2i.view();
  out.integ.key = keys.integ_r2i.view();
  out.replay_window = 0;
  out.encap = nat ? std::optional(kernel::UdpEncap{sa.local.port, sa.remote.port}) : std::nullopt;
  out.inbound = false;
  out.update = false;
  if (mode == kernel::IpsecMode::kTransport && !c.local_ts.empty() && !c.remote_ts.empty()) {
    const auto si = to_selectors(c.remote_ts.front(), c.local_ts.front());
    const auto so = to_selectors(c.local_ts.front(), c.remote_ts.front());
    if (!si.empty()) in.selector = si.front();
    if (!so.empty()) out.selector = so.front();
  }
  bool ok = true;
  auto check = [&](const kernel::IpsecResult<void>& r) {
    if (r) return true;
    ok = false;
    log("CHILD_SA " + c.name + " #" + std::to_string(c.id) + ": " + r.error().message);
    return false;
  };
  check(dp_.add_sa(c.sa_in, in));
  check(dp_.add_sa(c.sa_out, out));
  if (!with_policies) return ok;
  const kernel::PolicyData pin{.action = kernel::PolicyAction::kProtect, .priority = 0,
                               .sa = {.src = sa.remote.addr, .dst = sa.local.addr, .reqid = c.reqid, .mode = mode}};
  const kernel::PolicyData pout{.action = kernel::PolicyAction::kProtect, .priority = 0,
                                .sa = {.src = sa.local.addr, .dst = sa.remote.addr, .reqid = c.reqid, .mode = mode}};
  auto add = [&](const kernel::Selector& sel, kernel::PolicyDir dir, std::uint32_t ifid, const kernel::PolicyData& d) {
    const kernel::PolicyId id{.sel = sel, .dir = dir, .mark = {}, .if_id = ifid};
    if (!check(dp_.add_policy(id, d))) return false;
    c.policies.push_back(id);
    return true;
  };
  for (const auto& l : c.local_ts)
    for (const auto& rt : c.remote_ts) {
      for (const auto& sel : to_selectors(l, rt)) ok = add(sel, kernel::PolicyDir::kOut, c.if_id_out, pout) && ok;
      for (const auto& sel : to_selectors(rt, l)) {
        ok = add(sel, kernel::PolicyDir::kIn, c.if_id_in, pin) && ok;
        if (mode == kernel::IpsecMode::kTunnel) ok = add(sel, kernel::PolicyDir::kFwd, c.if_id_in, pin) && ok;
      }
    }
  return ok;
}

void Engine::delete_child(IkeSa& sa, const ChildSa& c) {
  bool ok = true;
  auto check = [&](const kernel::IpsecResult<void>& r) {
    if (removed(r)) return;
    ok = false;
    log("CHILD_SA " + c.name + " #" + std::to_string(c.id) + ": " + r.error().message);
  };
  check(dp_.del_sa(c.sa_in));
  check(dp_.del_sa(c.sa_out));
  // Policies belong to the first Child SA of a reqid; a rekeyed successor inherits
  // them when the original goes (`c` is already out of sa.children).
  auto heir = std::find_if(sa.children.begin(), sa.children.end(),
                           [&](const ChildSa& o) { return o.reqid == c.reqid; });
  if (heir != sa.children.end()) {
    heir->policies.insert(heir->policies.end(), c.policies.begin(), c.policies.end());
  } else {
    for (const auto& p : c.policies) check(dp_.del_policy(p));
  }
  if (!ok) ++stats_.dataplane_errors;
  ++stats_.child_deleted;
  log("CHILD_SA " + c.name + " #" + std::to_string(c.id) + " deleted");
}

answerd::expected<ChildDh, ike::NotifyType> child_dh(ike::DhGroup group, const ike::Bytes& kei, crypto::Random& rng) {
  auto kx = crypto::make_key_exchange(group, rng);
  if (!kx) return answerd::unexpected(ike::NotifyType::kNoProposalChosen);
  auto g_ir = (*kx)->shared_secret(kei);
  if (!g_ir) return answerd::unexpected(ike::NotifyType::kInvalidSyntax);  // a bad public value
  const auto pv = (*kx)->public_value();
  return ChildDh{.g_ir = std::move(*g_ir), .public_value = ike::Bytes(pv.begin(), pv.end())};
}

ChildOutcome Engine::create_child(IkeSa& sa, const Request& req, std::span<const std::uint8_t> ni,
                                  std::span<const std::uint8_t> nr, bool create_child_sa, const ChildSa* rekeyed,
                                  TimePoint now) {
  auto plan = plan_child(sa, req, create_child_sa, rekeyed);
  if (!plan) return ChildOutcome{.payloads = {}, .error = std::move(plan.error())};
  ChildDh dh;
  if (plan->sel.pfs != ike::DhGroup::kNone) {
    auto d = child_dh(plan->sel.pfs, plan->kei, rng_);
    if (!d) return ChildOutcome{.payloads = {}, .error = ike::make_notify(d.error())};
    dh = std::move(*d);
  }
  const auto reqid = rekeyed != nullptr ? std::optional(rekeyed->reqid) : std::nullopt;
  return finish_child(sa, *plan, ni, nr, create_child_sa, dh, reqid, now);
}

answerd::expected<ChildPlan, ike::Payload> Engine::plan_child(IkeSa& sa, const Request& req, bool create_child_sa,
                                                              const ChildSa* rekeyed) {
  const auto* sa_p = ike::body_of<ike::SaPayload>(*ike::find_payload(req.payloads, ike::PayloadType::kSa));
  const auto* tsi = ts_of(req.payloads, ike::PayloadType::kTsi);
  const auto* tsr = ts_of(req.payloads, ike::PayloadType::kTsr);
  if (sa_p == nullptr || tsi == nullptr || tsr == nullptr)
    return answerd::unexpected(ike::make_notify(ike::NotifyType::kInvalidSyntax));
  // RFC 7296 2.9: TSi is the initiator's side (our remote), TSr ours.
  ChildPlan p;
  for (const auto& c : sa.conn->children) {
    if (rekeyed != nullptr && c.name != rekeyed->name) continue;
    p.ts_i = narrow(tsi->selectors, c.remote_ts, sa.remote.addr);
    p.ts_r = narrow(tsr->selectors, c.local_ts, sa.local.addr);
    if (!p.ts_i.empty() && !p.ts_r.empty()) {
      p.cfg = &c;
      break;
    }
  }
  if (p.cfg == nullptr) {
    ++stats_.ts_unacceptable;
    return answerd::unexpected(ike::make_notify(ike::NotifyType::kTsUnacceptable));
  }
  const auto props = p.cfg->esp_proposals.empty() ? config::default_esp_proposals() : p.cfg->esp_proposals;
  auto sel = select_esp(props, *sa_p, create_child_sa);
  if (!sel) {
    ++stats_.no_proposal_chosen;
    return answerd::unexpected(ike::make_notify(ike::NotifyType::kNoProposalChosen));
  }
  p.sel = std::move(*sel);
  // PFS (RFC 7296 1.3.1): the KE group must be one both sides accept; the response's
  // SA then names the group of the KE payloads.
  if (p.sel.pfs != ike::DhGroup::kNone) {
    const auto* kp = ike::find_payload(req.payloads, ike::PayloadType::kKe);
    const auto* ke = kp == nullptr ? nullptr : ike::body_of<ike::KePayload>(*kp);
    if (ke == nullptr || std::find(p.sel.acceptable.begin(), p.sel.acceptable.end(), ke->group) == p.sel.acceptable.end()) {
      ++stats_.invalid_ke;
      return answerd::unexpected(ike::make_invalid_ke_payload(p.sel.pfs));
    }
    p.sel.pfs = ke->group;
    p.kei = ke->data;
  }
  p.transport = p.cfg->mode == config::Mode::kTransport &&
                ike::find_notify(req.payloads, ike::NotifyType::kUseTransportMode) != nullptr;
  return p;
}

ChildOutcome Engine::finish_child(IkeSa& sa, const ChildPlan& plan, std::span<const std::uint8_t> ni,
                                  std::span<const std::uint8_t> nr, bool create_child_sa, const ChildDh& dh,
                                  std::optional<ike::Reqid> rekey_reqid, TimePoint now) {
  ChildOutcome r;
  const config::Child& chosen = *plan.cfg;
  const auto& sel = plan.sel;
  // RFC 7296 2.17: KEYMAT = prf+(SK_d, [g^ir (new) |] Ni | Nr).
  auto keys = crypto::derive_child_keys(sa.suite.prf, sa.keys.sk_d.view(), sel.suite, dh.g_ir.view(), ni, nr);
  if (!keys) {  // before the SPI: nothing reserved for a Child SA that cannot be
    r.error = ike::make_notify(ike::NotifyType::kNoAdditionalSas);
    return r;
  }
  const ike::Reqid reqid = rekey_reqid.value_or(kernel::owned_reqid(next_reqid_++));
  auto spi_in = dp_.alloc_spi(sa.remote.addr, sa.local.addr, reqid);
  if (!spi_in) {
    ++stats_.dataplane_errors;
    log("CHILD_SA: no inbound SPI: " + spi_in.error().message);
    r.error = ike::make_notify(ike::NotifyType::kNoAdditionalSas);
    return r;
  }
  ChildSa c{.id = next_child_id_++,
            .name = chosen.name,
            .spi_in = *spi_in,
            .spi_out = sel.peer_spi,
            .suite = sel.suite,
            .pfs_group = sel.pfs,
            .esn = sel.esn,
            .mode = plan.transport ? config::Mode::kTransport : config::Mode::kTunnel,
            .reqid = reqid,
            .local_ts = plan.ts_r,
            .remote_ts = plan.ts_i,
            .if_id_in = if_id(chosen.if_id_in, sa.conn->if_id_in),
            .if_id_out = if_id(chosen.if_id_out, sa.conn->if_id_out),
            .sa_in = {},
            .sa_out = {},
            .policies = {},
            .installed_at = now,
            .life_time_s = static_cast<std::uint64_t>(chosen.life_time.count())};
  // Policies belong to the first Child SA of a reqid: a rekey's new SA shares them,
  // unless the old one went meanwhile (its hard lifetime while a PFS job was out).
  const bool with_policies = std::none_of(sa.children.begin(), sa.children.end(),
                                          [&](const ChildSa& o) { return o.reqid == reqid; });
  if (!install(sa, c, chosen, *keys, with_policies)) ++stats_.dataplane_errors;
  ++stats_.child_installed;
  log("CHILD_SA " + c.name + " #" + std::to_string(c.id) + " installed, SPIs in " + std::to_string(c.spi_in.value()) +
      " out " + std::to_string(c.spi_out.value()) +
      (sel.pfs != ike::DhGroup::kNone ? ", PFS " + std::string(ike::to_string(sel.pfs)) : std::string()));
  if (plan.transport) r.payloads.push_back(ike::make_notify(ike::NotifyType::kUseTransportMode));
  r.payloads.push_back(ike::make_payload(esp_response_sa(sel, c.spi_in)));
  if (create_child_sa) r.payloads.push_back(ike::make_payload(ike::NoncePayload{ike::Bytes(nr.begin(), nr.end())}));
  if (sel.pfs != ike::DhGroup::kNone) r.payloads.push_back(ike::make_payload(ike::KePayload{sel.pfs, dh.public_value}));
  r.payloads.push_back(ike::make_payload(ike::PayloadType::kTsi, ike::TsPayload{plan.ts_i}));
  r.payloads.push_back(ike::make_payload(ike::PayloadType::kTsr, ike::TsPayload{plan.ts_r}));
  sa.children.push_back(std::move(c));
  return r;
}

}  // namespace answerd::sa
