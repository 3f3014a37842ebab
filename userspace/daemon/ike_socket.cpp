// IkeSocket implementation (see ike_socket.h).
#include "daemon/ike_socket.h"

#include <fmt/format.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>

namespace answerd::daemon {
namespace {

constexpr std::array<std::uint8_t, 4> kNonEspMarker = {0, 0, 0, 0};

std::string sys_error(const char* what, const Endpoint& ep) {
  return fmt::format("{} {}: {}", what, ep.to_string(), std::strerror(errno));
}

bool set_int(int fd, int level, int name, int value) {
  return ::setsockopt(fd, level, name, &value, sizeof value) == 0;
}

// Reads the destination address and interface from IP_PKTINFO / IPV6_PKTINFO.
void read_pktinfo(const msghdr& msg, Datagram& out) {
  auto* m = const_cast<msghdr*>(&msg);  // CMSG_NXTHDR takes a non-const msghdr
  for (cmsghdr* c = CMSG_FIRSTHDR(m); c != nullptr; c = CMSG_NXTHDR(m, c)) {
    if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
      in_pktinfo pi;
      std::memcpy(&pi, CMSG_DATA(c), sizeof pi);
      out.local.addr.family = AF_INET;
      out.local.addr.bytes = {};
      std::memcpy(out.local.addr.bytes.data(), &pi.ipi_addr, 4);
      out.ifindex = pi.ipi_ifindex;
    } else if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO) {
      in6_pktinfo pi;
      std::memcpy(&pi, CMSG_DATA(c), sizeof pi);
      out.local.addr.family = AF_INET6;
      std::memcpy(out.local.addr.bytes.data(), &pi.ipi6_addr, 16);
      out.ifindex = static_cast<int>(pi.ipi6_ifindex);
    }
  }
}

}  // namespace

expected<IkeSocket, std::string> IkeSocket::open(const IkeSocketOptions& opts) {
  const Endpoint& ep = opts.bind;
  if (ep.addr.family != AF_INET && ep.addr.family != AF_INET6)
    return unexpected(std::string("IKE socket needs an IPv4 or IPv6 bind address"));
  IkeSocket s;
  s.nat_t_ = opts.nat_t;
  s.max_datagram_ = std::max<std::size_t>(opts.max_datagram, 28);  // IKE header size
  s.buf_.resize(s.max_datagram_ + (s.nat_t_ ? kNonEspMarker.size() : 0));
  s.fd_.reset(::socket(ep.addr.family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_UDP));
  if (!s.fd_) return unexpected(sys_error("socket for", ep));
  int fd = s.fd_.get();
  bool v6 = ep.addr.family == AF_INET6;
  if (v6 && !set_int(fd, IPPROTO_IPV6, IPV6_V6ONLY, 1)) return unexpected(sys_error("IPV6_V6ONLY on", ep));
  if (!set_int(fd, v6 ? IPPROTO_IPV6 : IPPROTO_IP, v6 ? IPV6_RECVPKTINFO : IP_PKTINFO, 1))
    return unexpected(sys_error("PKTINFO on", ep));
  if (!ep.addr.is_any() && !set_int(fd, v6 ? IPPROTO_IPV6 : IPPROTO_IP,
                                    v6 ? IPV6_FREEBIND : IP_FREEBIND, 1))
    return unexpected(sys_error("FREEBIND on", ep));
  if (opts.nat_t && opts.udp_encap && !set_int(fd, SOL_UDP, UDP_ENCAP, UDP_ENCAP_ESPINUDP))
    return unexpected(sys_error("UDP_ENCAP_ESPINUDP on", ep));
  sockaddr_storage ss;
  socklen_t len = ep.to_sockaddr(ss);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&ss), len) != 0) return unexpected(sys_error("bind", ep));
  len = sizeof ss;
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len) != 0)
    return unexpected(sys_error("getsockname", ep));
  auto bound = Endpoint::from_sockaddr(reinterpret_cast<sockaddr*>(&ss), len);
  s.local_ = bound ? *bound : ep;
  return s;
}

RecvStatus IkeSocket::receive(Datagram& out) {
  sockaddr_storage from{};
  iovec iov{buf_.data(), buf_.size()};
  alignas(cmsghdr) std::array<char, CMSG_SPACE(sizeof(in6_pktinfo)) + CMSG_SPACE(sizeof(in_pktinfo))> cbuf{};
  msghdr msg{};
  msg.msg_name = &from;
  msg.msg_namelen = sizeof from;
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = cbuf.data();
  msg.msg_controllen = cbuf.size();
  ssize_t n = ::recvmsg(fd_.get(), &msg, MSG_TRUNC);
  if (n < 0) {
    last_errno_ = errno;
    if (errno == EAGAIN || errno == EWOULDBLOCK) return RecvStatus::would_block;
    return errno == EINTR ? RecvStatus::would_block : RecvStatus::error;
  }
  return classify(buf_.data(), static_cast<std::size_t>(n), msg, out);
}

