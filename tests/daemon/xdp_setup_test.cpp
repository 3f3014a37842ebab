// config -> XdpSetup (config_adapter.cpp): remote_addrs ranges become the fewest
// covering prefixes of the XDP `allow` LPM trie (IPv4 mapped, prefix + 96), the
// allowlist is on only when every connection restricts remote_addrs, and the xdp
// section's ports, rate, burst, mode and the bpffs are carried over.
#include "config/address.h"
#include "config/config.h"
#include "daemon/config_adapter.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace answerd::daemon {
namespace {

config::AddressRange range(const std::string& spec) {
  auto r = config::parse_address_spec(spec);
  EXPECT_TRUE(r.has_value()) << spec;
  return r->front();
}

std::vector<std::pair<std::string, std::uint32_t>> texts(const std::vector<XdpPrefix>& ps) {
  std::vector<std::pair<std::string, std::uint32_t>> out;
  for (const auto& p : ps) {
    config::IpAddress a{.family = 6, .bytes = p.addr};
    out.emplace_back(config::to_string(a), p.prefixlen);
  }
  return out;
}

TEST(XdpSetup, CidrIsOnePrefixInMappedForm) {
  EXPECT_EQ(texts(range_prefixes(range("192.0.2.0/24"))),
            (std::vector<std::pair<std::string, std::uint32_t>>{{"::ffff:192.0.2.0", 120}}));
  EXPECT_EQ(texts(range_prefixes(range("2001:db8::/32"))),
            (std::vector<std::pair<std::string, std::uint32_t>>{{"2001:db8::", 32}}));
  EXPECT_EQ(texts(range_prefixes(range("198.51.100.7"))),
            (std::vector<std::pair<std::string, std::uint32_t>>{{"::ffff:198.51.100.7", 128}}));
}

TEST(XdpSetup, RangeIsTheFewestCoveringPrefixes) {
  EXPECT_EQ(texts(range_prefixes(range("10.9.0.1-10.9.0.6"))),
            (std::vector<std::pair<std::string, std::uint32_t>>{
                {"::ffff:10.9.0.1", 128}, {"::ffff:10.9.0.2", 127}, {"::ffff:10.9.0.4", 127},
                {"::ffff:10.9.0.6", 128}}));
  // The whole IPv6 space ends at ffff...ffff without wrapping around.
  EXPECT_EQ(texts(range_prefixes(range("::/0"))),
            (std::vector<std::pair<std::string, std::uint32_t>>{{"::", 0}}));
}

config::Connection conn(const std::string& remote) {
  config::Connection c;
  c.name = "c";
  auto r = config::parse_address_spec(remote);
  EXPECT_TRUE(r.has_value()) << remote;
  c.remote_addrs = *r;
  return c;
}

TEST(XdpSetup, AllowlistOnlyWhenEveryConnectionRestricts) {
  config::Config cfg;
  cfg.daemon.bpffs = "/sys/fs/bpf/t";
  cfg.daemon.xdp = {.interfaces = {"eth0"}, .mode = config::XdpMode::kGeneric, .init_rate = 7,
                    .init_burst = 3, .ports = {1500, 14500}};
  cfg.connections = {conn("192.0.2.0/24"), conn("2001:db8::1")};
  auto s = settings_from_config(cfg).xdp;
  EXPECT_TRUE(s.enabled());
  EXPECT_TRUE(s.generic);
  EXPECT_EQ(s.bpffs, "/sys/fs/bpf/t");
  EXPECT_EQ(s.ike_port, 1500);
  EXPECT_EQ(s.natt_port, 14500);
  EXPECT_EQ(s.init_rate, 7u);
  EXPECT_EQ(s.init_burst, 3u);
  EXPECT_TRUE(s.allowlist);
  EXPECT_EQ(s.allow.size(), 2u);

  cfg.connections.push_back(conn("%any"));
  s = settings_from_config(cfg).xdp;
  EXPECT_FALSE(s.allowlist);
  EXPECT_TRUE(s.allow.empty());

  cfg.daemon.xdp.interfaces.clear();
  EXPECT_FALSE(settings_from_config(cfg).xdp.enabled());
}

}  // namespace
}  // namespace answerd::daemon
