// The XDP filter on a real interface: a veth pair between two network namespaces,
// the filter attached (native, then generic) to the answering side, real UDP
// datagrams from the peer side. Checks what the socket receives, the counters
// read through the answerctl path (pinned maps, no program object), that a
// pinned link keeps filtering with no program object alive, that a reload
// re-adopts the link, and that detach removes the filter.
#include "bpf_env.h"
#include "kernel/xdp/peer_addr.h"
#include "kernel/xdp/xdp_program.h"

#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <linux/if_link.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <optional>

namespace answerd::test {
namespace {

namespace xdp = answerd::kernel::xdp;

const std::string kTag = std::to_string(::getpid());
const std::string kNsA = "answerd-xdp-a-" + kTag;  // answering side, filter attached
const std::string kNsB = "answerd-xdp-b-" + kTag;  // peer side
const std::string kDevA = "axa" + kTag;
const std::string kDevB = "axb" + kTag;
constexpr const char* kAddrA = "198.18.0.1";
constexpr const char* kAddrB = "198.18.0.2";

bool sh(const std::string& cmd) { return std::system((cmd + " >/dev/null 2>&1").c_str()) == 0; }

// Runs the current thread in a named network namespace for its lifetime.
class InNetns {
 public:
  explicit InNetns(const std::string& ns) : orig_(::open("/proc/self/ns/net", O_RDONLY)) {
    int fd = ::open(("/run/netns/" + ns).c_str(), O_RDONLY);
    ok_ = fd >= 0 && ::setns(fd, CLONE_NEWNET) == 0;
    if (fd >= 0) ::close(fd);
  }
  ~InNetns() {
    if (::setns(orig_, CLONE_NEWNET) != 0) std::abort();
    ::close(orig_);
  }
  InNetns(const InNetns&) = delete;
  InNetns& operator=(const InNetns&) = delete;
  [[nodiscard]] bool ok() const { return ok_; }

