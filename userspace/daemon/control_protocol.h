// The control socket protocol (DESIGN.md "Command lines"), shared by the daemon's
// ControlServer and the client library: a Unix stream socket carrying one JSON
// object per line, newline-terminated, UTF-8.
//
//   request:  {"version":1,"command":"sa list","args":{...}}      ("args" optional)
//   response: {"version":1,"ok":true,"result":{...}}
//          or {"version":1,"ok":false,"error":"..."}
//
// A client may send several requests on one connection; each gets one response, in
// order. A request line longer than kMaxRequestBytes gets an error and the
// connection is closed. A version other than kProtocolVersion is refused.
#pragma once

#include <nlohmann/json.hpp>

#include <cstddef>
#include <string>
#include <string_view>

namespace answerd::daemon {

inline constexpr int kProtocolVersion = 1;
inline constexpr std::size_t kMaxRequestBytes = 64 * 1024;
inline constexpr std::size_t kMaxResponseBytes = 16 * 1024 * 1024;
inline constexpr const char* kDefaultControlSocket = "/run/answerd/answerd.sock";

// Serializes without throwing: invalid UTF-8 in strings is replaced.
[[nodiscard]] inline std::string to_line(const nlohmann::json& j) {
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

[[nodiscard]] inline nlohmann::json make_request(std::string_view command, const nlohmann::json& args) {
  return {{"version", kProtocolVersion}, {"command", command}, {"args", args}};
}
[[nodiscard]] inline nlohmann::json make_ok(nlohmann::json result) {
  return {{"version", kProtocolVersion}, {"ok", true}, {"result", std::move(result)}};
}
[[nodiscard]] inline nlohmann::json make_error(std::string_view message) {
  return {{"version", kProtocolVersion}, {"ok", false}, {"error", message}};
}

}  // namespace answerd::daemon
