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
// - Batches: receive_batch() reads up to a RecvBatch's capacity of datagrams with one
//   recvmmsg, each classified as receive() would; send_batch() sends several
//   datagrams with sendmmsg, each from its own local address, and reports an errno
//   per datagram (one refused destination does not stop the others).
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

#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

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

// Buffers of one recvmmsg call, reused by every call (loop thread only; one batch
// may serve several sockets with the same max_datagram).
class RecvBatch {
 public:
  struct Entry {
    RecvStatus status = RecvStatus::would_block;
    Datagram datagram;  // filled when status == datagram
  };
  RecvBatch(std::size_t slots, std::size_t max_datagram);
  [[nodiscard]] std::size_t capacity() const { return entries_.size(); }
  // Entries filled by the last IkeSocket::receive_batch().
  [[nodiscard]] std::size_t count() const { return count_; }
  [[nodiscard]] const Entry& operator[](std::size_t i) const { return entries_[i]; }

 private:
  friend class IkeSocket;
  static constexpr std::size_t kCmsgSpace = CMSG_SPACE(sizeof(in6_pktinfo)) + CMSG_SPACE(sizeof(in_pktinfo));
  struct Slot {
    alignas(cmsghdr) std::array<char, kCmsgSpace> cbuf;
    sockaddr_storage from;
    iovec iov;
  };
  std::size_t slot_bytes_;
  std::vector<std::uint8_t> bufs_;  // slots x slot_bytes_
  std::vector<Slot> slots_;
  std::vector<mmsghdr> hdrs_;
  std::vector<Entry> entries_;
  std::size_t count_ = 0;
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

  // Reads up to min(max, b.capacity()) datagrams with one recvmmsg and returns how
  // many entries of `b` it filled. Fewer than asked: the queue was empty (the last
  // entry says would_block when nothing at all was read) or the call failed (the
  // last entry says error, errno in last_errno()).
  [[nodiscard]] std::size_t receive_batch(RecvBatch& b, std::size_t max);
  // Why `d` cannot be sent on this socket (other family, too large), checked by
  // send() and before a datagram joins a send batch.
  [[nodiscard]] expected<void, std::string> check(const Datagram& d) const;
  // Sends every datagram of `ds` (each check()ed) with as few sendmmsg calls as
  // the errors allow. errors[i] is 0 when ds[i] was sent, else its errno; returns
  // the number sent.
  std::size_t send_batch(std::span<const Datagram> ds, std::vector<int>& errors);

 private:
  struct SendSlot {
    sockaddr_storage to;
    std::array<iovec, 2> iov;
    alignas(cmsghdr) std::array<char, CMSG_SPACE(sizeof(in6_pktinfo))> cbuf;
  };
  IkeSocket() = default;
  void prepare_send(const Datagram& d, SendSlot& slot, msghdr& msg) const;
  [[nodiscard]] RecvStatus classify(const std::uint8_t* buf, std::size_t n, const msghdr& msg, Datagram& out) const;
  UniqueFd fd_;
  Endpoint local_;
  bool nat_t_ = false;
  std::size_t max_datagram_ = kDefaultMaxDatagram;
  std::vector<std::uint8_t> buf_;
  std::vector<SendSlot> send_slots_;  // send_batch() scratch
  std::vector<mmsghdr> send_hdrs_;
  int last_errno_ = 0;
};

}  // namespace answerd::daemon
