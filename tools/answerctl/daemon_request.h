// answerctl's side of the control socket: one request to answerd, errors reported
// the answerctl way (stderr, and {"error":...} with -j). Used by the objects whose
// data lives in the daemon (sa, conn, daemon, and the daemon half of stats).
#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <string_view>

#include "command.h"

namespace answerd::ctl {

// The daemon's "result" object, or nullopt after printing the error; *rc is then
// the exit code to return.
[[nodiscard]] std::optional<nlohmann::json> daemon_request(
    const Context& ctx, std::string_view command, const nlohmann::json& args, int* rc);

// Plain rendering of a JSON document as indented "key: value" lines, for commands
// whose plain output is a direct view of the daemon's answer (daemon status, conn list).
void print_plain(const nlohmann::json& doc, int indent = 0);

}  // namespace answerd::ctl
