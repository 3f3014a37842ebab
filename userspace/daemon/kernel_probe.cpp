// The startup ESP probe (see kernel_probe.h) over the xfrm backend's probe.
#include "daemon/kernel_probe.h"

#include "kernel/xfrm/nl_socket.h"
#include "kernel/xfrm/xfrm_probe.h"

#include <fmt/format.h>
#include <linux/netlink.h>

#include <cerrno>

namespace answerd::daemon {

std::string probe_failure_message(const kernel::IpsecError& e) {
  if (e.message.find("dataplane = none") != std::string::npos) return e.message;
  return fmt::format("{}; set dataplane = none to negotiate without installing SAs", e.message);
}

expected<void, std::string> probe_xfrm_esp() {
  auto sock = kernel::xfrm::NlSocket::open(NETLINK_XFRM);
  if (!sock) {
    if (sock.error().code == EPROTONOSUPPORT)
      return unexpected(std::string("the kernel has no XFRM netlink interface (CONFIG_XFRM_USER): "
                                    "dataplane = xfrm is impossible; use dataplane = none"));
    return unexpected(fmt::format("cannot open an XFRM netlink socket: {}", sock.error().message));
  }
  if (auto caps = kernel::xfrm::probe_kernel(*sock); !caps) return unexpected(probe_failure_message(caps.error()));
  return {};
}

}  // namespace answerd::daemon
