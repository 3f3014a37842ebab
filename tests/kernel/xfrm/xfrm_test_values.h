// Values the XFRM builder and parser tests share: zeroed uapi structs, addresses in
// the backend's IpAddress and in the kernel's xfrm_address_t, and a built message's
// bytes.
#pragma once

#include <linux/xfrm.h>

#include <cstdint>
#include <cstring>
#include <vector>

#include "kernel/xfrm/xfrm_messages.h"

namespace answerd::kernel::xfrm::testing {

template <class T>
T zero() {
  T t;
  std::memset(&t, 0, sizeof(t));
  return t;
}

inline IpAddress v4(std::uint8_t a, std::uint8_t b, std::uint8_t c, std::uint8_t d) {
  IpAddress x{};
  x.family = 4;
  x.bytes = {a, b, c, d};
  return x;
}

// first:...::last
inline IpAddress v6(std::uint16_t first, std::uint8_t last) {
  IpAddress x{};
  x.family = 6;
  x.bytes[0] = static_cast<std::uint8_t>(first >> 8);
  x.bytes[1] = static_cast<std::uint8_t>(first);
  x.bytes[15] = last;
  return x;
}

inline xfrm_address_t xa(const IpAddress& a) {
  auto x = zero<xfrm_address_t>();
  std::memcpy(&x, a.bytes.data(), a.family == 6 ? 16 : 4);
  return x;
}

inline std::vector<std::uint8_t> bytes_of(const NlMessage& m) {
  auto s = m.bytes();
  return {s.begin(), s.end()};
}

}  // namespace answerd::kernel::xfrm::testing
