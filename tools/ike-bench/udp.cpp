// ike-bench: sockets and addresses (see udp.h).
#include "tools/ike-bench/udp.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace answerd::bench {

Fd& Fd::operator=(Fd&& o) noexcept {
  if (this != &o) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = o.release();
  }
  return *this;
}

Fd::~Fd() {
  if (fd_ >= 0) ::close(fd_);
}

namespace {

socklen_t to_sockaddr(const config::IpAddress& a, std::uint16_t port, sockaddr_storage& ss) {
  std::memset(&ss, 0, sizeof ss);
  if (a.family == 4) {
    auto* s = reinterpret_cast<sockaddr_in*>(&ss);
    s->sin_family = AF_INET;
    s->sin_port = htons(port);
    std::memcpy(&s->sin_addr, a.bytes.data(), 4);
    return sizeof(sockaddr_in);
  }
  auto* s = reinterpret_cast<sockaddr_in6*>(&ss);
  s->sin6_family = AF_INET6;
  s->sin6_port = htons(port);
  std::memcpy(&s->sin6_addr, a.bytes.data(), 16);
  return sizeof(sockaddr_in6);
}

sa::Endpoint from_sockaddr(const sockaddr_storage& ss) {
  sa::Endpoint e;
  if (ss.ss_family == AF_INET) {
    const auto* s = reinterpret_cast<const sockaddr_in*>(&ss);
    e.addr.family = 4;
    std::memcpy(e.addr.bytes.data(), &s->sin_addr, 4);
    e.port = ntohs(s->sin_port);
  } else {
    const auto* s = reinterpret_cast<const sockaddr_in6*>(&ss);
    e.addr.family = 6;
    std::memcpy(e.addr.bytes.data(), &s->sin6_addr, 16);
    e.port = ntohs(s->sin6_port);
  }
  return e;
}

std::string err(const char* what) { return std::string(what) + ": " + std::strerror(errno); }

}  // namespace

expected<UdpSocket, std::string> UdpSocket::bind(const config::IpAddress& addr, std::uint16_t port) {
  Fd fd(::socket(addr.family == 4 ? AF_INET : AF_INET6, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return unexpected<std::string>(err("socket"));
  const int big = 4 << 20;
  (void)setsockopt(fd.get(), SOL_SOCKET, SO_RCVBUF, &big, sizeof big);
  (void)setsockopt(fd.get(), SOL_SOCKET, SO_SNDBUF, &big, sizeof big);
  sockaddr_storage ss{};
  const auto len = to_sockaddr(addr, port, ss);
  if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&ss), len) != 0)
    return unexpected<std::string>(err(("bind " + config::to_string(addr)).c_str()));
  socklen_t sl = sizeof ss;
  if (getsockname(fd.get(), reinterpret_cast<sockaddr*>(&ss), &sl) != 0)
    return unexpected<std::string>(err("getsockname"));
  UdpSocket s{std::move(fd), from_sockaddr(ss)};
  return s;
}

bool UdpSocket::send_to(std::span<const std::uint8_t> b, const sa::Endpoint& to) const {
  sockaddr_storage ss{};
  const auto len = to_sockaddr(to.addr, to.port, ss);
  return ::sendto(fd.get(), b.data(), b.size(), 0, reinterpret_cast<sockaddr*>(&ss), len) ==
         static_cast<ssize_t>(b.size());
}

expected<config::IpAddress, std::string> route_source(const sa::Endpoint& to) {
  Fd fd(::socket(to.addr.family == 4 ? AF_INET : AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return unexpected<std::string>(err("socket"));
  sockaddr_storage ss{};
  const auto len = to_sockaddr(to.addr, to.port, ss);
  if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&ss), len) != 0) return unexpected<std::string>(err("no route"));
  socklen_t sl = sizeof ss;
  if (getsockname(fd.get(), reinterpret_cast<sockaddr*>(&ss), &sl) != 0)
    return unexpected<std::string>(err("getsockname"));
  return from_sockaddr(ss).addr;
}

expected<sa::Endpoint, std::string> parse_endpoint(std::string_view s, std::uint16_t default_port) {
  std::string_view host = s, port_text;
  bool has_port = false;
  if (!s.empty() && s.front() == '[') {
    const auto close = s.find(']');
    if (close == std::string_view::npos) return unexpected<std::string>("missing ']' in " + std::string(s));
    host = s.substr(1, close - 1);
    if (close + 1 < s.size()) {
      if (s[close + 1] != ':') return unexpected<std::string>("bad endpoint " + std::string(s));
      port_text = s.substr(close + 2);
      has_port = true;
    }
  } else if (const auto c = s.find(':'); c != std::string_view::npos && c == s.rfind(':')) {
    host = s.substr(0, c);
    port_text = s.substr(c + 1);
    has_port = true;
  }
  std::uint16_t port = default_port;
  if (has_port) {
    unsigned long v = 0;
    if (port_text.empty() || port_text.size() > 5) return unexpected<std::string>("bad port in " + std::string(s));
    for (char ch : port_text) {
      if (ch < '0' || ch > '9') return unexpected<std::string>("bad port in " + std::string(s));
      v = v * 10 + static_cast<unsigned long>(ch - '0');
    }
    if (v == 0 || v > 65535) return unexpected<std::string>("bad port in " + std::string(s));
    port = static_cast<std::uint16_t>(v);
  }
  auto a = config::parse_ip(host);
  if (!a) return unexpected<std::string>(a.error());
  return sa::Endpoint{*a, port};
}

expected<std::vector<config::IpAddress>, std::string> expand_range(std::string_view s, std::size_t limit) {
  const auto dash = s.find('-');
  if (dash == std::string_view::npos) return unexpected<std::string>("range must be A-B: " + std::string(s));
  auto a = config::parse_ip(s.substr(0, dash));
  auto b = config::parse_ip(s.substr(dash + 1));
  if (!a) return unexpected<std::string>(a.error());
  if (!b) return unexpected<std::string>(b.error());
  if (a->family != b->family || *b < *a) return unexpected<std::string>("bad range " + std::string(s));
  std::vector<config::IpAddress> out;
  for (auto cur = *a;;) {
    if (out.size() >= limit) return unexpected<std::string>("range " + std::string(s) + " too large");
    out.push_back(cur);
    if (cur == *b) break;
    const int last = cur.family == 4 ? 3 : 15;
    for (int i = last; i >= 0 && ++cur.bytes[static_cast<std::size_t>(i)] == 0; --i) {
    }
  }
  return out;
}

}  // namespace answerd::bench
