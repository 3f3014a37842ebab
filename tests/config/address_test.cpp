// Addresses, ranges and traffic selectors (RFC 7296 3.13.1) in swanctl syntax.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "config/address.h"

namespace answerd::config {
namespace {

IpAddress ip(const char* s) { return *parse_ip(s); }

TEST(Address, SingleCidrRangeAndAny) {
  auto l = parse_address_list("192.0.2.1, 10.0.0.0/8, 10.1.0.5-10.1.0.9, 2001:db8::/32");
  ASSERT_TRUE(l) << l.error();
  ASSERT_EQ(l->size(), 4u);
  EXPECT_EQ((*l)[0].from, ip("192.0.2.1"));
  EXPECT_EQ((*l)[0].to, ip("192.0.2.1"));
  EXPECT_EQ((*l)[1].prefix, 8);
  EXPECT_EQ((*l)[1].to, ip("10.255.255.255"));
  EXPECT_TRUE((*l)[2].contains(ip("10.1.0.7")));
  EXPECT_FALSE((*l)[2].contains(ip("10.1.0.10")));
  EXPECT_EQ(to_string((*l)[3].to), "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff");
  EXPECT_TRUE(contains(*l, ip("2001:db8::1")));
  EXPECT_FALSE(contains(*l, ip("::1")));

  auto any = parse_address_list("%any");
  ASSERT_EQ(any->size(), 2u);
  EXPECT_TRUE((*any)[0].any);
  EXPECT_TRUE(contains(*any, ip("203.0.113.9")));
  EXPECT_TRUE(contains(*any, ip("fe80::1")));
  EXPECT_EQ(parse_address_list("%any6")->size(), 1u);
}

TEST(Address, CidrHostBitsAreMasked) {
  auto l = parse_address_list("10.1.2.3/16");
  EXPECT_EQ((*l)[0].from, ip("10.1.0.0"));
  EXPECT_EQ((*l)[0].text, "10.1.2.3/16");
}

TEST(Address, Errors) {
  EXPECT_EQ(parse_address_list("vpn.example").error(), "'vpn.example' is not an IP address (DNS names are not supported)");
  EXPECT_EQ(parse_address_list("10.0.0.0/33").error(), "invalid prefix length in '10.0.0.0/33'");
  EXPECT_EQ(parse_address_list("10.0.0.9-10.0.0.1").error(), "range '10.0.0.9-10.0.0.1' ends before it starts");
  EXPECT_EQ(parse_address_list("10.0.0.1-::1").error(), "range '10.0.0.1-::1' mixes IPv4 and IPv6");
  EXPECT_EQ(parse_address_list("10.0.0.1,").error(), "empty address in list");
  EXPECT_EQ(parse_address_list("").error(), "empty address list");
  EXPECT_EQ(parse_address_list("1.2.3").error(), "'1.2.3' is not an IP address (DNS names are not supported)");
}

TEST(TrafficSelectors, ProtocolsPortsAndDynamic) {
  auto l = parse_ts_list("10.1.0.0/24, 0.0.0.0/0[udp/53], dynamic[tcp/1024-65535], ::/0[ipv6-icmp], "
                         "10.0.0.0/8[%any/%any], 192.0.2.0/24[17/%opaque], [tcp/80]");
  ASSERT_TRUE(l) << l.error();
  ASSERT_EQ(l->size(), 8u);  // the last one (no address) is %any: IPv4 and IPv6
  EXPECT_EQ((*l)[0].protocol, 0);
  EXPECT_EQ((*l)[0].from_port, 0);
  EXPECT_EQ((*l)[0].to_port, 65535);
  EXPECT_EQ((*l)[1].protocol, 17);
  EXPECT_EQ((*l)[1].from_port, 53);
  EXPECT_EQ((*l)[1].to_port, 53);
  EXPECT_TRUE((*l)[2].dynamic);
  EXPECT_EQ((*l)[2].protocol, 6);
  EXPECT_EQ((*l)[2].from_port, 1024);
  EXPECT_EQ((*l)[3].protocol, 58);
  EXPECT_EQ((*l)[4].protocol, 0);
  EXPECT_EQ((*l)[5].from_port, 65535);  // opaque (RFC 7296 3.13.1)
  EXPECT_EQ((*l)[5].to_port, 0);
  EXPECT_EQ((*l)[6].range.from.family, 4);
  EXPECT_EQ((*l)[7].range.from.family, 6);
  EXPECT_EQ((*l)[7].from_port, 80);
}

TEST(TrafficSelectors, Errors) {
  EXPECT_EQ(parse_ts_list("10.0.0.0/8[tcp/80").error(), "missing ']' in '10.0.0.0/8[tcp/80'");
  EXPECT_EQ(parse_ts_list("10.0.0.0/8[bogus]").error(), "unknown protocol 'bogus' in '10.0.0.0/8[bogus]'");
  EXPECT_EQ(parse_ts_list("10.0.0.0/8[/80]").error(), "a port needs a protocol (e.g. [tcp/80]) in '10.0.0.0/8[/80]'");
  EXPECT_EQ(parse_ts_list("10.0.0.0/8[tcp/http]").error(),
            "invalid port 'http' (numbers only, e.g. 53 or 1024-65535) in '10.0.0.0/8[tcp/http]'");
  EXPECT_EQ(parse_ts_list("10.0.0.0/8[tcp/90-80]").error(), "port range '90-80' ends before it starts in '10.0.0.0/8[tcp/90-80]'");
  EXPECT_EQ(parse_ts_list("10.0.0.0/8[tcp/70000]").error(),
            "invalid port '70000' (numbers only, e.g. 53 or 1024-65535) in '10.0.0.0/8[tcp/70000]'");
  EXPECT_EQ(parse_ts_list("10.0.0.0/8,,10.1.0.0/16").error(), "empty traffic selector in list");
}

}  // namespace
}  // namespace answerd::config
