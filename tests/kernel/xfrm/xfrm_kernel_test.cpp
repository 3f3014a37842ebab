// XfrmIpsec against the running kernel, each test in a fresh network namespace
// (label root). What a kernel without ESP (CONFIG_INET_ESP unset) still allows is
// tested everywhere: ALLOCSPI (larval SAs), GETSA/DELSA, policies in/out/fwd, the
// flush of owned entries, expire events of larval SAs and acquires. The probe must
// name the missing ESP exactly. `ip xfrm` is the independent witness of what is
// installed. ESP SAs carrying traffic are tested in the VM (xfrm_backend.sh).
#include <arpa/inet.h>
#include <errno.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <sched.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "kernel/xfrm/xfrm_ipsec.h"
#include "kernel/xfrm/xfrm_messages.h"
#include "kernel/xfrm/xfrm_probe.h"

namespace answerd::kernel::xfrm {
namespace {

std::string run(const std::string& cmd) {
  std::string out;
  FILE* p = popen((cmd + " 2>&1").c_str(), "r");
  if (p == nullptr) return out;
  char buf[512];
  while (fgets(buf, sizeof(buf), p) != nullptr) out += buf;
  pclose(p);
  return out;
}

int count_lines(const std::string& cmd) {
  const std::string out = run(cmd);
  int n = 0;
  for (char c : out) n += c == '\n';
  return n;
}

// `ip -o` prints one line per entry.
int sa_count() { return count_lines("ip -o xfrm state"); }
int policy_count() { return count_lines("ip -o xfrm policy"); }

bool kernel_has_esp() {
  std::ifstream f("/proc/kallsyms");
  std::string line;
  while (std::getline(f, line)) {
    const auto p = line.find(" esp_input");
    if (p != std::string::npos &&
        (p + 10 == line.size() || line[p + 10] == ' ' || line[p + 10] == '\t'))
      return true;
  }
  return false;
}

IpAddress v4(const char* text) {
  IpAddress a{};
  a.family = 4;
  inet_pton(AF_INET, text, a.bytes.data());
  return a;
}

std::string hex(std::uint32_t v) {
  char b[16];
  std::snprintf(b, sizeof(b), "0x%08x", v);
  return b;
}

class XfrmKernel : public ::testing::Test {
 protected:
  void SetUp() override {
    if (geteuid() != 0) GTEST_SKIP() << "needs root: XFRM netlink in a private network namespace";
    ASSERT_EQ(unshare(CLONE_NEWNET), 0) << "unshare(CLONE_NEWNET): " << strerror(errno);
    ASSERT_EQ(system("ip link set lo up"), 0);
    auto x = XfrmIpsec::open_unprobed();
    ASSERT_TRUE(x) << x.error().message;
    x_ = std::move(*x);
  }

  // Waits for events and dispatches them until `done` or 10 s.
  template <class Pred>
  bool wait_events(Pred done) {
    const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!done() && std::chrono::steady_clock::now() < end) {
      pollfd p{.fd = x_->event_fd(), .events = POLLIN, .revents = 0};
      if (poll(&p, 1, 200) > 0) x_->dispatch_events();
    }
    return done();
  }

  std::unique_ptr<XfrmIpsec> x_;
  const IpAddress peer_ = v4("192.0.2.10");
  const IpAddress us_ = v4("192.0.2.20");
};

TEST_F(XfrmKernel, ProbeNamesWhatIsMissing) {
  auto full = XfrmIpsec::open();
  if (kernel_has_esp()) {
    ASSERT_TRUE(full) << full.error().message;
    EXPECT_TRUE((*full)->capabilities().installs_sas);
    EXPECT_FALSE((*full)->capabilities().encr.empty());
  } else {
    ASSERT_FALSE(full);
    EXPECT_EQ(full.error().message, kNoEspMessage);
    EXPECT_EQ(full.error().code, EPROTONOSUPPORT);
  }
  EXPECT_EQ(sa_count(), 0) << "the probe left an SA behind:\n" << run("ip xfrm state");
}

TEST_F(XfrmKernel, AddSaWithoutEspIsAClearError) {
  if (kernel_has_esp()) GTEST_SKIP() << "this kernel has ESP (the VM scenario covers add_sa)";
  // CBC + HMAC exist in this kernel's crypto, so the missing ESP type is what fails.
  const std::vector<std::uint8_t> ekey(16, 1), ikey(32, 2);
  auto r = x_->add_sa({.src = peer_, .dst = us_, .spi = ike::EspSpi(0xc0000001)},
                      {.reqid = owned_reqid(1),
                       .encr = {.id = ike::EncrId::kAesCbc, .key_bits = 128, .key = ekey},
                       .integ = {.id = ike::IntegId::kHmacSha2_256_128, .key = ikey}});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, EPROTONOSUPPORT) << r.error().message;
  EXPECT_NE(r.error().message.find("0xc0000001"), std::string::npos) << r.error().message;
  EXPECT_NE(r.error().message.find("Requested type not found"), std::string::npos) << r.error().message;
  EXPECT_EQ(explain_probe_error(r.error()), kNoEspMessage);
  // The AEAD is looked up before the ESP type: a kernel without GCM says so first.
  const std::vector<std::uint8_t> gkey(20, 1);
  auto g = x_->add_sa({.src = peer_, .dst = us_, .spi = ike::EspSpi(0xc0000002)},
                      {.reqid = owned_reqid(1),
                       .encr = {.id = ike::EncrId::kAesGcm16, .key_bits = 128, .key = gkey}});
  ASSERT_FALSE(g);
  std::printf("GCM on this kernel: %s\n", g.error().message.c_str());
  EXPECT_TRUE(g.error().code == ENOSYS || g.error().code == EPROTONOSUPPORT) << g.error().message;
  EXPECT_EQ(sa_count(), 0);
}

