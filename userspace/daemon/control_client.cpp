// Control socket client (see control_client.h). Non-blocking socket driven by
// poll(2) against one overall deadline.
#include "daemon/control_client.h"

#include "daemon/control_protocol.h"

#include <fmt/format.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace answerd::daemon {
namespace {

using Clock = std::chrono::steady_clock;
using Kind = ControlError::Kind;

struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

unexpected<ControlError> fail(Kind k, std::string msg) { return unexpected(ControlError{k, std::move(msg)}); }

// Waits for `events`; false on timeout.
bool wait_for(int fd, short events, Clock::time_point deadline) {
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) return false;
    pollfd p{fd, events, 0};
    int r = ::poll(&p, 1, static_cast<int>(left));
    if (r > 0) return true;
    if (r < 0 && errno != EINTR) return true;  // let the next call report the error
  }
}

expected<void, ControlError> connect_to(int fd, const std::string& path, Clock::time_point deadline) {
  sockaddr_un sun{};
  sun.sun_family = AF_UNIX;
  if (path.empty() || path.size() >= sizeof sun.sun_path)
    return fail(Kind::connect, fmt::format("control socket path '{}' is empty or too long", path));
  std::memcpy(sun.sun_path, path.data(), path.size());
  for (;;) {
    if (::connect(fd, reinterpret_cast<const sockaddr*>(&sun), sizeof sun) == 0) return {};
    int e = errno;
    if (e == EINTR) continue;
    if (e == EAGAIN) {  // listen backlog full: retry until the deadline
      if (Clock::now() >= deadline) return fail(Kind::timeout, fmt::format("timed out connecting to {}", path));
      ::usleep(10'000);
      continue;
    }
    if (e == ENOENT || e == ECONNREFUSED)
      return fail(Kind::connect, fmt::format("cannot connect to {}: is answerd running?", path));
    if (e == EACCES || e == EPERM)
      return fail(Kind::connect, fmt::format("cannot connect to {}: permission denied (root or the "
                                             "socket's group can use it)", path));
    return fail(Kind::connect, fmt::format("cannot connect to {}: {}", path, std::strerror(e)));
  }
}

expected<void, ControlError> send_all(int fd, std::string_view data, const std::string& path,
                                      Clock::time_point deadline) {
  while (!data.empty()) {
    ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n >= 0) {
      data.remove_prefix(static_cast<std::size_t>(n));
      continue;
    }
    if (errno == EINTR) continue;
    if (errno != EAGAIN && errno != EWOULDBLOCK)
      return fail(Kind::io, fmt::format("sending to {}: {}", path, std::strerror(errno)));
    if (!wait_for(fd, POLLOUT, deadline)) return fail(Kind::timeout, fmt::format("timed out sending to {}", path));
  }
  return {};
}

expected<std::string, ControlError> read_line(int fd, const std::string& path, Clock::time_point deadline) {
  std::string in;
  char buf[8192];
  for (;;) {
    if (auto nl = in.find('\n'); nl != std::string::npos) return in.substr(0, nl);
    if (in.size() > kMaxResponseBytes)
      return fail(Kind::protocol, fmt::format("response from {} exceeds {} bytes", path, kMaxResponseBytes));
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n > 0) {
      in.append(buf, static_cast<std::size_t>(n));
      continue;
    }
    if (n == 0) return fail(Kind::io, fmt::format("answerd closed the connection on {} without answering", path));
    if (errno == EINTR) continue;
    if (errno != EAGAIN && errno != EWOULDBLOCK)
      return fail(Kind::io, fmt::format("reading from {}: {}", path, std::strerror(errno)));
    if (!wait_for(fd, POLLIN, deadline))
      return fail(Kind::timeout, fmt::format("timed out waiting for answerd's response on {}", path));
  }
}

expected<nlohmann::json, ControlError> decode(const std::string& line, const std::string& path) {
  auto j = nlohmann::json::parse(line, nullptr, false);
  auto bad = [&](std::string_view why) { return fail(Kind::protocol, fmt::format("invalid response from {}: {}", path, why)); };
  if (j.is_discarded() || !j.is_object()) return bad("not a JSON object");
  auto v = j.find("version");
  if (v == j.end() || !v->is_number_integer() || v->get<long long>() != kProtocolVersion)
    return bad("missing or unsupported \"version\"");
  auto ok = j.find("ok");
  if (ok == j.end() || !ok->is_boolean()) return bad("no boolean \"ok\"");
  if (!ok->get<bool>()) {
    auto e = j.find("error");
    return fail(Kind::daemon, e != j.end() && e->is_string() ? e->get<std::string>() : "unspecified error");
  }
  auto r = j.find("result");
  if (r == j.end() || r->is_null()) return nlohmann::json::object();
  return *r;
}

}  // namespace

expected<nlohmann::json, ControlError> control_request(const std::string& socket_path, std::string_view command,
                                                       const nlohmann::json& args,
                                                       std::chrono::milliseconds timeout) {
  auto deadline = Clock::now() + timeout;
  Fd fd{::socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)};
  if (fd.fd < 0) return fail(Kind::io, fmt::format("socket: {}", std::strerror(errno)));
  if (auto r = connect_to(fd.fd, socket_path, deadline); !r) return unexpected(r.error());
  if (auto r = send_all(fd.fd, to_line(make_request(command, args)), socket_path, deadline); !r)
    return unexpected(r.error());
  auto line = read_line(fd.fd, socket_path, deadline);
  if (!line) return unexpected(line.error());
  return decode(*line, socket_path);
}

}  // namespace answerd::daemon
