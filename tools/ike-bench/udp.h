// ike-bench: RAII file descriptors, UDP sockets bound to one local address, the
// route's source address toward a target, and address-range parsing for the CLI.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ike/sa/types.h"
#include "util/expected.h"

namespace answerd::bench {

class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  Fd(Fd&& o) noexcept : fd_(o.release()) {}
  Fd& operator=(Fd&& o) noexcept;
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd();
  [[nodiscard]] int get() const { return fd_; }
  [[nodiscard]] bool valid() const { return fd_ >= 0; }
  int release() {
    const int f = fd_;
    fd_ = -1;
    return f;
  }

 private:
  int fd_ = -1;
};

struct UdpSocket {
  Fd fd;
  sa::Endpoint local{};  // with the port the kernel chose
  // Non-blocking, bound to addr:port (port 0: ephemeral).
  [[nodiscard]] static expected<UdpSocket, std::string> bind(const config::IpAddress& addr, std::uint16_t port);
  [[nodiscard]] bool send_to(std::span<const std::uint8_t> b, const sa::Endpoint& to) const;
};

// The source address the kernel's routing picks toward `to` (connect(2) on UDP).
[[nodiscard]] expected<config::IpAddress, std::string> route_source(const sa::Endpoint& to);

// "ADDR" or "ADDR:PORT" or "[V6]:PORT" with default_port.
[[nodiscard]] expected<sa::Endpoint, std::string> parse_endpoint(std::string_view s, std::uint16_t default_port);
// "A-B" (IPv4 or IPv6, same family, A <= B, at most `limit` addresses) expanded.
[[nodiscard]] expected<std::vector<config::IpAddress>, std::string> expand_range(std::string_view s, std::size_t limit);

}  // namespace answerd::bench
