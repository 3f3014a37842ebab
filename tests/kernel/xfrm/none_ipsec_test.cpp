// dataplane = none: unique SPIs, nothing installed, one warning.
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "kernel/none/none_ipsec.h"

namespace answerd::kernel::none {
namespace {

TEST(NoneIpsec, SpisAreUniqueAndInTheAllocRange) {
  std::vector<std::string> warnings;
  NoneIpsec n([&](std::string_view w) { warnings.emplace_back(w); }, 0x0FFFFFF0u);
  std::set<std::uint32_t> seen;
  for (int i = 0; i < 5000; ++i) {
    auto spi = n.alloc_spi({}, {}, owned_reqid(1));
    ASSERT_TRUE(spi);
    EXPECT_GE(spi->value(), 0xc0000000u);
    EXPECT_LE(spi->value(), 0xcfffffffu);  // also across the counter's wrap at 0x10000000
    EXPECT_TRUE(seen.insert(spi->value()).second) << std::hex << spi->value();
  }
  EXPECT_TRUE(warnings.empty());  // allocating an SPI installs nothing
}

TEST(NoneIpsec, RandomStartDiffersBetweenInstances) {
  NoneIpsec a(nullptr), b(nullptr);
  // 2^-28 chance of a false failure.
  EXPECT_NE(a.alloc_spi({}, {}, owned_reqid(1))->value(), b.alloc_spi({}, {}, owned_reqid(1))->value());
}

TEST(NoneIpsec, WarnsOnceAndInstallsNothing) {
  std::vector<std::string> warnings;
  NoneIpsec n([&](std::string_view w) { warnings.emplace_back(w); }, 1);
  EXPECT_TRUE(n.add_sa({}, {}));
  EXPECT_TRUE(n.add_policy({}, {}));
  EXPECT_TRUE(n.del_policy({}));
  EXPECT_TRUE(n.del_sa({}));
  EXPECT_TRUE(n.update_sa({}, {}, UdpEncap{4500, 40000}));  // a NAT mapping change: nothing to move
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("dataplane = none"), std::string::npos);
  EXPECT_EQ(n.ignored_calls(), 5u);
  auto st = n.query_sa({});
  ASSERT_TRUE(st);
  EXPECT_EQ(st->bytes, 0u);
  EXPECT_EQ(n.event_fd(), -1);
  EXPECT_EQ(*n.flush_owned(), 0u);
  EXPECT_FALSE(n.capabilities().installs_sas);
}

}  // namespace
}  // namespace answerd::kernel::none
