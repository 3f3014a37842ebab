// Traffic selector narrowing (RFC 7296 2.9) and the conversion of IKE address
// ranges into the prefixes kernel selectors need.
#include <gtest/gtest.h>

#include "ike/sa/traffic_selectors.h"
#include "initiator.h"

namespace answerd::sa::test {
namespace {

std::vector<std::string> prefixes(const std::string& from, const std::string& to) {
  std::vector<std::string> out;
  for (const auto& p : range_to_prefixes(ip(from), ip(to)))
    out.push_back(config::to_string(p.addr) + "/" + std::to_string(p.len));
  return out;
}

TEST(RangeToPrefixes, Table) {
  struct Case {
    const char* from;
    const char* to;
    std::vector<std::string> want;
  };
  const Case cases[] = {
      {.from = "10.1.0.0", .to = "10.1.255.255", .want = {"10.1.0.0/16"}},
      {.from = "10.0.0.1", .to = "10.0.0.6", .want = {"10.0.0.1/32", "10.0.0.2/31", "10.0.0.4/31", "10.0.0.6/32"}},
      {.from = "0.0.0.0", .to = "255.255.255.255", .want = {"0.0.0.0/0"}},
      {.from = "192.0.2.1", .to = "192.0.2.1", .want = {"192.0.2.1/32"}},
      {.from = "255.255.255.254", .to = "255.255.255.255", .want = {"255.255.255.254/31"}},
      {.from = "::", .to = "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", .want = {"::/0"}},
      {.from = "2001:db8::", .to = "2001:db8::ffff:ffff:ffff:ffff", .want = {"2001:db8::/64"}},
  };
  for (const auto& c : cases) EXPECT_EQ(prefixes(c.from, c.to), c.want) << c.from << "-" << c.to;
}

TEST(Narrow, IntersectsAddressesProtocolsAndPorts) {
  const std::vector<config::TrafficSelector> ours = *config::parse_ts_list("10.1.0.0/16[tcp/80], 10.9.0.0/24");
  const auto r = narrow({ts4("10.1.2.0", "10.1.2.255"), ts4("10.9.0.128", "10.9.1.255", 17, 53, 53)}, ours, ip("192.0.2.1"));
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0], ts4("10.1.2.0", "10.1.2.255", 6, 80, 80));
  EXPECT_EQ(r[1], ts4("10.9.0.128", "10.9.0.255", 17, 53, 53));
  EXPECT_TRUE(narrow({ts4("10.1.0.0", "10.1.0.255", 17, 0, 0xffff)}, *config::parse_ts_list("10.1.0.0/16[tcp]"), ip("192.0.2.1"))
                  .empty());
}

TEST(Narrow, DynamicIsTheIkeAddress) {
  const auto r = narrow({ts4("0.0.0.0", "255.255.255.255")}, *config::parse_ts_list("dynamic"), ip("198.51.100.10"));
  EXPECT_EQ(r, std::vector{ts4("198.51.100.10", "198.51.100.10")});
}

TEST(ToSelectors, SplitsRangesAndKeepsSinglePorts) {
  const auto s = to_selectors(ts4("10.0.0.1", "10.0.0.2", 17, 500, 500), ts4("10.2.0.0", "10.2.255.255", 17, 1024, 65535));
  ASSERT_EQ(s.size(), 2u);  // 10.0.0.1/32 and 10.0.0.2/32 to 10.2.0.0/16
  EXPECT_EQ(s[0].src.len, 32);
  EXPECT_EQ(s[0].dst.len, 16);
  EXPECT_EQ(s[0].proto, 17);
  EXPECT_EQ(s[0].src_port, 500);
  EXPECT_EQ(s[0].dst_port, 0);  // a port range is widened to any port
}

}  // namespace
}  // namespace answerd::sa::test
