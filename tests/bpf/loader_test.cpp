// The loader and map access (answerd_xdp) against the real kernel: pin layout,
// pinned-map reuse across reloads (counters survive), the answerctl path that
// opens pinned maps with no program object, per-CPU reads, resets, config
// validation and the error messages an operator sees.
#include "bpf_env.h"
#include "kernel/xdp/bpffs.h"
#include "kernel/xdp/peer_addr.h"
#include "kernel/xdp/xdp_program.h"

#include <gtest/gtest.h>
#include <linux/bpf.h>
#include <bpf/libbpf.h>
#include <linux/magic.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>

namespace answerd::test {
namespace {

namespace xdp = answerd::kernel::xdp;

class Loader : public ::testing::Test {
 protected:
  void SetUp() override {
    if (auto why = bpf_skip_reason()) GTEST_SKIP() << *why;
    ASSERT_TRUE(bpffs_.ok()) << bpffs_.error();
  }
  xdp::XdpProgram load() {
    auto p = xdp::XdpProgram::load({.bpffs = bpffs_.path()});
    EXPECT_TRUE(p.has_value()) << p.error().message;
    return std::move(*p);
  }
  static std::uint32_t run_sa_init(const xdp::XdpProgram& p) {
    const RunResult r = test_run(p.prog_fd(), build(Frame{.payload = ike_payload({})}));
    EXPECT_EQ(r.err, 0);
    return r.action;
  }
  static answer_addr peer_addr() { return *xdp::parse_addr("192.0.2.10"); }
  PrivateBpffs bpffs_;
};

TEST_F(Loader, PinsEveryMapUnderVersionedFolder) {
  auto p = load();
  for (const char* name : xdp::XdpMaps::kMapNames) {
    struct stat st {};
    EXPECT_EQ(::stat(xdp::map_path(bpffs_.path(), name).c_str(), &st), 0) << name;
  }
  EXPECT_NE(xdp::pin_dir(bpffs_.path()).find("/v" + std::to_string(ANSWER_XDP_LAYOUT_VERSION)),
            std::string::npos);
}

TEST_F(Loader, FreshConfigGetsDefaults) {
  auto p = load();
  auto cfg = p.maps().config();
  ASSERT_TRUE(cfg.has_value());
  EXPECT_EQ(cfg->ike_port, 500);
  EXPECT_EQ(cfg->natt_port, 4500);
  EXPECT_EQ(cfg->init_rate, 200u);
  EXPECT_EQ(cfg->init_burst, 50u);
  EXPECT_EQ(cfg->flags, 0u);
}

TEST_F(Loader, CountersAndConfigSurviveReload) {
  {
    auto p = load();
    auto cfg = xdp::default_config();
    cfg.init_burst = 7;
    ASSERT_TRUE(p.maps().set_config(cfg).has_value());
    EXPECT_EQ(run_sa_init(p), XDP_PASS);
  }  // unloaded: only the pins hold the maps now
  {
    auto maps = xdp::XdpMaps::open_pinned(bpffs_.path());  // answerctl, no program object
    ASSERT_TRUE(maps.has_value()) << maps.error().message;
    auto peer = maps->peer(peer_addr());
    ASSERT_TRUE(peer.has_value() && peer->has_value());
    EXPECT_EQ((*peer)->ike_sa_init, 1u);
  }
  auto p = load();
  EXPECT_EQ(p.maps().config()->init_burst, 7u) << "config was reset by the reload";
  EXPECT_EQ(run_sa_init(p), XDP_PASS);
  auto peer = p.maps().peer(peer_addr());
  ASSERT_TRUE(peer.has_value() && peer->has_value());
  EXPECT_EQ((*peer)->ike_sa_init, 2u);
  EXPECT_EQ(p.maps().global()->ike_sa_init, 2u);
}

TEST_F(Loader, PerCpuValuesSumToTotal) {
  auto p = load();
  for (int i = 0; i < 3; ++i) run_sa_init(p);
  auto per_cpu = p.maps().peer_per_cpu(peer_addr());
  ASSERT_TRUE(per_cpu.has_value());
  EXPECT_EQ(per_cpu->size(), static_cast<std::size_t>(libbpf_num_possible_cpus()));
  EXPECT_EQ(xdp::sum_stats(*per_cpu).ike_sa_init, 3u);
  auto peers = p.maps().peers();
  ASSERT_TRUE(peers.has_value());
  ASSERT_EQ(peers->size(), 1u);
  EXPECT_EQ(xdp::format_addr(peers->front().addr), "192.0.2.10");
  EXPECT_EQ(peers->front().stats.ike_sa_init, 3u);
  EXPECT_EQ(peers->front().stats.bytes, 3u * build(Frame{.payload = ike_payload({})}).size());
}

TEST_F(Loader, Resets) {
  auto p = load();
  run_sa_init(p);
  auto gone = p.maps().reset_peer(peer_addr());
  ASSERT_TRUE(gone.has_value());
  EXPECT_TRUE(*gone);
  EXPECT_FALSE(p.maps().peer(peer_addr())->has_value());
  EXPECT_FALSE(*p.maps().reset_peer(peer_addr()));
  run_sa_init(p);
  EXPECT_EQ(*p.maps().reset_peers(), 1u);
  ASSERT_TRUE(p.maps().reset_global().has_value());
  EXPECT_EQ(p.maps().global()->ike_sa_init, 0u);
}

TEST_F(Loader, InflightAndOutstandingRoundTrip) {
  auto p = load();
  auto& m = p.maps();
  ASSERT_TRUE(m.inflight_set(peer_addr(), 500, ike::IkeSpi(0x0102030405060708ULL)).has_value());
  EXPECT_EQ(run_sa_init(p), XDP_DROP);
  EXPECT_TRUE(*m.inflight_clear(peer_addr(), 500, ike::IkeSpi(0x0102030405060708ULL)));
  EXPECT_EQ(run_sa_init(p), XDP_PASS);

  Ike resp{.spi_r = 0x99, .exchange = 37, .flags = 0x28, .msg_id = 4};
  const Bytes frame = build(Frame{.payload = ike_payload(resp)});
  EXPECT_EQ(test_run(p.prog_fd(), frame).action, XDP_DROP);
  ASSERT_TRUE(m.outstanding_add(ike::IkeSpi(resp.spi_i), ike::IkeSpi(0x99), ike::MessageId(4))
                  .has_value());
  EXPECT_EQ(test_run(p.prog_fd(), frame).action, XDP_PASS);
  EXPECT_TRUE(*m.outstanding_remove(ike::IkeSpi(resp.spi_i), ike::IkeSpi(0x99), ike::MessageId(4)));
  EXPECT_EQ(test_run(p.prog_fd(), frame).action, XDP_DROP);
}

TEST_F(Loader, AllowlistClear) {
  auto p = load();
  auto cfg = xdp::default_config();
  cfg.flags = ANSWER_CFG_ALLOWLIST;
  ASSERT_TRUE(p.maps().set_config(cfg).has_value());
  ASSERT_TRUE(p.maps().allow_add(*xdp::parse_prefix("192.0.2.8/29")).has_value());
  EXPECT_EQ(run_sa_init(p), XDP_PASS);
  EXPECT_EQ(*p.maps().allow_clear(), 1u);
  EXPECT_EQ(run_sa_init(p), XDP_DROP);
}

TEST_F(Loader, RejectsOutOfRangeConfig) {
  auto p = load();
  auto cfg = xdp::default_config();
  cfg.init_rate = ANSWER_MAX_RATE + 1;
  auto r = p.maps().set_config(cfg);
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().message.find("init_rate"), std::string::npos);
}

TEST_F(Loader, MountsBpffsWhenMissing) {
  ASSERT_EQ(::unshare(CLONE_NEWNS), 0);  // a mount namespace of our own again
  struct statfs st {};
  // Ours, and the system's own bpffs below it where there is one (the VM).
  for (int i = 0; i < 4 && ::statfs("/sys/fs/bpf", &st) == 0 &&
                  static_cast<unsigned long>(st.f_type) == BPF_FS_MAGIC;
       ++i)
    ASSERT_EQ(::umount2("/sys/fs/bpf", MNT_DETACH), 0);
  ASSERT_EQ(::statfs("/sys/fs/bpf", &st), 0);
  ASSERT_NE(static_cast<unsigned long>(st.f_type), BPF_FS_MAGIC) << "still bpffs";
  auto p = xdp::XdpProgram::load({.bpffs = "/sys/fs/bpf/answerd-auto"});
  ASSERT_TRUE(p.has_value()) << p.error().message;
  ASSERT_EQ(::statfs("/sys/fs/bpf", &st), 0);
  EXPECT_EQ(static_cast<unsigned long>(st.f_type), BPF_FS_MAGIC);
}

TEST_F(Loader, ClearErrors) {
  auto not_bpffs = xdp::XdpProgram::load({.bpffs = "/tmp/answerd-not-bpffs"});
  ASSERT_FALSE(not_bpffs.has_value());
  EXPECT_NE(not_bpffs.error().message.find("bpffs not mounted"), std::string::npos)
      << not_bpffs.error().message;
  auto missing = xdp::XdpMaps::open_pinned(bpffs_.path());
  ASSERT_FALSE(missing.has_value());
  EXPECT_NE(missing.error().message.find("missing"), std::string::npos)
      << missing.error().message;
  auto no_link = xdp::XdpProgram::detach_pinned(bpffs_.path(), "lo");
  ASSERT_FALSE(no_link.has_value());
  EXPECT_NE(no_link.error().message.find("no answerd XDP link on lo"), std::string::npos);
}

}  // namespace
}  // namespace answerd::test
