// The XFRM ESP probe: the netlink messages byte by byte (unit), and the probe's
// verdict against `ip xfrm state add ... proto esp` on the same kernel, both in a
// fresh network namespace (root).
#include "daemon/kernel_probe.h"

#include <gtest/gtest.h>
#include <arpa/inet.h>
#include <linux/netlink.h>
#include <linux/xfrm.h>
#include <sched.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>
#include <string>

namespace answerd::daemon {
namespace {

// Walks the attributes after the fixed part and returns the type of each.
std::vector<std::uint16_t> attr_types(const std::vector<std::uint8_t>& m, std::size_t fixed) {
  std::vector<std::uint16_t> out;
  std::size_t off = NLMSG_HDRLEN + NLMSG_ALIGN(fixed);
  while (off + NLA_HDRLEN <= m.size()) {
    nlattr a;
    std::memcpy(&a, m.data() + off, sizeof a);
    EXPECT_GE(a.nla_len, NLA_HDRLEN);
    if (a.nla_len < NLA_HDRLEN) break;
    out.push_back(a.nla_type);
    off += NLA_ALIGN(a.nla_len);
  }
  EXPECT_EQ(off, m.size());
  return out;
}

TEST(KernelProbe, NewsaMessage) {
  auto m = build_probe_newsa(0x12345678, 7);
  nlmsghdr h;
  std::memcpy(&h, m.data(), sizeof h);
  EXPECT_EQ(h.nlmsg_len, m.size());
  EXPECT_EQ(h.nlmsg_type, XFRM_MSG_NEWSA);
  EXPECT_EQ(h.nlmsg_seq, 7u);
  EXPECT_EQ(h.nlmsg_flags, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL);
  xfrm_usersa_info sa;
  std::memcpy(&sa, m.data() + NLMSG_HDRLEN, sizeof sa);
  EXPECT_EQ(sa.id.proto, IPPROTO_ESP);
  EXPECT_EQ(ntohl(sa.id.spi), 0x12345678u);
  EXPECT_EQ(sa.family, AF_INET);
  EXPECT_EQ(sa.mode, XFRM_MODE_TRANSPORT);
  // 192.0.2.254 (RFC 5737), network order
  EXPECT_EQ(ntohl(sa.id.daddr.a4), 0xc00002feu);
  EXPECT_EQ(attr_types(m, sizeof sa), (std::vector<std::uint16_t>{XFRMA_ALG_CRYPT, XFRMA_ALG_AUTH_TRUNC}));
}

TEST(KernelProbe, DelsaMessageNamesTheSameSa) {
  auto m = build_probe_delsa(0x12345678, 8);
  nlmsghdr h;
  std::memcpy(&h, m.data(), sizeof h);
  EXPECT_EQ(h.nlmsg_type, XFRM_MSG_DELSA);
  xfrm_usersa_id id;
  std::memcpy(&id, m.data() + NLMSG_HDRLEN, sizeof id);
  EXPECT_EQ(ntohl(id.spi), 0x12345678u);
  EXPECT_EQ(id.proto, IPPROTO_ESP);
  EXPECT_EQ(ntohl(id.daddr.a4), 0xc00002feu);
  EXPECT_EQ(attr_types(m, sizeof id), (std::vector<std::uint16_t>{XFRMA_SRCADDR}));
}

TEST(KernelProbe, ExplainsMissingEsp) {
  auto s = explain_newsa_error(EPROTONOSUPPORT, "Requested type not found");
  EXPECT_NE(s.find("no ESP support"), std::string::npos);
  EXPECT_NE(s.find("dataplane = none"), std::string::npos);
  EXPECT_NE(s.find("Requested type not found"), std::string::npos);
  EXPECT_NE(explain_newsa_error(EPERM, "").find("CAP_NET_ADMIN"), std::string::npos);
}

// Runs `fn` in a child in a fresh network namespace; returns its exit code.
template <class F>
int in_netns(F fn) {
  pid_t pid = ::fork();
  if (pid == 0) {
    if (::unshare(CLONE_NEWNET) != 0) ::_exit(99);
    ::_exit(fn());
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 98;
}

TEST(KernelProbeRoot, AgreesWithIpXfrm) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root: XFRM netlink and a network namespace";
  if (std::system("command -v ip >/dev/null") != 0) GTEST_SKIP() << "needs iproute2's ip";
  // The oracle: can iproute2 install an ESP SA here?
  int ip_rc = in_netns([] {
    return std::system("ip xfrm state add src 192.0.2.1 dst 192.0.2.2 proto esp spi 0x1000 mode transport "
                       "enc 'cbc(aes)' 0x00112233445566778899aabbccddeeff "
                       "auth-trunc 'hmac(sha256)' 0x00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff 128 "
                       ">/dev/null 2>&1") == 0
               ? 0
               : 1;
  });
  ASSERT_LE(ip_rc, 1) << "netns setup failed";
  std::string why;
  int probe_rc = in_netns([] {
    auto r = probe_xfrm_esp();
    if (!r) std::fprintf(stderr, "probe: %s\n", r.error().c_str());
    if (!r) return 1;
    // The probe's SA must be gone again.
    return std::system("ip xfrm state | grep -q 192.0.2.254") == 0 ? 2 : 0;
  });
  EXPECT_EQ(probe_rc, ip_rc) << "probe and ip xfrm disagree (2: probe SA left behind)";
  std::printf("kernel ESP support: %s\n", ip_rc == 0 ? "yes" : "no");
}

}  // namespace
}  // namespace answerd::daemon
