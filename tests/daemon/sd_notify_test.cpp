// sd_notify without libsystemd: datagrams reach $NOTIFY_SOCKET (path or abstract).
#include "daemon/sd_notify.h"
#include "util/unique_fd.h"

#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <string>

namespace answerd::daemon {
namespace {

std::string receive(int fd) {
  pollfd p{fd, POLLIN, 0};
  if (::poll(&p, 1, 2000) != 1) return "(nothing)";
  char buf[512];
  ssize_t n = ::recv(fd, buf, sizeof buf, 0);
  return n < 0 ? "(error)" : std::string(buf, static_cast<std::size_t>(n));
}

UniqueFd bound(const std::string& name, socklen_t& len) {
  UniqueFd fd(::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  sockaddr_un sun{};
  sun.sun_family = AF_UNIX;
  std::memcpy(sun.sun_path, name.data(), name.size());
  len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + name.size());
  EXPECT_EQ(::bind(fd.get(), reinterpret_cast<sockaddr*>(&sun), len), 0);
  return fd;
}

TEST(SdNotify, PathSocket) {
  std::string path = "/tmp/answerd-notify-" + std::to_string(::getpid());
  ::unlink(path.c_str());
  socklen_t len;
  UniqueFd fd = bound(path, len);
  ::setenv("NOTIFY_SOCKET", path.c_str(), 1);
  EXPECT_TRUE(sd_notify("READY=1\nSTATUS=ok"));
  EXPECT_EQ(receive(fd.get()), "READY=1\nSTATUS=ok");
  EXPECT_TRUE(sd_notify_reloading());
  EXPECT_EQ(receive(fd.get()).rfind("RELOADING=1\nMONOTONIC_USEC=", 0), 0u);
  ::unsetenv("NOTIFY_SOCKET");
  EXPECT_FALSE(sd_notify("READY=1"));
  ::unlink(path.c_str());
}

TEST(SdNotify, AbstractSocket) {
  std::string name = std::string("\0answerd-notify-", 16) + std::to_string(::getpid());
  socklen_t len;
  UniqueFd fd = bound(name, len);
  std::string env = "@" + name.substr(1);
  ::setenv("NOTIFY_SOCKET", env.c_str(), 1);
  EXPECT_TRUE(sd_notify("STOPPING=1"));
  EXPECT_EQ(receive(fd.get()), "STOPPING=1");
  ::unsetenv("NOTIFY_SOCKET");
}

}  // namespace
}  // namespace answerd::daemon
