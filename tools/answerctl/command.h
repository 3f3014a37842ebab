// answerctl's command plumbing shared by every OBJECT module (ike, sa, peer, ...):
// global options, output helpers honouring -j/-p, errors, and bpftool-style prefix
// matching of command words. Each object lives in cmd_<object>.cpp and exposes one
// ObjectSpec; main.cpp holds the table of objects.
#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace answerd::ctl {

struct Context {
  bool json = false;    // -j/--json
  bool pretty = false;  // -p/--pretty (implies json)
  std::string socket_path = "/run/answerd/answerd.sock";
  std::string bpffs = "/sys/fs/bpf/answerd";
};

// One OBJECT of the grammar. run() gets the words after the object name
// (args[0] is the command word as typed, possibly abbreviated; may be empty).
struct ObjectSpec {
  std::string_view name;
  std::string_view help;  // grammar notation, printed by `answerctl OBJECT help`
  int (*run)(Context& ctx, std::span<const std::string> args);
};

// Exit codes.
inline constexpr int kExitOk = 0;
inline constexpr int kExitError = 1;
inline constexpr int kExitUsage = 2;

// Prints "answerctl: MSG" on stderr and, with -j, {"error": MSG} on stdout.
// Returns `code` so callers can `return fail(ctx, "...")`.
int fail(const Context& ctx, std::string_view msg, int code = kExitError);

// Prints a JSON document on stdout, indented with -p.
void print_json(const Context& ctx, const nlohmann::json& doc);

// bpftool-style matching: an exact match wins, otherwise the first name in table
// order that `word` is a prefix of (so list the common commands first: `sa l` is
// `sa list`). An empty or unknown word yields nullopt.
[[nodiscard]] std::optional<std::string_view> match_command(
    std::string_view word, std::span<const std::string_view> names);

// Object modules (one per cmd_<object>.cpp).
ObjectSpec sa_object();
ObjectSpec conn_object();
ObjectSpec daemon_object();
ObjectSpec ike_object();
ObjectSpec peer_object();
ObjectSpec stats_object();
ObjectSpec xdp_object();

}  // namespace answerd::ctl
