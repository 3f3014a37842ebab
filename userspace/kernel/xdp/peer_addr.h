// Peer addresses as the XDP maps key them: 16 bytes, IPv6 or IPv4-mapped
// (::ffff:a.b.c.d). Parsing from and formatting to the usual text forms.
#pragma once

#include "bpf/answer_xdp_shared.h"
#include "kernel/xdp/xdp_error.h"

#include <string>
#include <string_view>

namespace answerd::kernel::xdp {

// "192.0.2.1" (mapped) or "2001:db8::1".
[[nodiscard]] Result<answer_addr> parse_addr(std::string_view text);
// "192.0.2.1" for mapped addresses, RFC 5952 text for IPv6.
[[nodiscard]] std::string format_addr(const answer_addr& a);
// "192.0.2.0/24" (prefix length counted on the mapped form: 96 + 24), "2001:db8::/32",
// or a bare address (a host prefix).
[[nodiscard]] Result<answer_allow_key> parse_prefix(std::string_view text);

[[nodiscard]] bool operator==(const answer_addr& a, const answer_addr& b);

}  // namespace answerd::kernel::xdp
