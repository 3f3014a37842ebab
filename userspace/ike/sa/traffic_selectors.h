// Traffic selector narrowing (RFC 7296 2.9): the responder answers with the
// intersection of what the initiator proposes and what the configuration allows,
// per selector, for addresses, IP protocol and ports. "dynamic" in the config is
// the IKE address of that side (no virtual IPs). Empty result: TS_UNACCEPTABLE.
#pragma once

#include <string>
#include <vector>

#include "config/address.h"
#include "kernel/ipsec.h"
#include "ike/wire/payloads.h"

namespace answerd::sa {

// `peer`: TSi or TSr as received; `ours`: the child's remote_ts or local_ts;
// `dynamic_addr`: that side's IKE address.
[[nodiscard]] std::vector<ike::TrafficSelector> narrow(const std::vector<ike::TrafficSelector>& peer,
                                                       const std::vector<config::TrafficSelector>& ours,
                                                       const config::IpAddress& dynamic_addr);

// Kernel selectors (kernel/ipsec.h) for traffic from `src` to `dst`: address
// ranges split into prefixes; a port range other than one port or all ports
// becomes "any port" (XFRM selectors carry one port; logged by the caller).
[[nodiscard]] std::vector<kernel::Selector> to_selectors(const ike::TrafficSelector& src,
                                                        const ike::TrafficSelector& dst);
// The smallest list of prefixes covering exactly [from, to] (same family).
[[nodiscard]] std::vector<kernel::Prefix> range_to_prefixes(const config::IpAddress& from,
                                                           const config::IpAddress& to);
// "10.1.0.0/24", "10.1.0.1-10.1.0.9[tcp/80]" for logs and snapshots.
[[nodiscard]] std::string to_string(const ike::TrafficSelector& ts);

}  // namespace answerd::sa