 private:
  int orig_;
  bool ok_ = false;
};

int udp_socket(const std::string& ns, const char* addr, std::uint16_t port) {
  InNetns in(ns);
  if (!in.ok()) return -1;
  int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  sockaddr_in sa{.sin_family = AF_INET, .sin_port = htons(port), .sin_addr = {}, .sin_zero = {}};
  ::inet_pton(AF_INET, addr, &sa.sin_addr);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

class VethNetns : public ::testing::Test {
 protected:
  void SetUp() override {
    if (auto why = bpf_skip_reason()) GTEST_SKIP() << *why;
    if (!sh("ip -V")) GTEST_SKIP() << "needs iproute2 (ip) for netns and veth";
    ASSERT_TRUE(bpffs_.ok()) << bpffs_.error();
    ASSERT_TRUE(sh("ip netns add " + kNsA) && sh("ip netns add " + kNsB));
    ASSERT_TRUE(sh("ip link add " + kDevA + " netns " + kNsA + " type veth peer name " + kDevB +
                   " netns " + kNsB));
    ASSERT_TRUE(sh("ip -n " + kNsA + " addr add " + kAddrA + "/24 dev " + kDevA));
    ASSERT_TRUE(sh("ip -n " + kNsB + " addr add " + kAddrB + "/24 dev " + kDevB));
    ASSERT_TRUE(sh("ip -n " + kNsA + " link set " + kDevA + " up"));
    ASSERT_TRUE(sh("ip -n " + kNsB + " link set " + kDevB + " up"));
    rx_ = udp_socket(kNsA, "0.0.0.0", 500);
    tx_ = udp_socket(kNsB, kAddrB, 5000);
    ASSERT_GE(rx_, 0);
    ASSERT_GE(tx_, 0);
  }
  void TearDown() override {
    if (rx_ >= 0) ::close(rx_);
    if (tx_ >= 0) ::close(tx_);
    sh("ip netns del " + kNsA);
    sh("ip netns del " + kNsB);
  }

  void send(const Bytes& payload, std::uint16_t dport = 500) {
    sockaddr_in to{.sin_family = AF_INET, .sin_port = htons(dport), .sin_addr = {}, .sin_zero = {}};
    ::inet_pton(AF_INET, kAddrA, &to.sin_addr);
    ASSERT_EQ(::sendto(tx_, payload.data(), payload.size(), 0, reinterpret_cast<sockaddr*>(&to),
                       sizeof to),
              static_cast<ssize_t>(payload.size()));
  }
  // The next datagram the answering socket receives within `ms`, empty if none.
  Bytes receive(int ms) {
    pollfd p{.fd = rx_, .events = POLLIN, .revents = 0};
    if (::poll(&p, 1, ms) != 1) return {};
    Bytes b(2048);
    ssize_t n = ::recv(rx_, b.data(), b.size(), 0);
    b.resize(n > 0 ? static_cast<std::size_t>(n) : 0);
    return b;
  }
  answer_stats peer_counters() {
    auto maps = xdp::XdpMaps::open_pinned(bpffs_.path());  // the answerctl path
    EXPECT_TRUE(maps.has_value()) << maps.error().message;
    if (!maps) return {};
    auto p = maps->peer(*xdp::parse_addr(kAddrB));
    EXPECT_TRUE(p.has_value() && p->has_value()) << "no counters for " << kAddrB;
    return p && *p ? **p : answer_stats{};
  }
  xdp::Result<void> attach(xdp::XdpProgram& p, xdp::AttachMode mode) {
    InNetns in(kNsA);
    return p.attach(kDevA, mode);
  }
  std::uint8_t attach_mode() {
    InNetns in(kNsA);
    bpf_xdp_query_opts q{};
    q.sz = sizeof q;
    if (::bpf_xdp_query(static_cast<int>(::if_nametoindex(kDevA.c_str())), 0, &q) != 0) return 0xff;
    return q.attach_mode;
  }

  // Sends a good IKE_SA_INIT and a role violation; the first must arrive, the
  // second must not (checked with a good one sent after it).
  void exchange_and_expect_filter(std::uint64_t spi) {
    const Bytes good = ike_payload(Ike{.spi_i = spi, .body = 40});
    const Bytes bad = ike_payload(Ike{.spi_i = spi + 1, .exchange = 35, .flags = 0, .body = 40});
    send(good);
    EXPECT_EQ(receive(3000), good);
    send(bad);
    const Bytes after = ike_payload(Ike{.spi_i = spi + 2, .body = 40});
    send(after);
    EXPECT_EQ(receive(3000), after) << "the role violation was not dropped";
  }

  PrivateBpffs bpffs_;
  int rx_ = -1, tx_ = -1;
};

constexpr std::uint64_t kFrameBytes = 14 + 20 + 8 + 28 + 40;

TEST_F(VethNetns, FilterCountsReloadsAndDetaches) {
  auto loaded = xdp::XdpProgram::load({.bpffs = bpffs_.path()});
  ASSERT_TRUE(loaded.has_value()) << loaded.error().message;
  std::optional<xdp::XdpProgram> prog(std::move(*loaded));
  auto cfg = xdp::default_config();
  cfg.init_rate = 0;  // the test sends more IKE_SA_INITs than a burst
  ASSERT_TRUE(prog->maps().set_config(cfg).has_value());
  auto ok = attach(*prog, xdp::AttachMode::kNative);
  ASSERT_TRUE(ok.has_value()) << ok.error().message;
  EXPECT_EQ(attach_mode(), XDP_ATTACHED_DRV);

  exchange_and_expect_filter(0x1000);
  send(Bytes{0xff}, 4500);  // NAT keepalive: passes, not counted
  answer_stats s = peer_counters();
  EXPECT_EQ(s.ike_sa_init, 2u);
  EXPECT_EQ(s.role_violation, 1u);
  EXPECT_EQ(s.bytes, 3 * kFrameBytes);

  // No program object alive: the pinned link keeps filtering and counting.
  prog.reset();
  exchange_and_expect_filter(0x2000);
  s = peer_counters();
  EXPECT_EQ(s.ike_sa_init, 4u);
  EXPECT_EQ(s.role_violation, 2u);

  // Reload: maps reused, the pinned link re-adopted with the new program.
  auto again = xdp::XdpProgram::load({.bpffs = bpffs_.path()});
  ASSERT_TRUE(again.has_value()) << again.error().message;
  ok = attach(*again, xdp::AttachMode::kNative);
  ASSERT_TRUE(ok.has_value()) << ok.error().message;
  auto status = xdp::XdpProgram::status(bpffs_.path());
  ASSERT_TRUE(status.has_value());
  ASSERT_EQ(status->size(), 1u);
  EXPECT_EQ(status->front().ifname, kDevA);
  bpf_prog_info info{};
  std::uint32_t len = sizeof info;
  ASSERT_EQ(::bpf_obj_get_info_by_fd(again->prog_fd(), &info, &len), 0);
  EXPECT_EQ(status->front().prog_id, info.id) << "the link still runs the old program";
  exchange_and_expect_filter(0x3000);
  EXPECT_EQ(peer_counters().ike_sa_init, 6u);

  // Detach: the filter is gone, a role violation reaches the socket.
  ok = again->detach(kDevA);
  ASSERT_TRUE(ok.has_value()) << ok.error().message;
  EXPECT_EQ(attach_mode(), XDP_ATTACHED_NONE);
  EXPECT_TRUE(xdp::XdpProgram::status(bpffs_.path())->empty());
  const Bytes bad = ike_payload(Ike{.spi_i = 0x4000, .exchange = 35, .flags = 0, .body = 40});
  send(bad);
  EXPECT_EQ(receive(3000), bad);
  EXPECT_EQ(peer_counters().role_violation, 3u) << "counted while detached";

  // Generic mode on the same device.
  ok = attach(*again, xdp::AttachMode::kGeneric);
  ASSERT_TRUE(ok.has_value()) << ok.error().message;
  EXPECT_EQ(attach_mode(), XDP_ATTACHED_SKB);
  exchange_and_expect_filter(0x5000);
  EXPECT_EQ(peer_counters().role_violation, 4u);
  ok = xdp::XdpProgram::detach_pinned(bpffs_.path(), kDevA);  // the answerctl path
  ASSERT_TRUE(ok.has_value()) << ok.error().message;
  EXPECT_EQ(attach_mode(), XDP_ATTACHED_NONE);
}

TEST_F(VethNetns, SeveralInterfaces) {
  ASSERT_TRUE(sh("ip -n " + kNsA + " link add axd0 type veth peer name axe0") &&
              sh("ip -n " + kNsA + " link add axd1 type veth peer name axe1"));
  auto loaded = xdp::XdpProgram::load({.bpffs = bpffs_.path()});
  ASSERT_TRUE(loaded.has_value()) << loaded.error().message;
  std::optional<xdp::XdpProgram> prog(std::move(*loaded));
  auto attach_all = [&](xdp::XdpProgram& p) {
    InNetns in(kNsA);
    for (const char* dev : {"axd0", "axd1"}) {
      auto ok = p.attach(dev, xdp::AttachMode::kGeneric);
      ASSERT_TRUE(ok.has_value()) << dev << ": " << ok.error().message;
    }
    auto ok = p.attach(kDevA, xdp::AttachMode::kNative);
    ASSERT_TRUE(ok.has_value()) << ok.error().message;
  };
  {
    InNetns in(kNsA);
    auto native_lo = prog->attach("lo", xdp::AttachMode::kNative);  // loopback: no driver XDP
    ASSERT_FALSE(native_lo.has_value());
    EXPECT_NE(native_lo.error().message.find("native mode to lo"), std::string::npos)
        << native_lo.error().message;
    EXPECT_TRUE(prog->interfaces().empty());
  }
  attach_all(*prog);
  EXPECT_EQ(prog->interfaces().size(), 3u);
  prog.reset();  // the links stay pinned and attached
  EXPECT_EQ(xdp::XdpProgram::status(bpffs_.path())->size(), 3u);
  exchange_and_expect_filter(0x6000);

  auto again = xdp::XdpProgram::load({.bpffs = bpffs_.path()});
  ASSERT_TRUE(again.has_value()) << again.error().message;
  attach_all(*again);  // re-adopts all three
  EXPECT_EQ(xdp::XdpProgram::status(bpffs_.path())->size(), 3u);
  for (const std::string dev : {"axd0", "axd1", kDevA.c_str()}) {
    auto ok = again->detach(dev);
    EXPECT_TRUE(ok.has_value()) << dev << ": " << ok.error().message;
  }
  EXPECT_TRUE(xdp::XdpProgram::status(bpffs_.path())->empty());
  EXPECT_TRUE(again->interfaces().empty());
}

}  // namespace
}  // namespace answerd::test
