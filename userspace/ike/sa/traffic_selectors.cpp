// Traffic selector narrowing, RFC 7296 2.9 and 3.13.1.
#include "ike/sa/traffic_selectors.h"

#include <algorithm>
#include <cstring>

namespace answerd::sa {
namespace {

std::size_t addr_len(std::uint8_t family) { return family == 4 ? 4 : 16; }

config::IpAddress from_bytes(const ike::Bytes& b) {
  config::IpAddress a;
  a.family = b.size() == 4 ? 4 : 6;
  std::copy(b.begin(), b.end(), a.bytes.begin());
  return a;
}

ike::Bytes to_bytes(const config::IpAddress& a) {
  return ike::Bytes(a.bytes.begin(), a.bytes.begin() + static_cast<std::ptrdiff_t>(addr_len(a.family)));
}

bool known(const ike::TrafficSelector& t) {
  const std::size_t n = t.ts_type == ike::TsType::kIpv4AddrRange ? 4 : t.ts_type == ike::TsType::kIpv6AddrRange ? 16 : 0;
  return n != 0 && t.start_addr.size() == n && t.end_addr.size() == n;
}

std::optional<ike::TrafficSelector> intersect(const ike::TrafficSelector& p, config::IpAddress from,
                                              config::IpAddress to, std::uint8_t proto, std::uint16_t from_port,
                                              std::uint16_t to_port) {
  if (!known(p)) return std::nullopt;
  const auto pf = from_bytes(p.start_addr), pt = from_bytes(p.end_addr);
  if (pf.family != from.family) return std::nullopt;
  const auto lo = std::max(pf, from), hi = std::min(pt, to);
  if (hi < lo) return std::nullopt;
  if (p.ip_protocol != 0 && proto != 0 && p.ip_protocol != proto) return std::nullopt;
  const std::uint16_t plo = std::max(p.start_port, from_port), phi = std::min(p.end_port, to_port);
  // OPAQUE ports (start 65535, end 0) only match OPAQUE or any.
  const bool p_opaque = p.start_port > p.end_port, o_opaque = from_port > to_port;
  ike::TrafficSelector r{.ts_type = p.ts_type,
                         .ip_protocol = p.ip_protocol != 0 ? p.ip_protocol : proto,
                         .start_port = plo,
                         .end_port = phi,
                         .start_addr = to_bytes(lo),
                         .end_addr = to_bytes(hi),
                         .raw = {}};
  if (p_opaque || o_opaque) {
    const bool p_any = p.start_port == 0 && p.end_port == 0xffff, o_any = from_port == 0 && to_port == 0xffff;
    if (!(p_opaque && (o_opaque || o_any)) && !(o_opaque && p_any)) return std::nullopt;
    r.start_port = 0xffff;
    r.end_port = 0;
  } else if (phi < plo) {
    return std::nullopt;
  }
  return r;
}

std::string addr_text(const ike::Bytes& b) { return config::to_string(from_bytes(b)); }

}  // namespace

std::vector<ike::TrafficSelector> narrow(const std::vector<ike::TrafficSelector>& peer,
                                         const std::vector<config::TrafficSelector>& ours,
                                         const config::IpAddress& dynamic_addr) {
  std::vector<config::TrafficSelector> mine = ours;
  if (mine.empty()) mine.push_back(config::TrafficSelector{.dynamic = true});
  std::vector<ike::TrafficSelector> out;
  for (const auto& o : mine) {
    const auto from = o.dynamic ? dynamic_addr : o.range.from;
    const auto to = o.dynamic ? dynamic_addr : o.range.to;
    for (const auto& p : peer) {
      auto r = intersect(p, from, to, o.protocol, o.from_port, o.to_port);
      if (r && std::find(out.begin(), out.end(), *r) == out.end()) out.push_back(std::move(*r));
    }
  }
  return out;
}

std::vector<kernel::Prefix> range_to_prefixes(const config::IpAddress& from, const config::IpAddress& to) {
  __extension__ typedef unsigned __int128 U128;
  const unsigned bits = from.family == 4 ? 32 : 128;
  auto load = [&](const config::IpAddress& a) {
    U128 v = 0;
    for (unsigned i = 0; i < bits / 8; ++i) v = (v << 8) | a.bytes[i];
    return v;
  };
  auto store = [&](U128 v) {
    config::IpAddress a;
    a.family = from.family;
    for (unsigned i = bits / 8; i-- > 0;) {
      a.bytes[i] = static_cast<std::uint8_t>(v & 0xff);
      v >>= 8;
    }
    return a;
  };
  std::vector<kernel::Prefix> out;
  U128 lo = load(from);
  const U128 hi = load(to);
  while (lo <= hi) {
    unsigned host = 0;  // host bits of the largest aligned block at lo within hi
    while (host < bits) {
      const unsigned h = host + 1;  // try a block of 2^h addresses
      const U128 span = h == 128 ? ~static_cast<U128>(0) : (static_cast<U128>(1) << h) - 1;
      if ((lo & span) != 0 || lo + span > hi) break;  // aligned lo: lo + span cannot wrap
      ++host;
    }
    out.push_back(kernel::Prefix{store(lo), static_cast<std::uint8_t>(bits - host)});
    if (host == bits) break;  // the whole address space
    const U128 next = lo + (static_cast<U128>(1) << host);
    if (next == 0 || (bits == 32 && next > 0xffffffffu)) break;
    lo = next;
  }
  return out;
}

std::vector<kernel::Selector> to_selectors(const ike::TrafficSelector& src, const ike::TrafficSelector& dst) {
  std::vector<kernel::Selector> out;
  if (!known(src) || !known(dst)) return out;
  auto port = [](const ike::TrafficSelector& t) -> std::uint16_t {
    return t.start_port == t.end_port ? t.start_port : 0;
  };
  for (const auto& s : range_to_prefixes(from_bytes(src.start_addr), from_bytes(src.end_addr)))
    for (const auto& d : range_to_prefixes(from_bytes(dst.start_addr), from_bytes(dst.end_addr)))
      out.push_back(kernel::Selector{.src = s, .dst = d, .proto = src.ip_protocol != 0 ? src.ip_protocol : dst.ip_protocol,
                                     .src_port = port(src), .dst_port = port(dst)});
  return out;
}

std::string to_string(const ike::TrafficSelector& ts) {
  if (!known(ts)) return "unknown";
  std::string s = addr_text(ts.start_addr);
  if (ts.start_addr != ts.end_addr) s += "-" + addr_text(ts.end_addr);
  if (ts.ip_protocol != 0 || ts.start_port != 0 || ts.end_port != 0xffff) {
    s += "[" + std::to_string(ts.ip_protocol);
    if (ts.start_port != 0 || ts.end_port != 0xffff)
      s += "/" + std::to_string(ts.start_port) + (ts.start_port != ts.end_port ? "-" + std::to_string(ts.end_port) : "");
    s += "]";
  }
  return s;
}

}  // namespace answerd::sa
