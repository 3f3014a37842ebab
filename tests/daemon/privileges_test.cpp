// Capability dropping (root): in a forked child, drop to the xfrm set and check the
// resulting capabilities and that binding UDP 500 is no longer allowed.
#include "daemon/privileges.h"

#include <gtest/gtest.h>
#include <linux/capability.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <fstream>

namespace answerd::daemon {
namespace {

TEST(Privileges, KeepSets) {
  EXPECT_TRUE(capabilities_to_keep({}).empty());
  EXPECT_EQ(capabilities_to_keep({.xfrm = true, .xdp = false}), (std::vector<int>{CAP_NET_ADMIN}));
  EXPECT_EQ(capabilities_to_keep({.xfrm = false, .xdp = true}), (std::vector<int>{CAP_NET_ADMIN, CAP_BPF}));
}

int unprivileged_port_start() {
  std::ifstream f("/proc/sys/net/ipv4/ip_unprivileged_port_start");
  int v = 1024;
  f >> v;
  return v;
}

TEST(PrivilegesRoot, DropKeepsOnlyWhatIsAsked) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root: capabilities to drop";
  if (unprivileged_port_start() <= 500) GTEST_SKIP() << "port 500 is unprivileged on this host";
  pid_t pid = ::fork();
  if (pid == 0) {
    auto r = drop_capabilities(capabilities_to_keep({.xfrm = true, .xdp = false}));
    if (!r) {
      std::fprintf(stderr, "drop: %s\n", r.error().c_str());
      ::_exit(10);
    }
    if (*r != "cap_net_admin=ep") {
      std::fprintf(stderr, "caps after drop: %s\n", r->c_str());
      ::_exit(11);
    }
    int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
    sockaddr_in sin{};
    sin.sin_family = AF_INET;
    sin.sin_port = htons(500);
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    // CAP_NET_BIND_SERVICE is gone: EACCES (EADDRINUSE would mean a daemon holds it).
    int rc = ::bind(fd, reinterpret_cast<sockaddr*>(&sin), sizeof sin);
    ::_exit(rc != 0 && (errno == EACCES || errno == EPERM) ? 0 : 12);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

}  // namespace
}  // namespace answerd::daemon
