// Strong types for IKE wire values whose byte order or meaning is easy to confuse.
// Byte order lives only here: values are held in host order and read/written
// big-endian through from_wire()/to_wire().
#pragma once

#include <array>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>

namespace answerd::ike {

template <class Tag, class Rep>
class WireInt {
 public:
  static constexpr std::size_t kSize = sizeof(Rep);

  constexpr WireInt() = default;
  constexpr explicit WireInt(Rep host) : v_(host) {}

  // Reads kSize big-endian bytes.
  [[nodiscard]] static constexpr WireInt from_wire(std::span<const std::uint8_t, kSize> b) {
    Rep v = 0;
    for (std::size_t i = 0; i < kSize; ++i) v = static_cast<Rep>((v << 8) | b[i]);
    return WireInt(v);
  }
  constexpr void to_wire(std::span<std::uint8_t, kSize> out) const {
    for (std::size_t i = 0; i < kSize; ++i)
      out[i] = static_cast<std::uint8_t>(v_ >> (8 * (kSize - 1 - i)));
  }
  [[nodiscard]] constexpr std::array<std::uint8_t, kSize> bytes() const {
    std::array<std::uint8_t, kSize> a{};
    to_wire(a);
    return a;
  }
  [[nodiscard]] constexpr Rep value() const { return v_; }
  [[nodiscard]] constexpr bool is_zero() const { return v_ == 0; }
  constexpr auto operator<=>(const WireInt&) const = default;

 private:
  Rep v_ = 0;
};

struct IkeSpiTag {};
struct EspSpiTag {};
struct MessageIdTag {};
struct ReqidTag {};

using IkeSpi = WireInt<IkeSpiTag, std::uint64_t>;    // RFC 7296 3.1, 8 octets
using EspSpi = WireInt<EspSpiTag, std::uint32_t>;    // RFC 4303, 4 octets
using MessageId = WireInt<MessageIdTag, std::uint32_t>;
using Reqid = WireInt<ReqidTag, std::uint32_t>;      // XFRM request id (host only)

}  // namespace answerd::ike

template <class Tag, class Rep>
struct std::hash<answerd::ike::WireInt<Tag, Rep>> {
  std::size_t operator()(const answerd::ike::WireInt<Tag, Rep>& w) const noexcept {
    return std::hash<Rep>{}(w.value());
  }
};
