// Public entry points of the configuration loader: read a swanctl.conf-style file
// (DESIGN.md "Configuration", docs/configuration.md), validate every key and return
// an immutable Config, or every problem found as "file:line: message" diagnostics.
// `answerd --check-config -c FILE` is load_file() plus printing the diagnostics.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"
#include "config/diagnostic.h"
#include "config/settings.h"
#include "util/expected.h"

namespace answerd::config {

struct LoadOptions {
  bool allow_include = true;
  // certs/cacerts/pubkeys/private key files must exist (relative paths resolve against
  // the directory of the file that names them, then its swanctl-style subdirectory:
  // x509/, x509ca/, pubkey/, private/, rsa/, ecdsa/).
  bool check_files = true;
  // Directory for includes and relative file names of parse_string(); empty: cwd.
  std::filesystem::path base_dir;
  ParseLimits limits;
};

// On success the Config carries the warnings; on failure the vector has every error
// and warning found, in file order per phase (syntax, then keys, then cross-checks).
[[nodiscard]] expected<Config, std::vector<Diagnostic>> load_file(
    const std::filesystem::path& path, const LoadOptions& options = {});
[[nodiscard]] expected<Config, std::vector<Diagnostic>> parse_string(
    std::string_view text, const std::string& name, const LoadOptions& options = {});

// Validates an already parsed settings tree (parse_settings_*). `string_name` is the
// diagnostic name whose relative file names resolve against options.base_dir (the
// name given to parse_string, empty for files); `root_file` names whole-config
// findings ("no connections defined").
[[nodiscard]] expected<Config, std::vector<Diagnostic>> validate(
    const Section& root, const LoadOptions& options, Diagnostics diags,
    const std::string& string_name, const std::string& root_file);

}  // namespace answerd::config