// `n` is the datagram's real length (MSG_TRUNC); the buffer holds buf_.size() bytes.
RecvStatus IkeSocket::classify(const std::uint8_t* buf, std::size_t n, const msghdr& msg, Datagram& out) const {
  if ((msg.msg_flags & MSG_TRUNC) != 0 || n > buf_.size()) return RecvStatus::truncated;
  std::size_t skip = 0;
  if (nat_t_) {
    if (n == 1 && buf[0] == 0xff) return RecvStatus::keepalive;
    if (n < kNonEspMarker.size() || !std::equal(kNonEspMarker.begin(), kNonEspMarker.end(), buf))
      return RecvStatus::not_ike;
    skip = kNonEspMarker.size();
  }
  auto remote = Endpoint::from_sockaddr(static_cast<const sockaddr*>(msg.msg_name), msg.msg_namelen);
  if (!remote) return RecvStatus::not_ike;
  out.remote = *remote;
  out.local = local_;
  out.ifindex = 0;
  read_pktinfo(msg, out);
  out.nat_t = nat_t_;
  out.bytes.assign(buf + skip, buf + n);
  return RecvStatus::datagram;
}

expected<void, std::string> IkeSocket::check(const Datagram& d) const {
  if (d.remote.addr.family != local_.addr.family)
    return unexpected(fmt::format("cannot send to {} from a socket on {}", d.remote.to_string(),
                                  local_.to_string()));
  if (d.bytes.size() > max_datagram_)
    return unexpected(fmt::format("IKE message of {} bytes exceeds the {} byte limit", d.bytes.size(),
                                  max_datagram_));
  return {};
}

// Fills `slot` and `msg` to send d.bytes to d.remote from d.local (pktinfo), with
// the non-ESP marker first on a NAT-T socket.
void IkeSocket::prepare_send(const Datagram& d, SendSlot& slot, msghdr& msg) const {
  msg = msghdr{};
  msg.msg_name = &slot.to;
  msg.msg_namelen = d.remote.to_sockaddr(slot.to);
  std::size_t niov = 0;
  if (nat_t_) slot.iov[niov++] = {const_cast<std::uint8_t*>(kNonEspMarker.data()), kNonEspMarker.size()};
  slot.iov[niov++] = {const_cast<std::uint8_t*>(d.bytes.data()), d.bytes.size()};
  msg.msg_iov = slot.iov.data();
  msg.msg_iovlen = niov;
  if (d.local.addr.family != local_.addr.family || d.local.addr.is_any()) return;
  slot.cbuf = {};
  msg.msg_control = slot.cbuf.data();
  cmsghdr* c = reinterpret_cast<cmsghdr*>(slot.cbuf.data());
  if (local_.addr.family == AF_INET) {
    in_pktinfo pi{};
    std::memcpy(&pi.ipi_spec_dst, d.local.addr.bytes.data(), 4);
    c->cmsg_level = IPPROTO_IP;
    c->cmsg_type = IP_PKTINFO;
    c->cmsg_len = CMSG_LEN(sizeof pi);
    std::memcpy(CMSG_DATA(c), &pi, sizeof pi);
    msg.msg_controllen = CMSG_SPACE(sizeof pi);
  } else {
    in6_pktinfo pi{};
    std::memcpy(&pi.ipi6_addr, d.local.addr.bytes.data(), 16);
    // Link-local sources need the interface the request came in on.
    bool link_local = d.local.addr.bytes[0] == 0xfe && (d.local.addr.bytes[1] & 0xc0) == 0x80;
    pi.ipi6_ifindex = link_local ? static_cast<unsigned>(d.ifindex) : 0;
    c->cmsg_level = IPPROTO_IPV6;
    c->cmsg_type = IPV6_PKTINFO;
    c->cmsg_len = CMSG_LEN(sizeof pi);
    std::memcpy(CMSG_DATA(c), &pi, sizeof pi);
    msg.msg_controllen = CMSG_SPACE(sizeof pi);
  }
}

expected<void, std::string> IkeSocket::send(const Datagram& d) {
  if (auto ok = check(d); !ok) return ok;
  SendSlot slot;
  msghdr msg;
  prepare_send(d, slot, msg);
  for (;;) {
    if (::sendmsg(fd_.get(), &msg, MSG_DONTWAIT | MSG_NOSIGNAL) >= 0) return {};
    if (errno != EINTR) break;
  }
  last_errno_ = errno;
  return unexpected(fmt::format("send to {} from {}: {}", d.remote.to_string(), d.local.to_string(),
                                std::strerror(errno)));
}

}  // namespace answerd::daemon
