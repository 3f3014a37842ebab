// RuntimeSettings: what the daemon wiring needs from the configuration, extracted
// from config::Config by config_adapter.cpp (the only file that reads Config for
// the daemon core). Keeping this seam lets the daemon be driven in tests by a
// loader that returns settings directly.
#pragma once

#include "daemon/ike_listener.h"
#include "util/expected.h"

#include <nlohmann/json.hpp>

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace answerd::config {
struct Config;
}

namespace answerd::daemon {

enum class Dataplane { xfrm, none };

struct RuntimeSettings {
  Dataplane dataplane = Dataplane::xfrm;
  std::string control_socket = "/run/answerd/answerd.sock";
  IkeListenerOptions ike;             // listen addresses and ports
  bool xdp = false;                   // XDP interfaces configured
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
