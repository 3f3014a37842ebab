// NlSocket: RAII around a libmnl netlink socket, with the request/reply loop that
// every XFRM (and the probe's rtnetlink) request shares: send one message, read
// until its ACK, NLMSG_DONE or error, and turn an error into errno plus the kernel's
// extended-ack text. Requests use NETLINK_CAP_ACK so that an error reply never
// echoes a request (and its keys) back; receive buffers are wiped after use.
#pragma once

#include <linux/netlink.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "kernel/ipsec.h"
#include "kernel/xfrm/nl_message.h"

struct mnl_socket;

namespace answerd::kernel::xfrm {

class NlSocket {
 public:
  using OnMessage = std::function<void(const nlmsghdr*)>;

  // protocol: NETLINK_XFRM or NETLINK_ROUTE. groups: multicast groups to join
  // (XFRMNLGRP_* numbers); a socket with groups is non-blocking, for the event loop.
  [[nodiscard]] static IpsecResult<NlSocket> open(int protocol,
                                                  const std::vector<unsigned>& groups = {});
  NlSocket(NlSocket&& o) noexcept;
  NlSocket& operator=(NlSocket&& o) noexcept;
  NlSocket(const NlSocket&) = delete;
  NlSocket& operator=(const NlSocket&) = delete;
  ~NlSocket();

  [[nodiscard]] int fd() const;
  [[nodiscard]] std::uint32_t next_seq() { return ++seq_; }

  // Sends `msg` and reads replies of its sequence number: data messages go to
  // on_message; ends at the ACK, NLMSG_DONE, or (for a request without NLM_F_ACK
  // and NLM_F_DUMP) the first data message. Errors: the kernel's errno and text.
  [[nodiscard]] IpsecResult<void> request(const NlMessage& msg, const OnMessage& on_message = {});

  // Reads every message already queued (non-blocking socket) and passes each on.
  // Returns false when the socket failed (other than EAGAIN).
  bool drain(const OnMessage& on_message);

 private:
  explicit NlSocket(mnl_socket* nl) : nl_(nl) {}
  mnl_socket* nl_ = nullptr;
  std::uint32_t seq_ = 0;
};

// "errno text: kernel extack text" for a failed request.
[[nodiscard]] IpsecError netlink_error(int err, const std::string& extack);

}  // namespace answerd::kernel::xfrm
