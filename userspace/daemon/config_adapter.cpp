// Config -> RuntimeSettings (see config_adapter.h).
#include "daemon/config_adapter.h"

#include "config/load.h"
#include "config/proposal_keywords.h"
#if ANSWERD_HAVE_SA_ENGINE
#include "ike/sa/auth_pubkey.h"
#endif

#include <fmt/format.h>

#include <array>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <set>

namespace answerd::daemon {
namespace {

using Addr16 = std::array<std::uint8_t, 16>;

// The XDP maps' 16-byte form: IPv6 as is, IPv4 mapped (::ffff:a.b.c.d).
Addr16 mapped(const config::IpAddress& a) {
  if (a.family == 6) return a.bytes;
  Addr16 m{};
  m[10] = m[11] = 0xff;
  for (int i = 0; i < 4; ++i) m[12 + i] = a.bytes[i];
  return m;
}

// Whether the low `bits` bits of `a` are all zero.
bool aligned(const Addr16& a, int bits) {
  for (int i = 0; i < bits; ++i)
    if (a[15 - i / 8] & (1u << (i % 8))) return false;
  return true;
}

// `a` with its low `bits` bits set.
Addr16 block_end(Addr16 a, int bits) {
  for (int i = 0; i < bits; ++i) a[15 - i / 8] = static_cast<std::uint8_t>(a[15 - i / 8] | (1u << (i % 8)));
  return a;
}

// a + 1; false on wrap-around.
bool increment(Addr16& a) {
  for (int i = 15; i >= 0; --i)
    if (++a[i] != 0) return true;
  return false;
}

}  // namespace

std::vector<XdpPrefix> range_prefixes(const config::AddressRange& r) {
  std::vector<XdpPrefix> out;
  Addr16 from = mapped(r.from);
  const Addr16 to = mapped(r.to);
  while (from <= to) {
    int bits = 0;  // the largest aligned block starting at `from` that ends within `to`
    while (bits < 128 && aligned(from, bits + 1) && block_end(from, bits + 1) <= to) ++bits;
    out.push_back({from, static_cast<std::uint32_t>(128 - bits)});
    Addr16 next = block_end(from, bits);
    if (!increment(next)) break;
    from = next;
  }
  return out;
}

namespace {

XdpSetup xdp_setup(const config::Config& cfg) {
  const auto& x = cfg.daemon.xdp;
  XdpSetup s;
  s.interfaces = x.interfaces;
  s.generic = x.mode == config::XdpMode::kGeneric;
  s.bpffs = cfg.daemon.bpffs.string();
  if (!x.ports.empty()) s.ike_port = x.ports[0];
  if (x.ports.size() > 1) s.natt_port = x.ports[1];
  s.init_rate = x.init_rate;
  s.init_burst = x.init_burst;
  s.allowlist = !cfg.connections.empty();
  for (const auto& c : cfg.connections) s.allowlist = s.allowlist && config::restricts_remote_addrs(c);
  if (s.allowlist)
    for (const auto& c : cfg.connections)
      for (const auto& r : c.remote_addrs)
        for (const auto& p : range_prefixes(r)) s.allow.push_back(p);
  return s;
}

nlohmann::json ranges(const std::vector<config::AddressRange>& list) {
  auto a = nlohmann::json::array();
  for (const auto& r : list) a.push_back(r.text);
  return a;
}

nlohmann::json selectors(const std::vector<config::TrafficSelector>& list) {
  auto a = nlohmann::json::array();
  for (const auto& t : list) a.push_back(t.dynamic && t.text.empty() ? "dynamic" : t.text);
  return a;
}

nlohmann::json proposals(const std::vector<config::Proposal>& list) {
  auto a = nlohmann::json::array();
  for (const auto& p : list) a.push_back(config::to_keyword(p));  // strongSwan keywords
  return a;
}

nlohmann::json auth_rounds(const std::vector<config::AuthRound>& rounds) {
  auto a = nlohmann::json::array();
  for (const auto& r : rounds)
    a.push_back({{"round", r.name}, {"auth", config::to_string(r.auth)}, {"id", r.id.text}});
  return a;
}

nlohmann::json connection_json(const config::Connection& c) {
  auto children = nlohmann::json::array();
  for (const auto& ch : c.children)
    children.push_back({{"name", ch.name},
                        {"mode", config::to_string(ch.mode)},
                        {"local_ts", selectors(ch.local_ts)},
                        {"remote_ts", selectors(ch.remote_ts)},
                        {"esp_proposals", proposals(ch.esp_proposals)},
                        {"life_time_s", ch.life_time.count()}});
  return {{"name", c.name},
          {"version", c.version},
          {"local_addrs", ranges(c.local_addrs)},
          {"remote_addrs", ranges(c.remote_addrs)},
          {"local_port", c.local_port},
          {"proposals", proposals(c.proposals)},
          {"unique", config::to_string(c.unique)},
          {"local", auth_rounds(c.local)},
          {"remote", auth_rounds(c.remote)},
          {"auth_lifetime_s", c.auth_lifetime().count()},
          {"children", std::move(children)}};
}

// Listen on the connections' addresses when every one names single addresses,
// otherwise on the wildcards (replies still leave from the address asked, PKTINFO).
std::vector<IpAddress> listen_addresses(const config::Config& cfg) {
  std::set<std::pair<int, std::array<std::uint8_t, 16>>> seen;
  std::vector<IpAddress> out;
  for (const auto& c : cfg.connections) {
    if (c.local_addrs.empty()) return {};
    for (const auto& r : c.local_addrs) {
      if (r.any || r.from != r.to) return {};
      IpAddress a;
      a.family = r.from.family == 4 ? AF_INET : AF_INET6;
      a.bytes = r.from.bytes;
      if (seen.insert({a.family, a.bytes}).second) out.push_back(a);
    }
  }
  return out;
}

const char* level_word(config::LogLevel l) {
  switch (l) {
    case config::LogLevel::kSilent:  // no "off" level: errors are always worth a line
    case config::LogLevel::kError: return "error";
    case config::LogLevel::kWarning: return "warn";
    case config::LogLevel::kInfo: return "info";
    case config::LogLevel::kDebug: return "debug";
    case config::LogLevel::kTrace: return "trace";
  }
  return "info";
}

// The config's subsystem names onto the log's: enc and sa log as ike.
std::string log_spec(const config::LogSettings& ls) {
  std::string spec = level_word(ls.level);
  for (const auto& [sub, lvl] : ls.subsystems) {
    std::string name = (sub == "enc" || sub == "sa") ? "ike" : sub;
    spec += fmt::format(",{}={}", name, level_word(lvl));
  }
  return spec;
}

// The certificates and keys of `auth = pubkey` rounds are read here, so that a bad
// file stops startup, reload and --check-config with its path instead of failing
// the first IKE_AUTH. The engine loads its own copy when it is built.
std::vector<std::string> credential_errors(const std::shared_ptr<const config::Config>& cfg) {
#if ANSWERD_HAVE_SA_ENGINE
  auto a = sa::PubkeyAuthenticator::load(cfg);
  if (!a) return a.error();
#else
  (void)cfg;
#endif
  return {};
}

}  // namespace

RuntimeSettings settings_from_config(const config::Config& cfg) {
  RuntimeSettings s;
  s.dataplane = cfg.daemon.dataplane == config::Dataplane::kNone ? Dataplane::none : Dataplane::xfrm;
  s.control_socket = cfg.daemon.control_socket.string();
  s.ike.local_addrs = listen_addresses(cfg);
  s.xdp = xdp_setup(cfg);
  s.workers = cfg.daemon.workers;
  s.log_spec = log_spec(cfg.daemon.log);
  for (const auto& c : cfg.connections) {
    s.connections.push_back(connection_json(c));
    if (c.local_port != 500)
      s.warnings.push_back(fmt::format("{}:{}: connection {}: local_port {} is not used, answerd listens "
                                       "on UDP 500 and 4500", c.loc.file, c.loc.line, c.name, c.local_port));
  }
  for (const auto& w : cfg.warnings) s.warnings.push_back(config::to_string(w));
  return s;
}

expected<RuntimeSettings, std::vector<std::string>> load_settings(const std::string& path) {
  auto cfg = config::load_file(path);
  if (!cfg) {
    std::vector<std::string> lines;
    for (const auto& d : cfg.error()) lines.push_back(config::to_string(d));
    if (lines.empty()) lines.push_back(path + ": invalid configuration");
    return unexpected(std::move(lines));
  }
  auto shared = std::make_shared<const config::Config>(std::move(*cfg));
  if (auto errors = credential_errors(shared); !errors.empty()) return unexpected(std::move(errors));
  RuntimeSettings s = settings_from_config(*shared);
  s.config = std::move(shared);
  return s;
}

int check_config(const std::string& path) {
  auto cfg = config::load_file(path);
  if (!cfg) {
    for (const auto& d : cfg.error()) std::fprintf(stderr, "%s\n", config::to_string(d).c_str());
    return 1;
  }
  for (const auto& w : cfg->warnings) std::fprintf(stderr, "%s\n", config::to_string(w).c_str());
  if (auto errors = credential_errors(std::make_shared<const config::Config>(*cfg)); !errors.empty()) {
    for (const auto& e : errors) std::fprintf(stderr, "%s\n", e.c_str());
    return 1;
  }
  std::size_t children = 0;
  for (const auto& c : cfg->connections) children += c.children.size();
  std::printf("%s: valid: %zu connections, %zu child configs, %zu secrets, dataplane %s\n", path.c_str(),
              cfg->connections.size(), children, cfg->secrets.size(),
              std::string(config::to_string(cfg->daemon.dataplane)).c_str());
  return 0;
}

}  // namespace answerd::daemon
