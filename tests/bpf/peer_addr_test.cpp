// Peer address and prefix text forms of the XDP maps (no kernel needed).
#include "kernel/xdp/peer_addr.h"

#include <gtest/gtest.h>

#include <cstring>

namespace answerd::test {
namespace {

namespace xdp = answerd::kernel::xdp;

TEST(PeerAddr, Ipv4IsMapped) {
  auto a = xdp::parse_addr("192.0.2.1");
  ASSERT_TRUE(a.has_value());
  const std::uint8_t want[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 192, 0, 2, 1};
  EXPECT_EQ(std::memcmp(a->addr, want, 16), 0);
  EXPECT_EQ(xdp::format_addr(*a), "192.0.2.1");
}

TEST(PeerAddr, Ipv6RoundTrip) {
  auto a = xdp::parse_addr("2001:db8:0:0::1");
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(xdp::format_addr(*a), "2001:db8::1");
}

TEST(PeerAddr, RejectsGarbage) {
  for (const char* bad : {"", "192.0.2", "300.0.0.1", "host.example", "1.2.3.4 "})
    EXPECT_FALSE(xdp::parse_addr(bad).has_value()) << bad;
}

TEST(PeerAddr, Prefixes) {
  auto p4 = xdp::parse_prefix("10.0.0.0/8");
  ASSERT_TRUE(p4.has_value());
  EXPECT_EQ(p4->prefixlen, 96u + 8u);
  auto p6 = xdp::parse_prefix("2001:db8::/32");
  ASSERT_TRUE(p6.has_value());
  EXPECT_EQ(p6->prefixlen, 32u);
  EXPECT_EQ(xdp::parse_prefix("192.0.2.7")->prefixlen, 128u);
  for (const char* bad : {"10.0.0.0/33", "2001:db8::/129", "10.0.0.0/", "10.0.0.0/8x", "/8"})
    EXPECT_FALSE(xdp::parse_prefix(bad).has_value()) << bad;
}

}  // namespace
}  // namespace answerd::test
