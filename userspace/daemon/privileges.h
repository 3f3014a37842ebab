// Capability dropping after the sockets are bound. answerd starts with what it needs
// to bind UDP 500/4500 and keeps only what it needs afterwards:
//   CAP_NET_ADMIN  dataplane = xfrm (XFRM netlink) or XDP configured (attach to a device)
//   CAP_BPF        XDP configured (load the program, read and update its maps)
// Everything else goes, from the effective, permitted, inheritable and ambient sets,
// and from the bounding set when CAP_SETPCAP allows it. In particular:
//   CAP_NET_BIND_SERVICE  the sockets are bound; a reload does not rebind (restart)
//   CAP_NET_RAW           no raw sockets: IKE uses UDP, XFRM netlink, XDP the bpf syscall
//   CAP_SYS_ADMIN         not needed for BPF since Linux 5.8 (CAP_BPF)
#pragma once

#include "util/expected.h"

#include <string>
#include <vector>

namespace answerd::daemon {

struct CapabilityNeeds {
  bool xfrm = false;  // dataplane = xfrm
  bool xdp = false;   // XDP program attached by the daemon
};

// Capability numbers (linux/capability.h) to keep for `needs`.
[[nodiscard]] std::vector<int> capabilities_to_keep(CapabilityNeeds needs);

// Keeps `keep` (those of it that are permitted now) and drops all others. Returns
// the text form of the resulting set (cap_to_text), e.g. "cap_net_admin=ep" or "=".
[[nodiscard]] expected<std::string, std::string> drop_capabilities(const std::vector<int>& keep);

}  // namespace answerd::daemon
