// Traffic selector narrowing (RFC 7296 2.9): the responder answers with the
// intersection of what the initiator proposes and what the configuration allows,
// per selector, for addresses, IP protocol and ports. "dynamic" in the config is
// the IKE address of that side (no virtual IPs). Empty result: TS_UNACCEPTABLE.
#pragma once

#include <string>
#include <vector>

#include "config/address.h"
#include "ike/sa/dataplane.h"
#include "ike/wire/payloads.h"

namespace answerd::sa {

// `peer`: TSi or TSr as received; `ours`: the child's remote_ts or local_ts;
// `dynamic_addr`: that side's IKE address.
[[nodiscard]] std::vector<ike::TrafficSelector> narrow(const std::vector<ike::TrafficSelector>& peer,
                                                       const std::vector<config::TrafficSelector>& ours,
                                                       const config::IpAddress& dynamic_addr);

// Kernel selector of a (known-type) wire selector.
[[nodiscard]] Selector to_selector(const ike::TrafficSelector& ts);
// "10.1.0.0/24", "10.1.0.1-10.1.0.9[tcp/80]" for logs and snapshots.
[[nodiscard]] std::string to_string(const ike::TrafficSelector& ts);

}  // namespace answerd::sa
