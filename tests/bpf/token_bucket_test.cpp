// DESIGN.md verdict 8: the per-source IKE_SA_INIT token bucket. Exhaustion is
// tested deterministically (a bucket whose refill lies in the future, and a fresh
// bucket at 1 request/s drained in microseconds); refill only as "after a sleep a
// request passes again", which cannot flake.
#include "xdp_fixture.h"

#include <bpf/bpf.h>
#include <linux/bpf.h>

#include <chrono>
#include <thread>

namespace answerd::test {
namespace {

class TokenBucket : public XdpFixture {
 protected:
  void configure(std::uint32_t rate, std::uint32_t burst) {
    auto cfg = xdp::default_config();
    cfg.init_rate = rate;
    cfg.init_burst = burst;
    ASSERT_TRUE(maps().set_config(cfg).has_value());
  }
  // Runs one IKE_SA_INIT from `src`; returns the XDP action.
  std::uint32_t sa_init(const std::string& src = "192.0.2.10") {
    const bool v6 = src.find(':') != std::string::npos;
    const RunResult r = test_run(
        prog_fd(), build(Frame{.ip_version = v6 ? 6 : 4, .src = src,
                               .dst = v6 ? "2001:db8::1" : "192.0.2.1", .payload = ike_payload({})}));
    EXPECT_EQ(r.err, 0);
    return r.action;
  }
};

TEST_F(TokenBucket, PresetTokensNoRefill) {
  configure(1, 50);
  const answer_addr src = addr("192.0.2.10");
  answer_bucket b{.last_ns = ~0ULL >> 1, .tokens = 3 * static_cast<std::int64_t>(ANSWER_TOKEN_UNIT)};
  ASSERT_EQ(::bpf_map_update_elem(maps().fd(xdp::XdpMaps::kInitBucket), &src, &b, BPF_ANY), 0);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(sa_init(), XDP_PASS) << "request " << i;
  for (int i = 0; i < 4; ++i) EXPECT_EQ(sa_init(), XDP_DROP) << "request " << 3 + i;
  const answer_stats g = global();
  EXPECT_EQ(g.ike_sa_init, 3u);
  EXPECT_EQ(g.rate_limited, 4u);
  // A dropped request gives its token back: the bucket is empty, not negative.
  answer_bucket after{};
  ASSERT_EQ(::bpf_map_lookup_elem(maps().fd(xdp::XdpMaps::kInitBucket), &src, &after), 0);
  EXPECT_EQ(after.tokens, 0);
}

TEST_F(TokenBucket, BurstThenRateLimited) {
  configure(1, 5);  // a token per second: the loop below ends long before one refills
  int passed = 0, dropped = 0;
  for (int i = 0; i < 12; ++i) (sa_init() == XDP_PASS ? passed : dropped)++;
  EXPECT_EQ(passed, 5);
  EXPECT_EQ(dropped, 7);
  const auto p = peer("192.0.2.10");
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->ike_sa_init, 5u);
  EXPECT_EQ(p->rate_limited, 7u);
}

TEST_F(TokenBucket, SourcesHaveOwnBuckets) {
  configure(1, 2);
  for (int i = 0; i < 2; ++i) EXPECT_EQ(sa_init("192.0.2.10"), XDP_PASS);
  EXPECT_EQ(sa_init("192.0.2.10"), XDP_DROP);
  EXPECT_EQ(sa_init("192.0.2.11"), XDP_PASS);
  EXPECT_EQ(sa_init("2001:db8::10"), XDP_PASS);  // IPv6 sources too
}

TEST_F(TokenBucket, OnlyInitRequestsTakeTokens) {
  configure(1, 1);
  EXPECT_EQ(sa_init(), XDP_PASS);
  EXPECT_EQ(sa_init(), XDP_DROP);
  Ike auth{.spi_r = 9, .exchange = 35, .msg_id = 1};
  const RunResult r = test_run(prog_fd(), build(Frame{.payload = ike_payload(auth)}));
  EXPECT_EQ(r.action, XDP_PASS);
}

TEST_F(TokenBucket, RefillsAfterSleep) {
  configure(ANSWER_MAX_RATE, 1);  // a token per microsecond
  EXPECT_EQ(sa_init(), XDP_PASS);
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  EXPECT_EQ(sa_init(), XDP_PASS);
  answer_bucket after{};
  const answer_addr src = addr("192.0.2.10");
  ASSERT_EQ(::bpf_map_lookup_elem(maps().fd(xdp::XdpMaps::kInitBucket), &src, &after), 0);
  EXPECT_EQ(after.tokens, 0) << "refill capped at the burst of 1, then one taken";
}

}  // namespace
}  // namespace answerd::test
