// Test helpers shared by the IKE socket tests: a plain UDP peer on loopback and
// an IkeSocket bound to an address with an ephemeral port.
#pragma once

#include <poll.h>
#include <sys/socket.h>

#include <optional>
#include <vector>

#include <gtest/gtest.h>

#include "daemon/ike_socket.h"

namespace answerd::daemon::test {

using Bytes = std::vector<std::uint8_t>;

inline IpAddress ip(const char* s) { return *IpAddress::parse(s); }

// A plain UDP peer socket bound to `addr`:0.
struct Peer {
  UniqueFd fd;
  Endpoint local;
  explicit Peer(const char* addr) {
    IpAddress a = ip(addr);
    fd.reset(::socket(a.family, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    sockaddr_storage ss;
    socklen_t len = Endpoint{a, 0}.to_sockaddr(ss);
    EXPECT_EQ(::bind(fd.get(), reinterpret_cast<sockaddr*>(&ss), len), 0);
    len = sizeof ss;
    ::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&ss), &len);
    local = *Endpoint::from_sockaddr(reinterpret_cast<sockaddr*>(&ss), len);
  }
  void send_to(const Endpoint& to, const Bytes& b) {
    sockaddr_storage ss;
    socklen_t len = to.to_sockaddr(ss);
    ASSERT_EQ(::sendto(fd.get(), b.data(), b.size(), 0, reinterpret_cast<sockaddr*>(&ss), len),
              static_cast<ssize_t>(b.size()));
  }
  // Receives one datagram within 2 s; `from` is the sender.
  std::optional<Bytes> recv(Endpoint* from = nullptr) {
    pollfd p{fd.get(), POLLIN, 0};
    if (::poll(&p, 1, 2000) != 1) return std::nullopt;
    Bytes b(70000);
    sockaddr_storage ss;
    socklen_t len = sizeof ss;
    ssize_t n = ::recvfrom(fd.get(), b.data(), b.size(), 0, reinterpret_cast<sockaddr*>(&ss), &len);
    if (n < 0) return std::nullopt;
    b.resize(static_cast<std::size_t>(n));
    if (from) *from = *Endpoint::from_sockaddr(reinterpret_cast<sockaddr*>(&ss), len);
    return b;
  }
};

inline IkeSocket open_socket(const char* addr, bool nat_t, std::size_t max = kDefaultMaxDatagram) {
  auto s = IkeSocket::open({.bind = {ip(addr), 0}, .nat_t = nat_t, .max_datagram = max});
  EXPECT_TRUE(s.has_value()) << (s ? "" : s.error());
  return std::move(*s);
}

}  // namespace answerd::daemon::test
