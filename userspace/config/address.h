// IP addresses, ranges and traffic selectors as swanctl.conf writes them:
//   local_addrs/remote_addrs: %any, %any4, %any6, 192.0.2.1, 2001:db8::1,
//                             10.0.0.0/8 (CIDR), 10.0.0.1-10.0.0.9 (range)
//   local_ts/remote_ts:       the same plus "dynamic" and a protocol/port suffix
//                             [tcp], [udp/53], [tcp/1024-65535], [%any/80], [icmp/8],
//                             [udp/%opaque] (RFC 7296 3.13.1 traffic selectors)
// DNS names are not accepted: a responder matches peers by address.
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "util/expected.h"

namespace answerd::config {

struct IpAddress {
  std::uint8_t family = 0;  // 4 or 6
  std::array<std::uint8_t, 16> bytes{};  // IPv4 in the first 4 bytes, the rest zero
  friend auto operator<=>(const IpAddress&, const IpAddress&) = default;
};

[[nodiscard]] expected<IpAddress, std::string> parse_ip(std::string_view s);
[[nodiscard]] std::string to_string(const IpAddress& a);

// An inclusive range of addresses of one family. `text` is what the operator wrote
// (for display); `prefix` is the CIDR prefix length if written as a subnet, else -1.
struct AddressRange {
  IpAddress from{};
  IpAddress to{};
  int prefix = -1;
  bool any = false;  // written as %any/%any4/%any6 (this range is the whole family)
  std::string text{};
  [[nodiscard]] bool contains(const IpAddress& a) const {
    return a.family == from.family && from <= a && a <= to;
  }
  friend bool operator==(const AddressRange&, const AddressRange&) = default;
};

// One element of local_addrs/remote_addrs. %any gives two ranges (IPv4 and IPv6).
[[nodiscard]] expected<std::vector<AddressRange>, std::string> parse_address_spec(
    std::string_view s);
// Parses a comma-separated list of address specs.
[[nodiscard]] expected<std::vector<AddressRange>, std::string> parse_address_list(
    std::string_view s);
[[nodiscard]] bool contains(const std::vector<AddressRange>& list, const IpAddress& a);

// RFC 7296 3.13.1: an address range plus IP protocol and port range.
struct TrafficSelector {
  bool dynamic = false;  // "dynamic": the IKE address (or virtual IP) of that side
  AddressRange range{};    // unused when dynamic
  std::uint8_t protocol = 0;  // 0 = any
  std::uint16_t from_port = 0;
  std::uint16_t to_port = 65535;  // opaque: from 65535 to 0, as RFC 7296 3.13.1
  std::string text{};
  friend bool operator==(const TrafficSelector&, const TrafficSelector&) = default;
};

[[nodiscard]] expected<std::vector<TrafficSelector>, std::string> parse_ts_list(
    std::string_view s);

}  // namespace answerd::config
