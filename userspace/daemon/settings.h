// RuntimeSettings: what the daemon wiring needs from the configuration, extracted
// from config::Config by config_adapter.cpp (the only file that reads Config for
// the daemon core). Keeping this seam lets the daemon be driven in tests by a
// loader that returns settings directly.
#pragma once

#include "daemon/ike_listener.h"
#include "util/expected.h"

#include <nlohmann/json.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace answerd::config {
struct Config;
}

namespace answerd::daemon {

enum class Dataplane { xfrm, none };

// One `allow` LPM entry of the XDP filter: 16 bytes (IPv6, or IPv4-mapped
// ::ffff:a.b.c.d) and the prefix length counted on those 128 bits.
struct XdpPrefix {
  std::array<std::uint8_t, 16> addr{};
  std::uint32_t prefixlen = 128;
  friend bool operator==(const XdpPrefix&, const XdpPrefix&) = default;
};

// The XDP filter as configured (answerd.xdp, answerd.bpffs, remote_addrs).
struct XdpSetup {
  std::vector<std::string> interfaces;  // empty: no XDP
  bool generic = false;                 // mode = generic (skb) instead of native
  std::string bpffs = "/sys/fs/bpf/answerd";
  std::uint16_t ike_port = 500, natt_port = 4500;
  std::uint32_t init_rate = 200, init_burst = 50;
  bool allowlist = false;               // every connection restricts remote_addrs
  std::vector<XdpPrefix> allow;         // their remote_addrs, as prefixes
  [[nodiscard]] bool enabled() const { return !interfaces.empty(); }
  // What needs a restart to change.
  [[nodiscard]] bool same_attachment(const XdpSetup& o) const {
    return interfaces == o.interfaces && generic == o.generic && bpffs == o.bpffs;
  }
};

struct RuntimeSettings {
  Dataplane dataplane = Dataplane::xfrm;
  std::string control_socket = "/run/answerd/answerd.sock";
  IkeListenerOptions ike;             // listen addresses and ports
  XdpSetup xdp;                       // XDP filter; xdp.enabled(): interfaces configured
  std::size_t workers = 0;            // 0: one per CPU
  std::string log_spec;               // for log::apply_spec; empty: leave as is
  nlohmann::json connections = nlohmann::json::array();  // `conn list` entries
  std::vector<std::string> warnings;  // non-fatal config findings, "file:line: ..."
  // The whole validated configuration, for the IKE SA engine (connections, secrets).
  std::shared_ptr<const config::Config> config;
};

// Loads and validates the file; errors are "file:line: message" lines.
using SettingsLoader =
    std::function<expected<RuntimeSettings, std::vector<std::string>>(const std::string& path)>;

[[nodiscard]] inline const char* to_string(Dataplane d) { return d == Dataplane::xfrm ? "xfrm" : "none"; }

}  // namespace answerd::daemon
