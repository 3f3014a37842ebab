// `answerctl sa list` snapshots and `stats show` counters (DESIGN.md field names),
#include "ike/sa/engine_impl.h"
#include "ike/sa/traffic_selectors.h"
#include "ike/wire/names.h"

namespace answerd::sa {
namespace {

std::int64_t secs(std::chrono::steady_clock::duration d) {
  return std::chrono::duration_cast<std::chrono::seconds>(d).count();
}

std::string encr_name(ike::EncrId e, std::uint16_t bits) {
  std::string s = ike::to_string(e);
  return bits != 0 ? s + "_" + std::to_string(bits) : s;
}

ChildSaSnapshot child_snapshot(const ChildSa& c, kernel::KernelIpsec& dp, TimePoint now) {
  ChildSaSnapshot s{.name = c.name,
                    .state = "INSTALLED",
                    .mode = std::string(config::to_string(c.mode)),
                    .spi_in = c.spi_in.value(),
                    .spi_out = c.spi_out.value(),
                    .encr = encr_name(c.suite.encr, c.suite.encr_key_bits),
                    .integ = c.suite.integ == ike::IntegId::kNone ? "" : ike::to_string(c.suite.integ),
                    .dh_group = ike::to_string(c.pfs_group),
                    .local_ts = {},
                    .remote_ts = {},
                    .lifetime_left_s = static_cast<std::int64_t>(c.life_time_s) - secs(now - c.installed_at)};
  for (const auto& t : c.local_ts) s.local_ts.push_back(to_string(t));
  for (const auto& t : c.remote_ts) s.remote_ts.push_back(to_string(t));
  if (auto in = dp.query_sa(c.sa_in)) {
    s.bytes_in = in->bytes;
    s.packets_in = in->packets;
  }
  if (auto o = dp.query_sa(c.sa_out)) {
    s.bytes_out = o->bytes;
    s.packets_out = o->packets;
  }
  return s;
}

}  // namespace

std::vector<IkeSaSnapshot> Engine::snapshot(TimePoint now) const {
  std::vector<IkeSaSnapshot> out;
  for (const auto& [spi, sa] : sas_) {
    const bool up = sa->state == IkeState::kEstablished;
    IkeSaSnapshot s{.id = sa->id,
                    .state = std::string(to_string(sa->state)),
                    .local_addr = config::to_string(sa->local.addr),
                    .remote_addr = config::to_string(sa->remote.addr),
                    .local_id = sa->local_id,
                    .remote_id = sa->remote_id,
                    .local_port = sa->local.port,
                    .remote_port = sa->remote.port,
                    .spi_i = sa->spi_i.value(),
                    .spi_r = sa->spi_r.value(),
                    .encr = encr_name(sa->suite.encr, sa->suite.encr_key_bits),
                    .integ = sa->suite.integ == ike::IntegId::kNone ? "" : ike::to_string(sa->suite.integ),
                    .prf = ike::to_string(sa->suite.prf),
                    .dh_group = ike::to_string(sa->group),
                    .auth = up ? std::string(config::to_string(sa->auth)) : "",
                    .connection = sa->conn != nullptr ? sa->conn->name : "",
                    .established_s = up ? secs(now - sa->established_at) : 0,
                    .lifetime_left_s = 0,
                    .child_sas = {}};
    s.nat_local = sa->nat_local;
    s.nat_remote = sa->nat_remote;
    if (up && sa->conn != nullptr)
      s.lifetime_left_s = secs(sa->conn->hard_lifetime()) - secs(now - sa->established_at);
    for (const auto& c : sa->children) s.child_sas.push_back(child_snapshot(c, dp_, now));
    out.push_back(std::move(s));
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
  return out;
}

std::vector<std::pair<std::string, std::uint64_t>> Stats::named() const {
  std::vector<std::pair<std::string, std::uint64_t>> v{
      {"received", received}, {"sent", sent}, {"malformed", malformed}, {"unknown_spi", unknown_spi},
      {"decrypt_failed", decrypt_failed}, {"out_of_window", out_of_window},
      {"retransmits_answered", retransmits_answered}, {"init_in_progress_dropped", init_in_progress_dropped},
      {"job_in_progress_dropped", job_in_progress_dropped}, {"nat_mapping_updates", nat_mapping_updates},
      {"ike_sa_init", ike_sa_init}, {"ike_auth", ike_auth}, {"create_child_sa", create_child_sa},
      {"informational", informational}, {"no_proposal_chosen", no_proposal_chosen}, {"invalid_ke", invalid_ke},
      {"cookies_sent", cookies_sent}, {"cookies_bad", cookies_bad}, {"half_open_limited", half_open_limited},
      {"half_open_timeouts", half_open_timeouts}, {"auth_failed", auth_failed},
      {"ts_unacceptable", ts_unacceptable}, {"childless", childless}, {"ike_established", ike_established},
      {"ike_deleted", ike_deleted}, {"ike_rekeyed", ike_rekeyed}, {"child_installed", child_installed},
      {"child_deleted", child_deleted}, {"child_rekeyed", child_rekeyed}, {"dataplane_errors", dataplane_errors},
      {"initial_contact_deleted", initial_contact_deleted}, {"duplicates_resolved", duplicates_resolved}, {"fragments_received", fragments_received},
      {"fragments_sent", fragments_sent}, {"child_soft_expired", child_soft_expired},
      {"child_hard_expired", child_hard_expired}, {"acquires_ignored", acquires_ignored}, {"invariant_dropped", invariant_dropped},
      {"requests_sent", requests_sent}, {"request_retransmits", request_retransmits},
      {"requests_answered", requests_answered}, {"requests_given_up", requests_given_up},
      {"liveness_checks", liveness_checks}, {"unsolicited_responses", unsolicited_responses},
      {"reloads", reloads}, {"reload_kept", reload_kept}, {"reload_deleted", reload_deleted}};
  static constexpr IkeState kStates[] = {IkeState::kHalfOpen, IkeState::kEstablished, IkeState::kDeleting,
                                         IkeState::kDeleted};
  for (auto a : kStates)
    for (auto b : kStates)
      if (state_changes[static_cast<int>(a)][static_cast<int>(b)] != 0)
        v.emplace_back("state " + std::string(to_string(a)) + " -> " + std::string(to_string(b)),
                       state_changes[static_cast<int>(a)][static_cast<int>(b)]);
  return v;
}

}  // namespace answerd::sa
