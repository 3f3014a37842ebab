// Internal to the config library: the context and helpers shared by the validators of
// connections (validate_conn.cpp), secrets (validate_secrets.cpp) and the answerd
// section (validate_daemon.cpp). Not installed for other modules.
#pragma once

#include <filesystem>
#include <functional>
#include <initializer_list>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>

#include "config/config.h"
#include "config/load.h"
#include "config/settings.h"

namespace answerd::config::detail {

struct Ctx {
  Diagnostics& diags;
  const LoadOptions& opts;
  std::string string_name;  // parse_string's name: its directory is opts.base_dir
  std::string root_file;    // the file (or parse_string name) loading started with
  // cacert files of the authorities section: trusted by remote pubkey rounds
  // without cacerts/certs/pubkeys (strongSwan trusts loaded authorities globally).
  std::vector<std::filesystem::path> authority_cas{};

  // Directory that relative file names in `at.file` resolve against.
  [[nodiscard]] std::filesystem::path dir_of(const SourceLoc& at) const;
  // Resolves a file name (see LoadOptions::check_files); nullopt after an error.
  [[nodiscard]] std::optional<std::filesystem::path> resolve(const Setting& s,
                                                             std::string_view value,
                                                             std::string_view subdir,
                                                             const std::string& path);
};

using Result = expected<void, std::string>;
struct KeyRule {
  std::string_view key;
  std::function<Result(const Setting&)> apply;
};

// Runs the rule of each setting of `sec`; errors are "<path>.<key>: message".
// Keys without a rule are "unknown key" errors, unless `unknown` handles them
// (returns true when it did).
void apply_rules(Ctx& ctx, const Section& sec, const std::string& path,
                 std::span<const KeyRule> rules,
                 const std::function<bool(const Setting&)>& unknown = {});
// Reports every subsection of `sec` not accepted by `known`.
void check_sections(Ctx& ctx, const Section& sec, const std::string& path,
                    const std::function<bool(const std::string&)>& known);

// Value "a" of the choices, or an error listing them.
template <class E>
expected<E, std::string> choose(std::string_view v,
                                std::span<const std::pair<std::string_view, E>> choices) {
  std::string names;
  for (const auto& [name, e] : choices) {
    if (name == v) return e;
    names += (names.empty() ? "" : ", ") + std::string(name);
  }
  return unexpected("'" + std::string(v) + "' is not one of " + names);
}

template <class E>
expected<E, std::string> choose(std::string_view v,
                                std::initializer_list<std::pair<std::string_view, E>> choices) {
  return choose(v, std::span<const std::pair<std::string_view, E>>(choices.begin(), choices.size()));
}

template <class E>
Result set_choice(E& out, std::string_view v,
                  std::span<const std::pair<std::string_view, E>> choices) {
  auto e = choose(v, choices);
  if (!e) return unexpected(e.error());
  out = *e;
  return {};
}

template <class E>
Result set_choice(E& out, std::string_view v,
                  std::initializer_list<std::pair<std::string_view, E>> choices) {
  auto e = choose(v, choices);
  if (!e) return unexpected(e.error());
  out = *e;
  return {};
}

Result set_bool(bool& out, std::string_view v);
Result set_seconds(Seconds& out, std::string_view v);
Result set_u32(std::uint32_t& out, std::string_view v, std::uint32_t max = 0xffffffffu);
Result set_if_id(std::optional<IfId>& out, std::string_view v);

std::vector<Child> validate_children(Ctx& ctx, const Section& sec, const std::string& path);
void validate_connections(Ctx& ctx, const Section& sec, std::vector<Connection>& out);
void validate_secrets(Ctx& ctx, const Section& sec, std::vector<Secret>& out);
void validate_daemon(Ctx& ctx, const Section& sec, DaemonSettings& out);
void validate_authorities(Ctx& ctx, const Section& sec, std::vector<Authority>& out);
// The regular files of x509crl/ next to the root config file (sorted; none for a
// config given as a string without base_dir, or when files are not checked).
std::vector<std::filesystem::path> swanctl_crl_dir(Ctx& ctx);
// Findings that need the whole config (PSK secrets present, ...), as warnings/errors.
void cross_check(Ctx& ctx, const Config& cfg);

}  // namespace answerd::config::detail
