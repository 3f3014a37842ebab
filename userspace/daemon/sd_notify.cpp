// Minimal sd_notify (see sd_notify.h).
#include "daemon/sd_notify.h"

#include "util/unique_fd.h"

#include <fmt/format.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <cstdlib>
#include <cstring>
#include <ctime>
#include <string>

namespace answerd::daemon {

bool sd_notify(std::string_view state) {
  const char* path = std::getenv("NOTIFY_SOCKET");
  if (path == nullptr || path[0] == '\0') return false;
  std::size_t len = std::strlen(path);
  sockaddr_un sun{};
  sun.sun_family = AF_UNIX;
  if (len >= sizeof sun.sun_path) return false;
  std::memcpy(sun.sun_path, path, len);
  if (sun.sun_path[0] == '@') sun.sun_path[0] = '\0';  // abstract namespace
  UniqueFd fd(::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (!fd) return false;
  auto addrlen = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + len);
  return ::sendto(fd.get(), state.data(), state.size(), MSG_NOSIGNAL, reinterpret_cast<sockaddr*>(&sun),
                  addrlen) == static_cast<ssize_t>(state.size());
}

bool sd_notify_reloading() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  auto usec = static_cast<unsigned long long>(ts.tv_sec) * 1'000'000ULL +
              static_cast<unsigned long long>(ts.tv_nsec) / 1000ULL;
  return sd_notify(fmt::format("RELOADING=1\nMONOTONIC_USEC={}", usec));
}

}  // namespace answerd::daemon