TEST_F(XfrmKernel, AllocSpiQueryDelete) {
  auto spi = x_->alloc_spi(peer_, us_, owned_reqid(10));
  ASSERT_TRUE(spi) << spi.error().message;
  EXPECT_GE(spi->value(), kSpiMin);
  EXPECT_LE(spi->value(), kSpiMax);
  const std::string get = "ip xfrm state get src 192.0.2.10 dst 192.0.2.20 proto esp spi " + hex(spi->value());
  const std::string shown = run(get);
  EXPECT_NE(shown.find("reqid " + std::to_string(owned_reqid(10).value())), std::string::npos) << shown;

  const SaId id{.src = peer_, .dst = us_, .spi = *spi};
  auto st = x_->query_sa(id);
  ASSERT_TRUE(st) << st.error().message;
  EXPECT_EQ(st->packets, 0u);
  EXPECT_GT(st->add_time, 1600000000u);  // set by the kernel at creation

  ASSERT_TRUE(x_->del_sa(id));
  EXPECT_EQ(sa_count(), 0);
  auto again = x_->del_sa(id);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, ESRCH);
  auto gone = x_->query_sa(id);
  ASSERT_FALSE(gone);
  EXPECT_EQ(gone.error().code, ESRCH);
}

TEST_F(XfrmKernel, PoliciesInOutFwdWithMarkAndIfId) {
  const Selector local{.src = {.addr = v4("10.1.0.0"), .len = 24},
                       .dst = {.addr = v4("10.2.0.0"), .len = 24}};
  const Selector remote{.src = local.dst, .dst = local.src};
  const ike::Reqid reqid = owned_reqid(11);
  const PolicyId out{.sel = local, .dir = PolicyDir::kOut, .mark = {.value = 1, .mask = 0xff}, .if_id = 42};
  const PolicyId in{.sel = remote, .dir = PolicyDir::kIn, .if_id = 42};
  const PolicyId fwd{.sel = remote, .dir = PolicyDir::kFwd, .if_id = 42};
  const PolicyData to_peer{.sa = {.src = us_, .dst = peer_, .reqid = reqid}};
  const PolicyData from_peer{.sa = {.src = peer_, .dst = us_, .reqid = reqid}};
  ASSERT_TRUE(x_->add_policy(out, to_peer));
  ASSERT_TRUE(x_->add_policy(in, from_peer));
  ASSERT_TRUE(x_->add_policy(fwd, from_peer));
  const std::string shown = run("ip xfrm policy");
  EXPECT_EQ(policy_count(), 3) << shown;
  EXPECT_NE(shown.find("if_id 0x2a"), std::string::npos) << shown;
  EXPECT_NE(shown.find("mark 0x1/0xff"), std::string::npos) << shown;
  EXPECT_NE(shown.find("dir fwd"), std::string::npos) << shown;
  EXPECT_NE(shown.find("reqid " + std::to_string(reqid.value()) + " mode tunnel"), std::string::npos) << shown;

  auto dup = x_->add_policy(out, to_peer);
  ASSERT_FALSE(dup);
  EXPECT_EQ(dup.error().code, EEXIST);

  ASSERT_TRUE(x_->del_policy(out));
  ASSERT_TRUE(x_->del_policy(in));
  ASSERT_TRUE(x_->del_policy(fwd));
  EXPECT_EQ(policy_count(), 0) << run("ip xfrm policy");
  auto missing = x_->del_policy(out);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ENOENT);
}

