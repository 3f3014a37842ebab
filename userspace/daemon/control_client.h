// Client side of the control socket (protocol in control_protocol.h), for answerctl
// and tests: connect, send one request, read one response, within a deadline.
// Library answerd_control_client; depends on nlohmann-json and fmt only.
#pragma once

#include "util/expected.h"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace answerd::daemon {

struct ControlError {
  enum class Kind : std::uint8_t {
    connect,   // no socket, nobody listening, permission denied
    timeout,   // no complete response within the deadline
    io,        // read/write failed or the daemon closed the connection early
    protocol,  // the response is not a valid version-1 response
    daemon,    // the daemon answered {"ok":false,"error":...}: message is its error
  };
  Kind kind = Kind::io;
  std::string message;  // complete sentence for the user, e.g.
                        // "cannot connect to /run/answerd/answerd.sock: is answerd running?"
};

// Sends {"version":1,"command":command,"args":args} to the daemon at socket_path
// and returns the response's "result" (an object; {} when absent).
[[nodiscard]] expected<nlohmann::json, ControlError> control_request(
    const std::string& socket_path, std::string_view command,
    const nlohmann::json& args = nlohmann::json::object(),
    std::chrono::milliseconds timeout = std::chrono::seconds(5));

}  // namespace answerd::daemon
