// IkeSocket: one UDP socket for IKE (RFC 7296 2.11: port 500) or NAT-T (RFC 3948:
// port 4500), one address family each (IPv6 sockets are IPV6_V6ONLY).
//
// - Receive: into a bounded buffer (max_datagram, default 10000 bytes as strongSwan's
//   charon.max_packet); a larger datagram is reported truncated and dropped. The
//   destination address comes from IP_PKTINFO / IPV6_PKTINFO.
// - NAT-T sockets: the 4-byte non-ESP marker (RFC 3948 2.2) is stripped on receive
//   and added on send; a 1-byte 0xFF NAT keepalive (RFC 3948 2.3) and ESP-in-UDP
//   (non-zero first 4 bytes) are not IKE and are reported as such.
// - Send: the reply leaves from Datagram::local (pktinfo), i.e. the address the
//   request came to, even on a wildcard-bound socket.
// - udp_encap sets UDP_ENCAP_ESPINUDP so that the kernel takes ESP-in-UDP off the
//   socket into XFRM. The daemon sets it only with dataplane = xfrm: with
//   dataplane = none nothing is installed in the kernel, and ESP-in-UDP reaching
//   the socket is counted and dropped.
// - A specific bind address uses IP_FREEBIND, so that a VIP that is not (yet) on
//   the box (load balancer, failover) can be configured.
#pragma once

#include "daemon/address.h"
#include "util/unique_fd.h"
#include "util/expected.h"

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

namespace answerd::daemon {

inline constexpr std::size_t kDefaultMaxDatagram = 10000;

struct IkeSocketOptions {
  Endpoint bind;            // addr may be IpAddress::any(family); port 0 = ephemeral
  bool nat_t = false;       // RFC 3948 socket: non-ESP marker stripped/added
  bool udp_encap = false;   // UDP_ENCAP_ESPINUDP (nat_t sockets only)
  std::size_t max_datagram = kDefaultMaxDatagram;  // IKE bytes, without the marker
};

enum class RecvStatus : std::uint8_t {
  datagram,     // `out` holds an IKE message
  would_block,  // nothing left to read
  truncated,    // larger than max_datagram: dropped
  keepalive,    // NAT-T keepalive: dropped
  not_ike,      // on NAT-T: ESP-in-UDP or shorter than the marker: dropped
  error,        // recvmsg failed (errno in last_errno())
};

class IkeSocket {
 public:
  [[nodiscard]] static expected<IkeSocket, std::string> open(const IkeSocketOptions& opts);

  [[nodiscard]] int fd() const { return fd_.get(); }
  [[nodiscard]] const Endpoint& local() const { return local_; }  // as bound (real port)
  [[nodiscard]] bool nat_t() const { return nat_t_; }
  [[nodiscard]] int last_errno() const { return last_errno_; }

  // Reads one datagram (non-blocking).
  [[nodiscard]] RecvStatus receive(Datagram& out);
  // Sends d.bytes to d.remote from d.local.addr (unless any), adding the non-ESP
  // marker on a NAT-T socket.
  [[nodiscard]] expected<void, std::string> send(const Datagram& d);

 private:
  IkeSocket() = default;
  UniqueFd fd_;
  Endpoint local_;
  bool nat_t_ = false;
  std::size_t max_datagram_ = kDefaultMaxDatagram;
  std::vector<std::uint8_t> buf_;
  int last_errno_ = 0;
};

}  // namespace answerd::daemon
