// gtest fixture for running frames through the XDP filter; see xdp_fixture.h.
#include "xdp_fixture.h"

namespace answerd::test {

void XdpFixture::SetUpTestSuite() {
  if (auto why = bpf_skip_reason()) {
    skip_ = *why;
    return;
  }
  bpffs_ = std::make_unique<PrivateBpffs>();
  if (!bpffs_->ok()) {
    skip_ = "cannot mount a private bpffs: " + bpffs_->error();
    return;
  }
  auto prog = xdp::XdpProgram::load({.bpffs = bpffs_->path()});
  if (!prog) {
    skip_ = "LOAD FAILED: " + prog.error().message;
    return;
  }
  program_ = std::make_unique<xdp::XdpProgram>(std::move(*prog));
}

void XdpFixture::TearDownTestSuite() {
  program_.reset();
  bpffs_.reset();
}

void XdpFixture::SetUp() {
  if (skip_.rfind("LOAD FAILED", 0) == 0) FAIL() << skip_;  // as root a load must work
  if (!program_) GTEST_SKIP() << skip_;
  reset();
}

void XdpFixture::reset(const answer_config& cfg) {
  for (auto m : {xdp::XdpMaps::kPeerStats, xdp::XdpMaps::kAllow, xdp::XdpMaps::kInflight,
                 xdp::XdpMaps::kOutstanding, xdp::XdpMaps::kInitBucket})
    ASSERT_TRUE(maps().clear(m).has_value());
  ASSERT_TRUE(maps().reset_global().has_value());
  ASSERT_TRUE(maps().set_config(cfg).has_value());
}

answer_stats XdpFixture::global() {
  auto g = maps().global();
  EXPECT_TRUE(g.has_value()) << g.error().message;
  return g ? *g : answer_stats{};
}

answer_addr XdpFixture::addr(const std::string& text) {
  auto a = xdp::parse_addr(text);
  EXPECT_TRUE(a.has_value()) << text;
  return a ? *a : answer_addr{};
}

std::optional<answer_stats> XdpFixture::peer(const std::string& text) {
  auto p = maps().peer(addr(text));
  EXPECT_TRUE(p.has_value()) << p.error().message;
  return p ? *p : std::nullopt;
}

void XdpFixture::expect_delta(const answer_stats& before, const answer_stats& after,
                              std::optional<answer_counter> c, std::uint64_t bytes,
                              const std::string& where) {
  for (int i = 0; i < ANSWER_CNT_MAX; ++i) {
    auto ci = static_cast<answer_counter>(i);
    std::uint64_t want = xdp::counter(before, ci) + (c && *c == ci ? 1 : 0);
    EXPECT_EQ(xdp::counter(after, ci), want) << where << ": counter " << xdp::kCounterNames[ci];
  }
  EXPECT_EQ(after.bytes, before.bytes + bytes) << where << ": bytes";
}

}  // namespace answerd::test