// Stale entries from a crash: everything with an owned reqid goes, another IKE
// daemon's SA and policy (reqid 7) stay.
TEST_F(XfrmKernel, FlushOwnedLeavesOthersAlone) {
  ASSERT_EQ(system("ip xfrm state allocspi src 192.0.2.30 dst 192.0.2.20 proto esp reqid 7 >/dev/null"), 0);
  ASSERT_EQ(system("ip xfrm policy add src 10.7.0.0/24 dst 10.8.0.0/24 dir out "
                   "tmpl src 192.0.2.20 dst 192.0.2.30 proto esp reqid 7 mode tunnel"), 0);
  for (std::uint32_t n = 1; n <= 3; ++n) {
    ASSERT_TRUE(x_->alloc_spi(peer_, us_, owned_reqid(n)));
    const PolicyId id{.sel = {.src = {.addr = v4("10.1.0.0"), .len = 24},
                              .dst = {.addr = v4("10.2.0.0"), .len = 24}, .dst_port = static_cast<std::uint16_t>(n)},
                      .dir = PolicyDir::kOut, .mark = {.value = n, .mask = 0xff}};
    ASSERT_TRUE(x_->add_policy(id, {.sa = {.src = us_, .dst = peer_, .reqid = owned_reqid(n)}}));
  }
  ASSERT_EQ(sa_count(), 4);
  ASSERT_EQ(policy_count(), 4);
  auto removed = x_->flush_owned();
  ASSERT_TRUE(removed) << removed.error().message;
  EXPECT_EQ(*removed, 6u);
  EXPECT_EQ(sa_count(), 1);
  EXPECT_EQ(policy_count(), 1);
  EXPECT_NE(run("ip xfrm state").find("reqid 7 "), std::string::npos);
  EXPECT_NE(run("ip xfrm policy").find("reqid 7 "), std::string::npos);
  auto again = x_->flush_owned();
  ASSERT_TRUE(again);
  EXPECT_EQ(*again, 0u);
}

// A larval SA (ALLOCSPI never completed) expires after net.core.xfrm_acq_expires:
// the kernel sends a hard XFRM_MSG_EXPIRE, reported only for owned reqids.
TEST_F(XfrmKernel, HardExpireOfOwnedSaReachesTheHandler) {
  ASSERT_EQ(system("sysctl -qw net.core.xfrm_acq_expires=1"), 0);
  std::vector<ExpireEvent> seen;
  x_->set_event_handler({.on_expire = [&](const ExpireEvent& e) { seen.push_back(e); },
                         .on_acquire = nullptr});
  ASSERT_EQ(system("ip xfrm state allocspi src 192.0.2.30 dst 192.0.2.20 proto esp reqid 7 >/dev/null"), 0);
  auto spi = x_->alloc_spi(peer_, us_, owned_reqid(20));
  ASSERT_TRUE(spi);
  ASSERT_TRUE(wait_events([&] { return !seen.empty() && x_->event_counts().foreign >= 1; }))
      << "events: " << seen.size() << " foreign " << x_->event_counts().foreign;
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_TRUE(seen[0].hard);
  EXPECT_EQ(seen[0].sa.spi, *spi);
  EXPECT_EQ(seen[0].reqid, owned_reqid(20));
  EXPECT_EQ(x_->event_counts().hard_expires, 2u);
  EXPECT_EQ(sa_count(), 0);
}

// Traffic matching an owned outbound policy with no SA: XFRM_MSG_ACQUIRE, which a
// responder-only gateway counts and ignores (the handler sees it; nothing is sent).
TEST_F(XfrmKernel, AcquireIsReported) {
  ASSERT_EQ(system("ip link add v0 type veth peer name v1 && ip addr add 10.9.0.1/24 dev v0 && "
                   "ip link set v0 up && ip link set v1 up"), 0);
  const PolicyId id{.sel = {.src = {.addr = v4("10.9.0.1"), .len = 32},
                            .dst = {.addr = v4("10.9.0.2"), .len = 32}, .proto = IPPROTO_UDP},
                    .dir = PolicyDir::kOut};
  ASSERT_TRUE(x_->add_policy(id, {.sa = {.src = v4("10.9.0.1"), .dst = v4("10.9.0.2"),
                                         .reqid = owned_reqid(30), .mode = IpsecMode::kTransport}}));
  std::vector<AcquireEvent> seen;
  x_->set_event_handler({.on_expire = nullptr,
                         .on_acquire = [&](const AcquireEvent& a) { seen.push_back(a); }});
  const int s = socket(AF_INET, SOCK_DGRAM, 0);
  ASSERT_GE(s, 0);
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(9);
  inet_pton(AF_INET, "10.9.0.2", &to.sin_addr);
  (void)sendto(s, "x", 1, 0, reinterpret_cast<sockaddr*>(&to), sizeof(to));
  close(s);
  ASSERT_TRUE(wait_events([&] { return !seen.empty(); }));
  EXPECT_EQ(seen[0].reqid, owned_reqid(30));
  EXPECT_EQ(seen[0].sel.dst_port, 9);
  EXPECT_EQ(seen[0].sel.proto, IPPROTO_UDP);
  EXPECT_EQ(seen[0].dst, v4("10.9.0.2"));
  EXPECT_GE(x_->event_counts().acquires, 1u);
}

}  // namespace
}  // namespace answerd::kernel::xfrm
