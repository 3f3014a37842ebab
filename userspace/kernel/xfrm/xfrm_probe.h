// Kernel support probe for dataplane = xfrm, run once when the backend opens:
//   - ESP: installs a throwaway transport-mode ESP SA between TEST-NET-1 addresses
//     (RFC 5737, 192.0.2.1 -> 192.0.2.2, random SPI, reqid kProbeReqid) with each
//     algorithm answerd maps and deletes it at once; the SA lives for microseconds
//     and a crash in between leaves an owned reqid that flush_owned() removes.
//   - xfrm interfaces: creates an xfrm link (rtnetlink, kind "xfrm") and deletes it.
// A missing piece is a sentence naming it; a kernel without ESP gets exactly
// kNoEspMessage.
#pragma once

#include <string>
#include <string_view>

#include "kernel/ipsec.h"
#include "kernel/xfrm/nl_message.h"
#include "kernel/xfrm/nl_socket.h"

namespace answerd::kernel::xfrm {

inline constexpr std::string_view kNoEspMessage =
    "kernel has no ESP support (CONFIG_INET_ESP): use dataplane = none or a kernel with ESP";

// The probe's SAs use the last owned reqid; the engine allocates below it.
inline constexpr ike::Reqid kProbeReqid = owned_reqid(0xFFFFF);

// The sentence for a failed NEWSA of the probe (errno, extack text).
[[nodiscard]] std::string explain_probe_error(const IpsecError& e);

// Probes over `xfrm` (a NETLINK_XFRM request socket). Ok: what the kernel supports,
// with at least one ESP algorithm. Error: why dataplane = xfrm cannot work.
[[nodiscard]] IpsecResult<Capabilities> probe_kernel(NlSocket& xfrm);

// rtnetlink messages of the xfrm-interface probe (pure, for tests).
[[nodiscard]] NlMessage build_newlink_xfrm(std::string_view name, std::uint32_t if_id,
                                           std::uint32_t seq);
[[nodiscard]] NlMessage build_dellink(std::string_view name, std::uint32_t seq);

}  // namespace answerd::kernel::xfrm
