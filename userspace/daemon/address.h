// IP addresses and UDP endpoints as the daemon's sockets see them, converted to and
// from sockaddr in one place, and the Datagram handed between IKE sockets and the
// Responder. IPv4 addresses keep their 4-byte form (never IPv4-mapped here).
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace answerd::daemon {

struct IpAddress {
  sa_family_t family = AF_UNSPEC;   // AF_INET or AF_INET6 (AF_UNSPEC: none)
  std::array<std::uint8_t, 16> bytes{};  // network order; IPv4 uses the first 4

  [[nodiscard]] static std::optional<IpAddress> parse(std::string_view text);
  [[nodiscard]] static IpAddress any(sa_family_t family);  // 0.0.0.0 or ::
  [[nodiscard]] bool is_any() const;
  [[nodiscard]] std::string to_string() const;
  bool operator==(const IpAddress&) const = default;
};

struct Endpoint {
  IpAddress addr;
  std::uint16_t port = 0;  // host order

  [[nodiscard]] static std::optional<Endpoint> from_sockaddr(const sockaddr* sa, socklen_t len);
  // Fills `out`; returns its used length.
  socklen_t to_sockaddr(sockaddr_storage& out) const;
  [[nodiscard]] std::string to_string() const;  // 192.0.2.1:500, [2001:db8::1]:4500
  bool operator==(const Endpoint&) const = default;
};

// One IKE message as received or to be sent: `bytes` never include the RFC 3948
// non-ESP marker; `nat_t` says the datagram came (or goes) over a NAT-T socket,
// where the marker is stripped on receive and added on send.
struct Datagram {
  Endpoint local;   // the address and port the peer sent to (IP_PKTINFO)
  Endpoint remote;  // the peer
  bool nat_t = false;
  int ifindex = 0;  // arrival interface, 0 if unknown
  std::vector<std::uint8_t> bytes;
};

}  // namespace answerd::daemon
