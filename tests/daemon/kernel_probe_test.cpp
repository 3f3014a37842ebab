// The daemon's startup ESP probe (over the xfrm backend's probe_kernel): the
// startup sentence for each failure (unit), and the probe's verdict against
// `ip xfrm state add ... proto esp` on the same kernel, both in a fresh network
// namespace (root). The probe's netlink messages are tested byte by byte with the
// backend (tests/kernel/xfrm).
#include "daemon/kernel_probe.h"
#include "kernel/xfrm/xfrm_probe.h"

#include <gtest/gtest.h>
#include <sched.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace answerd::daemon {
namespace {

TEST(KernelProbe, MissingEspSaysWhatToDo) {
  const kernel::IpsecError e{.code = EPROTONOSUPPORT,
                             .message = kernel::xfrm::explain_probe_error({EPROTONOSUPPORT, "Requested type not found"})};
  const auto s = probe_failure_message(e);
  EXPECT_NE(s.find("no ESP support"), std::string::npos) << s;
  EXPECT_EQ(s.find("dataplane = none"), s.rfind("dataplane = none")) << "the way out once: " << s;
}

TEST(KernelProbe, OtherFailuresGetTheWayOut) {
  const kernel::IpsecError e{.code = EPERM, .message = kernel::xfrm::explain_probe_error({EPERM, "Operation not permitted"})};
  const auto s = probe_failure_message(e);
  EXPECT_NE(s.find("CAP_NET_ADMIN"), std::string::npos) << s;
  EXPECT_NE(s.find("dataplane = none"), std::string::npos) << s;
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
  int probe_rc = in_netns([] {
    auto r = probe_xfrm_esp();
    if (!r) std::fprintf(stderr, "probe: %s\n", r.error().c_str());
    if (!r) return 1;
    // The probe's SAs must be gone again.
    return std::system("test -z \"$(ip xfrm state)\"") == 0 ? 0 : 2;
  });
  EXPECT_EQ(probe_rc, ip_rc) << "probe and ip xfrm disagree (2: probe SA left behind)";
  std::printf("kernel ESP support: %s\n", ip_rc == 0 ? "yes" : "no");
}

}  // namespace
}  // namespace answerd::daemon
