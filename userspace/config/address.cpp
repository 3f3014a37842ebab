// Address, range and traffic selector parsing (address.h).
#include "config/address.h"

#include <arpa/inet.h>

#include "config/values.h"

namespace answerd::config {

expected<IpAddress, std::string> parse_ip(std::string_view s) {
  if (s.empty() || s.size() > 64) return unexpected("'" + std::string(s) + "' is not an IP address");
  std::string z(s);
  IpAddress a;
  if (z.find(':') == std::string::npos) {
    if (::inet_pton(AF_INET, z.c_str(), a.bytes.data()) == 1) {
      a.family = 4;
      return a;
    }
  } else if (::inet_pton(AF_INET6, z.c_str(), a.bytes.data()) == 1) {
    a.family = 6;
    return a;
  }
  return unexpected("'" + z + "' is not an IP address");
}

std::string to_string(const IpAddress& a) {
  char buf[INET6_ADDRSTRLEN] = {};
  if (a.family == 4) ::inet_ntop(AF_INET, a.bytes.data(), buf, sizeof buf);
  else if (a.family == 6) ::inet_ntop(AF_INET6, a.bytes.data(), buf, sizeof buf);
  else return "%any";
  return buf;
}

namespace {

std::size_t addr_len(const IpAddress& a) { return a.family == 4 ? 4 : 16; }

AddressRange whole_family(std::uint8_t family, std::string text) {
  AddressRange r{.from = {}, .to = {}, .prefix = 0, .any = true, .text = std::move(text)};
  r.from.family = r.to.family = family;
  for (std::size_t i = 0; i < (family == 4 ? 4u : 16u); ++i) r.to.bytes[i] = 0xff;
  return r;
}

expected<AddressRange, std::string> parse_cidr(std::string_view s, std::size_t slash) {
  auto a = parse_ip(s.substr(0, slash));
  if (!a) return unexpected(a.error());
  std::uint64_t max = a->family == 4 ? 32 : 128;
  auto len = parse_uint(s.substr(slash + 1), max);
  if (!len || s.substr(slash + 1).starts_with("0x"))
    return unexpected("invalid prefix length in '" + std::string(s) + "'");
  AddressRange r{.from = *a, .to = *a, .prefix = static_cast<int>(*len), .any = false,
                 .text = std::string(s)};
  for (std::size_t bit = *len; bit < addr_len(*a) * 8; ++bit) {
    auto mask = static_cast<std::uint8_t>(0x80u >> (bit % 8));
    r.from.bytes[bit / 8] = static_cast<std::uint8_t>(r.from.bytes[bit / 8] & ~mask);
    r.to.bytes[bit / 8] = static_cast<std::uint8_t>(r.to.bytes[bit / 8] | mask);
  }
  return r;
}

// A single address, CIDR subnet or from-to range.
expected<AddressRange, std::string> parse_range(std::string_view s) {
  if (auto slash = s.find('/'); slash != std::string_view::npos) return parse_cidr(s, slash);
  if (auto dash = s.find('-'); dash != std::string_view::npos) {
    auto a = parse_ip(trim(s.substr(0, dash)));
    auto b = parse_ip(trim(s.substr(dash + 1)));
    if (!a) return unexpected(a.error());
    if (!b) return unexpected(b.error());
    if (a->family != b->family)
      return unexpected("range '" + std::string(s) + "' mixes IPv4 and IPv6");
    if (*b < *a) return unexpected("range '" + std::string(s) + "' ends before it starts");
    return AddressRange{.from = *a, .to = *b, .prefix = -1, .any = false, .text = std::string(s)};
  }
  auto a = parse_ip(s);
  if (!a) return unexpected(a.error() + " (DNS names are not supported)");
  return AddressRange{.from = *a, .to = *a, .prefix = a->family == 4 ? 32 : 128, .any = false,
                      .text = std::string(s)};
}

}  // namespace

expected<std::vector<AddressRange>, std::string> parse_address_spec(std::string_view s) {
  s = trim(s);
  if (s.empty()) return unexpected(std::string("empty address in list"));
  if (s == "%any") return std::vector{whole_family(4, "%any"), whole_family(6, "%any")};
  if (s == "%any4") return std::vector{whole_family(4, "%any4")};
  if (s == "%any6") return std::vector{whole_family(6, "%any6")};
  auto r = parse_range(s);
  if (!r) return unexpected(r.error());
  return std::vector{*r};
}

expected<std::vector<AddressRange>, std::string> parse_address_list(std::string_view s) {
  std::vector<AddressRange> out;
  auto items = split_list(s);
  if (items.empty()) return unexpected(std::string("empty address list"));
  for (const auto& item : items) {
    auto r = parse_address_spec(item);
    if (!r) return unexpected(r.error());
    out.insert(out.end(), r->begin(), r->end());
  }
  return out;
}

bool contains(const std::vector<AddressRange>& list, const IpAddress& a) {
  for (const auto& r : list)
    if (r.contains(a)) return true;
  return false;
}

namespace {

struct ProtoName {
  std::string_view name;
  std::uint8_t number;
};
constexpr ProtoName kProtocols[] = {
    {"icmp", 1}, {"tcp", 6}, {"udp", 17}, {"gre", 47}, {"esp", 50},
    {"ipv6-icmp", 58}, {"icmpv6", 58}, {"sctp", 132},
};

// "[proto]" or "[proto/port]" without the brackets.
expected<void, std::string> parse_proto_port(std::string_view s, TrafficSelector& ts) {
  auto slash = s.find('/');
  std::string_view proto = s.substr(0, slash);
  if (proto != "%any" && !proto.empty()) {
    bool found = false;
    for (const auto& p : kProtocols)
      if (p.name == proto) { ts.protocol = p.number; found = true; }
    if (!found) {
      auto n = parse_uint(proto, 255);
      if (!n) return unexpected("unknown protocol '" + std::string(proto) + "'");
      ts.protocol = static_cast<std::uint8_t>(*n);
    }
  }
  if (slash == std::string_view::npos) return {};
  std::string_view port = s.substr(slash + 1);
  if (port == "%any") return {};
  if (ts.protocol == 0)
    return unexpected(std::string("a port needs a protocol (e.g. [tcp/80])"));
  if (port == "%opaque") {
    ts.from_port = 65535;
    ts.to_port = 0;
    return {};
  }
  auto dash = port.find('-');
  auto lo = parse_uint(port.substr(0, dash), 65535);
  auto hi = dash == std::string_view::npos ? lo : parse_uint(port.substr(dash + 1), 65535);
  if (!lo || !hi)
    return unexpected("invalid port '" + std::string(port) + "' (numbers only, e.g. 53 or 1024-65535)");
  if (*hi < *lo) return unexpected("port range '" + std::string(port) + "' ends before it starts");
  ts.from_port = static_cast<std::uint16_t>(*lo);
  ts.to_port = static_cast<std::uint16_t>(*hi);
  return {};
}

expected<void, std::string> parse_ts(std::string_view s, std::vector<TrafficSelector>& out) {
  TrafficSelector ts{.text = std::string(s)};
  std::string_view addr = s;
  if (auto open = s.find('['); open != std::string_view::npos) {
    if (s.back() != ']') return unexpected("missing ']' in '" + std::string(s) + "'");
    auto pp = parse_proto_port(s.substr(open + 1, s.size() - open - 2), ts);
    if (!pp) return unexpected(pp.error() + " in '" + std::string(s) + "'");
    addr = trim(s.substr(0, open));
  }
  if (addr == "dynamic") {
    ts.dynamic = true;
    out.push_back(ts);
    return {};
  }
  auto ranges = parse_address_spec(addr.empty() ? "%any" : addr);
  if (!ranges) return unexpected(ranges.error());
  for (const auto& r : *ranges) {
    ts.range = r;
    out.push_back(ts);
  }
  return {};
}

}  // namespace

expected<std::vector<TrafficSelector>, std::string> parse_ts_list(std::string_view s) {
  std::vector<TrafficSelector> out;
  auto items = split_list(s);
  if (items.empty()) return unexpected(std::string("empty traffic selector list"));
  for (const auto& item : items) {
    if (item.empty()) return unexpected(std::string("empty traffic selector in list"));
    auto r = parse_ts(item, out);
    if (!r) return unexpected(r.error());
  }
  return out;
}

}  // namespace answerd::config
