// The answerd { } section: settings of the daemon itself that strongSwan keeps in
// strongswan.conf (dataplane, control socket, bpffs, XDP front end, limits, logging).
#include "config/validate.h"
#include "config/values.h"

namespace answerd::config::detail {
namespace {

Result set_abs_path(std::filesystem::path& out, std::string_view v) {
  std::filesystem::path p(v);
  if (v.empty() || !p.is_absolute()) return unexpected("'" + std::string(v) + "' is not an absolute path");
  out = p;
  return {};
}

constexpr std::pair<std::string_view, LogLevel> kLevels[] = {
    {"silent", LogLevel::kSilent}, {"error", LogLevel::kError}, {"warning", LogLevel::kWarning},
    {"info", LogLevel::kInfo},     {"debug", LogLevel::kDebug}, {"trace", LogLevel::kTrace},
};
constexpr std::string_view kSubsystems[] = {"cfg", "ike", "enc", "net", "knl", "xdp", "ctl", "sa"};

// Linux interface names: 1..15 bytes, no '/', ':' or blanks (dev_valid_name()).
Result set_interfaces(std::vector<std::string>& out, std::string_view v) {
  out.clear();
  for (const auto& name : split_list(v)) {
    if (name.empty() || name.size() > 15 || name.find_first_of("/: \t") != std::string::npos ||
        name == "." || name == "..")
      return unexpected("'" + name + "' is not a valid interface name");
    out.push_back(name);
  }
  if (out.empty()) return unexpected(std::string("empty interface list"));
  return {};
}

Result set_ports(std::vector<std::uint16_t>& out, std::string_view v) {
  out.clear();
  for (const auto& p : split_list(v)) {
    auto n = parse_uint(p, 65535);
    if (!n || *n == 0) return unexpected("'" + p + "' is not a valid port");
    out.push_back(static_cast<std::uint16_t>(*n));
  }
  if (out.empty()) return unexpected(std::string("empty port list"));
  return {};
}

void validate_xdp(Ctx& ctx, const Section& sec, XdpSettings& x) {
  const KeyRule rules[] = {
      {"interfaces", [&](const Setting& s) { return set_interfaces(x.interfaces, s.value); }},
      {"mode", [&](const Setting& s) {
         return set_choice(x.mode, s.value, {{"native", XdpMode::kNative}, {"generic", XdpMode::kGeneric}});
       }},
      {"init_rate", [&](const Setting& s) { return set_u32(x.init_rate, s.value, 1000000); }},
      {"init_burst", [&](const Setting& s) { return set_u32(x.init_burst, s.value, 1000000); }},
      {"ports", [&](const Setting& s) { return set_ports(x.ports, s.value); }},
  };
  apply_rules(ctx, sec, "answerd.xdp", rules);
  check_sections(ctx, sec, "answerd.xdp", [](const std::string&) { return false; });
  if (x.init_rate != 0 && x.init_burst == 0)
    ctx.diags.error(sec.loc, "answerd.xdp: init_burst must be at least 1 when init_rate is set");
}

void validate_log(Ctx& ctx, const Section& sec, LogSettings& l) {
  const KeyRule rules[] = {
      {"level", [&](const Setting& s) { return set_choice(l.level, s.value, std::span<const std::pair<std::string_view, LogLevel>>(kLevels)); }},
  };
  apply_rules(ctx, sec, "answerd.log", rules, [&](const Setting& s) {
    bool known = false;
    for (auto sub : kSubsystems) known = known || s.key == sub;
    if (!known) return false;
    auto lv = choose(s.value, std::span<const std::pair<std::string_view, LogLevel>>(kLevels));
    if (!lv) ctx.diags.error(s.loc, "answerd.log." + s.key + ": " + lv.error());
    else l.subsystems.emplace_back(s.key, *lv);
    return true;
  });
  check_sections(ctx, sec, "answerd.log", [](const std::string&) { return false; });
}

}  // namespace

void validate_daemon(Ctx& ctx, const Section& sec, DaemonSettings& d) {
  const KeyRule rules[] = {
      {"dataplane", [&](const Setting& s) {
         return set_choice(d.dataplane, s.value, {{"xfrm", Dataplane::kXfrm}, {"none", Dataplane::kNone}});
       }},
      {"control_socket", [&](const Setting& s) { return set_abs_path(d.control_socket, s.value); }},
      {"bpffs", [&](const Setting& s) { return set_abs_path(d.bpffs, s.value); }},
      {"cookie_threshold", [&](const Setting& s) { return set_u32(d.cookie_threshold, s.value, 1000000); }},
      {"half_open_per_source", [&](const Setting& s) { return set_u32(d.half_open_per_source, s.value, 1000000); }},
      {"workers", [&](const Setting& s) { return set_u32(d.workers, s.value, 1024); }},
  };
  apply_rules(ctx, sec, "answerd", rules);
  check_sections(ctx, sec, "answerd", [](const std::string& n) { return n == "xdp" || n == "log"; });
  if (const Section* x = sec.find_section("xdp")) validate_xdp(ctx, *x, d.xdp);
  if (const Section* l = sec.find_section("log")) validate_log(ctx, *l, d.log);
}

}  // namespace answerd::config::detail
