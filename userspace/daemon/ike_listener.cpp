// IkeListener implementation (see ike_listener.h).
#include "daemon/ike_listener.h"

#include "log/log.h"

#include <fmt/format.h>
#include <linux/xfrm.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include <algorithm>
#include <cstring>

namespace answerd::daemon {
namespace {

using log::Subsys;

bool ipv6_available() {
  UniqueFd fd(::socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  return fd.valid();
}

// IKE must not be protected by the SAs it negotiates: per-socket XFRM policies that
// allow in and out (as other IKE daemons install on their sockets) take precedence
// over the SPD, so that a transport-mode policy between the gateways' own addresses
// does not capture the IKE messages themselves.
bool bypass_ipsec(int fd, bool v6) {
  for (auto dir : {XFRM_POLICY_IN, XFRM_POLICY_OUT}) {
    xfrm_userpolicy_info p{};
    p.sel.family = v6 ? AF_INET6 : AF_INET;
    p.lft.soft_byte_limit = p.lft.hard_byte_limit = XFRM_INF;
    p.lft.soft_packet_limit = p.lft.hard_packet_limit = XFRM_INF;
    p.dir = static_cast<std::uint8_t>(dir);
    p.action = XFRM_POLICY_ALLOW;
    if (::setsockopt(fd, v6 ? IPPROTO_IPV6 : IPPROTO_IP, v6 ? IPV6_XFRM_POLICY : IP_XFRM_POLICY, &p, sizeof p) != 0)
      return false;
  }
  return true;
}

}  // namespace

nlohmann::json IkeListenerStats::to_json() const {
  return {{"received", received},   {"truncated", truncated},     {"keepalives", keepalives},
          {"not_ike", not_ike},     {"recv_errors", recv_errors}, {"sent", sent},
          {"send_errors", send_errors}, {"recv_calls", recv_calls},
          {"send_calls", send_calls}};
}

expected<std::unique_ptr<IkeListener>, std::string> IkeListener::open(EventLoop& loop,
                                                                     const IkeListenerOptions& opts) {
  std::unique_ptr<IkeListener> l(new IkeListener(loop, opts.max_datagram));
  bool wildcard = opts.local_addrs.empty();
  std::vector<IpAddress> addrs = opts.local_addrs;
  if (wildcard) addrs = {IpAddress::any(AF_INET), IpAddress::any(AF_INET6)};
  for (const auto& addr : addrs) {
    if (wildcard && addr.family == AF_INET6 && !ipv6_available()) {
      log::warn(Subsys::net, "IPv6 is not available on this host: listening on IPv4 only");
      continue;
    }
    for (bool nat_t : {false, true}) {
      IkeSocketOptions so{.bind = {.addr = addr, .port = nat_t ? opts.nat_port : opts.ike_port},
                          .nat_t = nat_t,
                          .udp_encap = nat_t && opts.udp_encap,
                          .max_datagram = opts.max_datagram};
      auto s = IkeSocket::open(so);
      if (!s) return unexpected(s.error());
      if (opts.udp_encap && !bypass_ipsec(s->fd(), addr.family == AF_INET6))  // dataplane = xfrm
        return unexpected(fmt::format("IPsec bypass policy on {}: {}", s->local().to_string(), std::strerror(errno)));
      log::info(Subsys::net, "listening on {}{}{}", s->local().to_string(),
                nat_t ? " (NAT-T)" : "", so.udp_encap ? ", UDP_ENCAP_ESPINUDP" : "");
      l->sockets_.push_back(std::move(*s));
    }
  }
  l->pending_.resize(l->sockets_.size());
  IkeListener* self = l.get();
  l->flush_hook_ = loop.at_iteration_end([self] { self->flush(); });
  for (std::size_t i = 0; i < l->sockets_.size(); ++i) {
    auto r = loop.add_fd(l->sockets_[i].fd(), EPOLLIN, [self, i](std::uint32_t) { self->on_readable(i); });
    if (!r) return unexpected(r.error());
  }
  return l;
}

IkeListener::~IkeListener() {
  flush();  // replies queued in the last iteration (the loop may not run again)
  loop_.remove_iteration_end(flush_hook_);
  for (auto& s : sockets_) loop_.remove_fd(s.fd());
}

void IkeListener::on_readable(std::size_t index) {
  IkeSocket& s = sockets_[index];
  for (std::size_t left = kReadBudget; left > 0;) {
    std::size_t asked = std::min(left, batch_.capacity());
    if (!handle_batch(s, asked)) return;
    left -= asked;
  }
}

bool IkeListener::handle_batch(IkeSocket& s, std::size_t asked) {
  const std::size_t n = s.receive_batch(batch_, asked);
  ++stats_.recv_calls;
  for (std::size_t i = 0; i < n; ++i) {
    const RecvBatch::Entry& e = batch_[i];
    switch (e.status) {
      case RecvStatus::would_block: return false;
      case RecvStatus::datagram:
        ++stats_.received;
        log::trace(Subsys::net, "{} bytes from {} to {}", e.datagram.bytes.size(),
                   e.datagram.remote.to_string(), e.datagram.local.to_string());
        if (responder_ != nullptr) responder_->on_datagram(e.datagram);
        break;
      case RecvStatus::truncated:
        ++stats_.truncated;
        log::debug(Subsys::net, "datagram on {} larger than the receive limit dropped",
                   s.local().to_string());
        break;
      case RecvStatus::keepalive: ++stats_.keepalives; break;
      case RecvStatus::not_ike: ++stats_.not_ike; break;
      case RecvStatus::error:
        ++stats_.recv_errors;
        log::warn(Subsys::net, "receive on {}: {}", s.local().to_string(), std::strerror(s.last_errno()));
        return false;
    }
  }
  // A short batch drained the queue; epoll (level-triggered) reports what arrives next.
  return n == asked;
}

expected<void, std::string> IkeListener::send(const Datagram& d) {
  for (std::size_t i = 0; i < sockets_.size(); ++i) {
    IkeSocket& s = sockets_[i];
    const Endpoint& b = s.local();
    if (b.addr.family != d.local.addr.family || b.port != d.local.port || s.nat_t() != d.nat_t) continue;
    if (!b.addr.is_any() && b.addr != d.local.addr) continue;
    if (loop_.in_iteration()) {  // flushed when the iteration ends
      if (auto ok = s.check(d); !ok) {
        ++stats_.send_errors;
        return ok;
      }
      pending_[i].push_back(d);
      return {};
    }
    auto r = s.send(d);
    if (r) {
      ++stats_.sent;
    } else {
      ++stats_.send_errors;
    }
    return r;
  }
  ++stats_.send_errors;
  return unexpected(fmt::format("no {} socket on {} to send to {}", d.nat_t ? "NAT-T" : "IKE",
                                d.local.to_string(), d.remote.to_string()));
}

void IkeListener::flush() {
  for (std::size_t i = 0; i < pending_.size(); ++i) {
    auto& q = pending_[i];
    if (q.empty()) continue;
    ++stats_.send_calls;
    stats_.sent += sockets_[i].send_batch(q, send_errnos_);
    for (std::size_t k = 0; k < q.size(); ++k) {
      if (send_errnos_[k] == 0) continue;
      ++stats_.send_errors;
      log::warn(Subsys::net, "send to {} from {}: {}", q[k].remote.to_string(), q[k].local.to_string(),
                std::strerror(send_errnos_[k]));
    }
    q.clear();
  }
}

}  // namespace answerd::daemon
