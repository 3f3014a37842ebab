// The bridge from the configuration library (config/load.h) to the daemon: loads a
// file with config::load_file() and extracts RuntimeSettings, including the
// `conn list` JSON. Also implements `answerd --check-config`.
#pragma once

#include "daemon/settings.h"

#include <string>
#include <vector>

namespace answerd::config {
struct Config;
struct AddressRange;
}

namespace answerd::daemon {

// Errors and warnings as "file:line: message" lines (config::to_string(Diagnostic)).
[[nodiscard]] expected<RuntimeSettings, std::vector<std::string>> load_settings(const std::string& path);

// Extracts the daemon's view of a validated Config.
[[nodiscard]] RuntimeSettings settings_from_config(const config::Config& cfg);

// An address range as the fewest prefixes that cover exactly it (the XDP `allow`
// LPM trie keys; IPv4 in the IPv4-mapped form, prefix length + 96).
[[nodiscard]] std::vector<XdpPrefix> range_prefixes(const config::AddressRange& r);

// `answerd --check-config -c FILE`: diagnostics on stderr, a one-line summary on
// stdout when valid. Returns the exit code (0 valid, 1 errors).
[[nodiscard]] int check_config(const std::string& path);

}  // namespace answerd::daemon
