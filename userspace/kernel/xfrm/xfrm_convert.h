// Conversions between the KernelIpsec value types and the XFRM uapi structs:
// addresses (xfrm_address_t), families, selectors, policy directions. Byte order of
// ports and SPIs is handled here and in the builders only.
#pragma once

#include <linux/xfrm.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cstdint>
#include <cstring>

#include "kernel/ipsec.h"

namespace answerd::kernel::xfrm {

// A uapi struct with every byte zero, padding included ({} leaves the padding and
// the tail of a union unspecified, and these bytes go to the kernel as they are).
template <class T>
[[nodiscard]] inline T zeroed() {
  T t;
  std::memset(&t, 0, sizeof(t));
  return t;
}

[[nodiscard]] inline std::uint16_t to_af(const IpAddress& a) {
  return a.family == 6 ? AF_INET6 : AF_INET;
}

[[nodiscard]] inline xfrm_address_t to_xaddr(const IpAddress& a) {
  auto x = zeroed<xfrm_address_t>();
  std::memcpy(&x, a.bytes.data(), a.family == 6 ? 16 : 4);
  return x;
}

[[nodiscard]] inline IpAddress from_xaddr(const xfrm_address_t& x, std::uint16_t af) {
  IpAddress a{};
  a.family = af == AF_INET6 ? 6 : 4;
  std::memcpy(a.bytes.data(), &x, af == AF_INET6 ? 16 : 4);
  return a;
}

[[nodiscard]] inline xfrm_selector to_selector(const Selector& s) {
  auto x = zeroed<xfrm_selector>();
  x.saddr = to_xaddr(s.src.addr);
  x.daddr = to_xaddr(s.dst.addr);
  x.family = to_af(s.src.addr);
  x.prefixlen_s = s.src.len;
  x.prefixlen_d = s.dst.len;
  x.proto = s.proto;
  if (s.src_port != 0) {
    x.sport = htons(s.src_port);
    x.sport_mask = 0xffff;
  }
  if (s.dst_port != 0) {
    x.dport = htons(s.dst_port);
    x.dport_mask = 0xffff;
  }
  return x;
}

[[nodiscard]] inline Selector from_selector(const xfrm_selector& x) {
  Selector s{};
  s.src = {.addr = from_xaddr(x.saddr, x.family), .len = x.prefixlen_s};
  s.dst = {.addr = from_xaddr(x.daddr, x.family), .len = x.prefixlen_d};
  s.proto = x.proto;
  s.src_port = x.sport_mask != 0 ? ntohs(x.sport) : 0;
  s.dst_port = x.dport_mask != 0 ? ntohs(x.dport) : 0;
  return s;
}

[[nodiscard]] inline std::uint8_t to_xfrm_dir(PolicyDir d) {
  switch (d) {
    case PolicyDir::kIn:
      return XFRM_POLICY_IN;
    case PolicyDir::kOut:
      return XFRM_POLICY_OUT;
    case PolicyDir::kFwd:
      return XFRM_POLICY_FWD;
  }
  return XFRM_POLICY_OUT;
}

[[nodiscard]] inline PolicyDir from_xfrm_dir(std::uint8_t d) {
  return d == XFRM_POLICY_IN ? PolicyDir::kIn : d == XFRM_POLICY_FWD ? PolicyDir::kFwd
                                                                      : PolicyDir::kOut;
}

}  // namespace answerd::kernel::xfrm
