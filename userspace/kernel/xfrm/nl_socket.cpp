// The netlink request loop (see nl_socket.h).
#include "kernel/xfrm/nl_socket.h"

#include <errno.h>
#include <libmnl/libmnl.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <cstring>
#include <utility>

namespace answerd::kernel::xfrm {
namespace {

constexpr std::size_t kRecvSize = 65536;  // room for a multi-part dump
constexpr int kTimeoutSeconds = 5;        // a kernel reply never takes this long

// NLMSGERR_ATTR_MSG of an extended ACK (linux/netlink.h: after struct nlmsgerr and,
// without NLM_F_CAPPED, the echoed request).
std::string extack_text(const nlmsghdr* nlh) {
  if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS)) return {};
  const auto* err = static_cast<const nlmsgerr*>(mnl_nlmsg_get_payload(nlh));
  std::size_t off = sizeof(nlmsgerr);
  if (!(nlh->nlmsg_flags & NLM_F_CAPPED)) off += err->msg.nlmsg_len - sizeof(nlmsghdr);
  const auto* tail = static_cast<const char*>(mnl_nlmsg_get_payload_tail(nlh));
  const auto* attr = static_cast<const nlattr*>(mnl_nlmsg_get_payload_offset(nlh, off));
  for (; mnl_attr_ok(attr, static_cast<int>(tail - reinterpret_cast<const char*>(attr)));
       attr = mnl_attr_next(attr)) {
    if (mnl_attr_get_type(attr) == NLMSGERR_ATTR_MSG &&
        mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) == 0)
      return mnl_attr_get_str(attr);
  }
  return {};
}

}  // namespace

IpsecError netlink_error(int err, const std::string& extack) {
  std::string msg = strerror(err);
  if (!extack.empty()) msg += ": " + extack;
  return IpsecError{.code = err, .message = std::move(msg)};
}

IpsecResult<NlSocket> NlSocket::open(int protocol, const std::vector<unsigned>& groups) {
  const int flags = SOCK_CLOEXEC | (groups.empty() ? 0 : SOCK_NONBLOCK);
  mnl_socket* nl = mnl_socket_open2(protocol, flags);
  if (nl == nullptr) {
    const int e = errno;
    return unexpected(IpsecError{
        .code = e,
        .message = std::string("cannot open the netlink socket: ") + strerror(e) +
                   (protocol == NETLINK_XFRM && e == EPROTONOSUPPORT
                        ? " (kernel without XFRM netlink, CONFIG_XFRM_USER)"
                        : "")});
  }
  NlSocket s(nl);
  int one = 1;
  // Best effort: older kernels lack extended ACKs; the errno alone still works.
  (void)mnl_socket_setsockopt(nl, NETLINK_EXT_ACK, &one, sizeof(one));
  (void)mnl_socket_setsockopt(nl, NETLINK_CAP_ACK, &one, sizeof(one));
  timeval tv{.tv_sec = kTimeoutSeconds, .tv_usec = 0};
  (void)setsockopt(mnl_socket_get_fd(nl), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
    const int e = errno;
    return unexpected(netlink_error(e, "bind"));
  }
  for (unsigned g : groups) {
    if (mnl_socket_setsockopt(nl, NETLINK_ADD_MEMBERSHIP, &g, sizeof(g)) < 0) {
      const int e = errno;
      return unexpected(netlink_error(e, "joining netlink group " + std::to_string(g)));
    }
  }
  return s;
}

NlSocket::NlSocket(NlSocket&& o) noexcept : nl_(std::exchange(o.nl_, nullptr)), seq_(o.seq_) {}

NlSocket& NlSocket::operator=(NlSocket&& o) noexcept {
  if (this != &o) {
    if (nl_ != nullptr) mnl_socket_close(nl_);
    nl_ = std::exchange(o.nl_, nullptr);
    seq_ = o.seq_;
  }
  return *this;
}

NlSocket::~NlSocket() {
  if (nl_ != nullptr) mnl_socket_close(nl_);
}

int NlSocket::fd() const { return mnl_socket_get_fd(nl_); }

IpsecResult<void> NlSocket::request(const NlMessage& msg, const OnMessage& on_message) {
  const auto bytes = msg.bytes();
  const nlmsghdr* req = msg.header();
  if (mnl_socket_sendto(nl_, bytes.data(), bytes.size()) < 0) {
    const int e = errno;
    return unexpected(netlink_error(e, "netlink send"));
  }
  const bool until_ack = (req->nlmsg_flags & (NLM_F_ACK | NLM_F_DUMP)) != 0;
  const std::uint32_t portid = mnl_socket_get_portid(nl_);
  NlMessage buf(kRecvSize);  // replies may carry keys (dumps): wiped on return
  for (;;) {
    const ssize_t n = mnl_socket_recvfrom(nl_, buf.data(), buf.capacity());
    if (n < 0) {
      const int e = errno;
      return unexpected(netlink_error(e, e == EAGAIN ? "no reply from the kernel" : "netlink receive"));
    }
    int len = static_cast<int>(n);
    for (auto* nlh = reinterpret_cast<const nlmsghdr*>(buf.data()); mnl_nlmsg_ok(nlh, len);
         nlh = mnl_nlmsg_next(nlh, &len)) {
      if (nlh->nlmsg_seq != req->nlmsg_seq || nlh->nlmsg_pid != portid) continue;
      if (nlh->nlmsg_type == NLMSG_ERROR) {
        if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(nlmsgerr)))
          return unexpected(netlink_error(EBADMSG, "truncated netlink error"));
        const auto* err = static_cast<const nlmsgerr*>(mnl_nlmsg_get_payload(nlh));
        if (err->error == 0) return {};
        return unexpected(netlink_error(-err->error, extack_text(nlh)));
      }
      if (nlh->nlmsg_type == NLMSG_DONE) return {};
      if (on_message) on_message(nlh);
      if (!until_ack) return {};
    }
  }
}

bool NlSocket::drain(const OnMessage& on_message) {
  NlMessage buf(kRecvSize);
  for (;;) {
    const ssize_t n = recv(fd(), buf.data(), buf.capacity(), MSG_DONTWAIT);
    if (n < 0) return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR || errno == ENOBUFS;
    int len = static_cast<int>(n);
    for (auto* nlh = reinterpret_cast<const nlmsghdr*>(buf.data()); mnl_nlmsg_ok(nlh, len);
         nlh = mnl_nlmsg_next(nlh, &len))
      on_message(nlh);
  }
}

}  // namespace answerd::kernel::xfrm
