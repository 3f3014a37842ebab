// connections.<conn>.children.<child>: traffic selectors, ESP proposals, mode and
// Child SA lifetimes. answerd never initiates, so actions that would start or
// re-establish a Child SA (start_action = start|trap, ...) are errors that say why.
#include "config/validate.h"
#include "config/values.h"

namespace answerd::config::detail {
namespace {

Result responder_action(std::string_view key, std::string_view v,
                        std::initializer_list<std::string_view> ok) {
  for (auto o : ok)
    if (v == o) return {};
  if (v == "start" || v == "trap" || v == "restart")
    return unexpected("'" + std::string(v) + "' is not possible: answerd is responder-only and never "
                      "initiates or re-establishes a CHILD_SA; the peer does (use " +
                      std::string(*ok.begin()) + ")");
  std::string names;
  for (auto o : ok) names += (names.empty() ? "" : ", ") + std::string(o);
  (void)key;
  return unexpected("'" + std::string(v) + "' is not one of " + names);
}

Result set_count(std::uint64_t& out, bool& given, std::string_view v) {
  auto n = parse_count(v);
  if (!n) return unexpected(n.error());
  out = *n;
  given = true;
  return {};
}

struct Given {
  bool rekey_time = false, life_time = false, rekey_bytes = false, life_bytes = false,
       rekey_packets = false, life_packets = false;
};

// strongSwan's defaults (life = rekey + 10%), with answerd's rule that the soft
// (rekey) limit never exceeds the hard (life) limit.
void settle_lifetimes(Ctx& ctx, const Section& sec, const std::string& path, Child& c, const Given& g) {
  if (!g.life_time) c.life_time = c.rekey_time * 110 / 100;
  if (!g.rekey_time && c.rekey_time >= c.life_time) c.rekey_time = c.life_time * 9 / 10;
  if (c.rekey_time > c.life_time)
    ctx.diags.error(sec.loc, path + ": rekey_time (" + duration_to_string(c.rekey_time) +
                                 ") exceeds life_time (" + duration_to_string(c.life_time) + ")");
  if (!g.life_bytes) c.life_bytes = c.rekey_bytes / 100 * 110 + c.rekey_bytes % 100 * 110 / 100;
  if (!g.life_packets) c.life_packets = c.rekey_packets / 100 * 110 + c.rekey_packets % 100 * 110 / 100;
  if (c.life_bytes != 0 && c.rekey_bytes > c.life_bytes)
    ctx.diags.error(sec.loc, path + ": rekey_bytes exceeds life_bytes");
  if (c.life_packets != 0 && c.rekey_packets > c.life_packets)
    ctx.diags.error(sec.loc, path + ": rekey_packets exceeds life_packets");
}

Child validate_child(Ctx& ctx, const Section& sec, const std::string& path) {
  Child c{.name = sec.name, .loc = sec.loc};
  Given g;
  auto ts = [](std::vector<TrafficSelector>& out) {
    return [&out](const Setting& s) -> Result {
      auto l = parse_ts_list(s.value);
      if (!l) return unexpected(l.error());
      out = std::move(*l);
      return {};
    };
  };
  auto ignored = [&ctx, &path](const Setting& s) -> Result {
    if (parse_count(s.value) || parse_duration(s.value))
      ctx.diags.warning(s.loc, path + "." + s.key + " has no effect: answerd never rekeys");
    else
      return unexpected("'" + s.value + "' is not a number");
    return {};
  };
  const KeyRule rules[] = {
      {"local_ts", ts(c.local_ts)},
      {"remote_ts", ts(c.remote_ts)},
      {"esp_proposals", [&](const Setting& s) -> Result {
         auto l = parse_esp_proposals(s.value);
         if (!l) return unexpected(l.error());
         c.esp_proposals = std::move(*l);
         return {};
       }},
      {"mode", [&](const Setting& s) -> Result {
         if (s.value == "pass" || s.value == "drop" || s.value == "beet")
           return unexpected("mode '" + s.value + "' is not supported (tunnel or transport)");
         return set_choice(c.mode, s.value, {{"tunnel", Mode::kTunnel}, {"transport", Mode::kTransport}});
       }},
      {"rekey_time", [&](const Setting& s) { g.rekey_time = true; return set_seconds(c.rekey_time, s.value); }},
      {"life_time", [&](const Setting& s) { g.life_time = true; return set_seconds(c.life_time, s.value); }},
      {"rand_time", ignored},
      {"rekey_bytes", [&](const Setting& s) { return set_count(c.rekey_bytes, g.rekey_bytes, s.value); }},
      {"life_bytes", [&](const Setting& s) { return set_count(c.life_bytes, g.life_bytes, s.value); }},
      {"rand_bytes", ignored},
      {"rekey_packets", [&](const Setting& s) { return set_count(c.rekey_packets, g.rekey_packets, s.value); }},
      {"life_packets", [&](const Setting& s) { return set_count(c.life_packets, g.life_packets, s.value); }},
      {"rand_packets", ignored},
      {"replay_window", [&](const Setting& s) { return set_u32(c.replay_window, s.value, 0xffffffffu); }},
      {"if_id_in", [&](const Setting& s) { return set_if_id(c.if_id_in, s.value); }},
      {"if_id_out", [&](const Setting& s) { return set_if_id(c.if_id_out, s.value); }},
      {"ipcomp", [&](const Setting& s) -> Result {
         auto r = set_bool(c.ipcomp, s.value);
         if (r && c.ipcomp) return unexpected(std::string("IPComp is not supported"));
         return r;
       }},
      {"copy_df", [&](const Setting& s) { return set_bool(c.copy_df, s.value); }},
      {"copy_ecn", [&](const Setting& s) { return set_bool(c.copy_ecn, s.value); }},
      {"copy_dscp", [&](const Setting& s) {
         return set_choice(c.copy_dscp, s.value, {{"out", CopyDscp::kOut}, {"in", CopyDscp::kIn},
                                                  {"yes", CopyDscp::kYes}, {"no", CopyDscp::kNo}});
       }},
      {"start_action", [](const Setting& s) { return responder_action(s.key, s.value, {"none"}); }},
      {"close_action", [](const Setting& s) { return responder_action(s.key, s.value, {"none"}); }},
      {"dpd_action", [](const Setting& s) { return responder_action(s.key, s.value, {"clear", "none"}); }},
      {"updown", [](const Setting&) -> Result {
         return unexpected(std::string("updown scripts are not supported (answerd logs SA events; "
                                       "use if_id_in/if_id_out with an xfrm interface for routing)"));
       }},
  };
  apply_rules(ctx, sec, path, rules);
  check_sections(ctx, sec, path, [](const std::string&) { return false; });
  if (c.local_ts.empty()) c.local_ts.push_back({.dynamic = true, .text = "dynamic"});
  if (c.remote_ts.empty()) c.remote_ts.push_back({.dynamic = true, .text = "dynamic"});
  if (c.esp_proposals.empty()) c.esp_proposals = default_esp_proposals();
  settle_lifetimes(ctx, sec, path, c, g);
  return c;
}

}  // namespace

std::vector<Child> validate_children(Ctx& ctx, const Section& sec, const std::string& path) {
  std::vector<Child> out;
  for (const auto& s : sec.settings)
    ctx.diags.error(s.loc, "unexpected key '" + s.key + "' in " + path + " (children are sections)");
  for (const auto& sub : sec.sections) out.push_back(validate_child(ctx, sub, path + "." + sub.name));
  return out;
}

}  // namespace answerd::config::detail
