// ControlServer implementation (see control_server.h).
#include "daemon/control_server.h"

#include "daemon/control_protocol.h"
#include "log/log.h"

#include <fmt/format.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>

namespace answerd::daemon {
namespace {

using log::Subsys;

std::string sys_error(std::string_view what, const std::string& path) {
  return fmt::format("{} {}: {}", what, path, std::strerror(errno));
}

expected<sockaddr_un, std::string> unix_address(const std::string& path) {
  sockaddr_un sun{};
  sun.sun_family = AF_UNIX;
  if (path.empty() || path.size() >= sizeof sun.sun_path)
    return unexpected(fmt::format("control socket path '{}' is empty or longer than {} bytes", path,
                                  sizeof sun.sun_path - 1));
  std::memcpy(sun.sun_path, path.data(), path.size());
  return sun;
}

// Creates the parent directory (0750) when missing.
expected<void, std::string> ensure_parent(const std::string& path) {
  std::filesystem::path parent = std::filesystem::path(path).parent_path();
  if (parent.empty()) return {};
  std::error_code ec;
  if (std::filesystem::exists(parent, ec)) return {};
  std::filesystem::create_directories(parent, ec);
  if (ec) return unexpected(fmt::format("cannot create {}: {}", parent.string(), ec.message()));
  if (::chmod(parent.c_str(), 0750) != 0) return unexpected(sys_error("chmod", parent.string()));
  return {};
}

// Removes a stale socket file; fails if a daemon answers on it or it is no socket.
expected<void, std::string> clear_stale(const std::string& path, const sockaddr_un& sun) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return {};
    return unexpected(sys_error("stat", path));
  }
  if (!S_ISSOCK(st.st_mode)) return unexpected(fmt::format("{} exists and is not a socket", path));
  UniqueFd probe(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!probe) return unexpected(sys_error("socket for", path));
  if (::connect(probe.get(), reinterpret_cast<const sockaddr*>(&sun), sizeof sun) == 0)
    return unexpected(fmt::format("another answerd is running: it answers on {}", path));
  if (errno != ECONNREFUSED) return unexpected(sys_error("probing existing socket", path));
  log::info(Subsys::ctl, "removing stale control socket {}", path);
  if (::unlink(path.c_str()) != 0) return unexpected(sys_error("unlink", path));
  return {};
}

}  // namespace

expected<std::unique_ptr<ControlServer>, std::string> ControlServer::open(
    EventLoop& loop, const CommandRegistry& registry, ControlServerOptions opts) {
  auto sun = unix_address(opts.path);
  if (!sun) return unexpected(sun.error());
  if (auto r = ensure_parent(opts.path); !r) return unexpected(r.error());
  if (auto r = clear_stale(opts.path, *sun); !r) return unexpected(r.error());
  std::unique_ptr<ControlServer> s(new ControlServer(loop, registry, std::move(opts)));
  const std::string& path = s->opts_.path;
  s->listen_.reset(::socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!s->listen_) return unexpected(sys_error("socket for", path));
  if (::bind(s->listen_.get(), reinterpret_cast<const sockaddr*>(&*sun), sizeof *sun) != 0)
    return unexpected(sys_error("bind", path));
  struct stat st {};
  if (::chmod(path.c_str(), 0660) != 0 || ::stat(path.c_str(), &st) != 0) {
    auto err = sys_error("chmod", path);
    ::unlink(path.c_str());
    return unexpected(err);
  }
  s->inode_ = st.st_ino;
  if (::listen(s->listen_.get(), 16) != 0) return unexpected(sys_error("listen", path));
  ControlServer* self = s.get();
  if (auto r = loop.add_fd(s->listen_.get(), EPOLLIN, [self](std::uint32_t) { self->on_accept(); }); !r)
    return unexpected(r.error());
  log::info(Subsys::ctl, "control socket {}", path);
  return s;
}

ControlServer::~ControlServer() {
  while (!clients_.empty()) close_client(clients_.begin()->first);
  if (listen_) loop_.remove_fd(listen_.get());
  struct stat st {};
  // Remove the file only if it is still the one we created.
  if (inode_ != 0 && ::stat(opts_.path.c_str(), &st) == 0 && st.st_ino == inode_) ::unlink(opts_.path.c_str());
}

void ControlServer::on_accept() {
  for (;;) {
    UniqueFd fd(::accept4(listen_.get(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC));
    if (!fd) {
      if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
        log::warn(Subsys::ctl, "accept on {}: {}", opts_.path, std::strerror(errno));
      return;
    }
    ucred cred{};
    socklen_t len = sizeof cred;
    if (::getsockopt(fd.get(), SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0)
      log::debug(Subsys::ctl, "client connected: pid {} uid {} gid {}", cred.pid, cred.uid, cred.gid);
    // Over the cap, a client still gets its error line (then a graceful close);
    // past twice the cap it is closed at once.
    bool refuse = clients_.size() >= opts_.max_clients;
    if (refuse) {
      log::warn(Subsys::ctl, "refusing control client pid {}: {} clients connected", cred.pid, clients_.size());
      if (clients_.size() >= 2 * opts_.max_clients) continue;
    }
    int raw = fd.get();
    if (auto r = loop_.add_fd(raw, EPOLLIN, [this, raw](std::uint32_t ev) { on_client(raw, ev); }); !r) {
      log::warn(Subsys::ctl, "cannot watch control client: {}", r.error());
      continue;
    }
    Client& c = clients_[raw];
    c.fd = std::move(fd);
    touch(raw, c);
    if (refuse) {
      c.out = to_line(make_error("too many control clients, try again"));
      c.closing = true;
      after_io(raw, c);
    }
  }
}

void ControlServer::touch(int fd, Client& c) {
  if (c.idle != 0) loop_.cancel_timer(c.idle);
  c.idle = loop_.add_timer(opts_.idle_timeout, [this, fd] {
    auto it = clients_.find(fd);
    if (it == clients_.end()) return;
    it->second.idle = 0;
    log::debug(Subsys::ctl, "closing idle control client");
    close_client(fd);
  });
}

void ControlServer::on_client(int fd, std::uint32_t events) {
  auto it = clients_.find(fd);
  if (it == clients_.end()) return;
  Client& c = it->second;
  touch(fd, c);
  if (c.draining) {
    // After our last response: discard input until the peer closes, so that
    // closing with unread data does not reset the connection (and lose the response).
    char buf[1024];
    ssize_t n;
    while ((n = ::recv(fd, buf, sizeof buf, 0)) > 0) {
    }
    if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) close_client(fd);
    return;
  }
  if ((events & EPOLLIN) != 0 && !c.closing && !read_requests(c)) return close_client(fd);
  if ((events & (EPOLLERR | EPOLLHUP)) != 0 && (events & EPOLLIN) == 0) return close_client(fd);
  after_io(fd, c);
}

void ControlServer::after_io(int fd, Client& c) {
  if (!flush(c)) return close_client(fd);
  if (c.closing && c.out.empty()) {
    ::shutdown(fd, SHUT_WR);
    c.draining = true;
  }
  update_interest(fd, c);
}

bool ControlServer::read_requests(Client& c) {
  std::array<char, 4096> buf{};
  for (;;) {
    if (c.out.size() >= opts_.max_pending_output) return true;  // backpressure
    ssize_t n = ::recv(c.fd.get(), buf.data(), buf.size(), 0);
    if (n < 0) return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR;
    if (n == 0) {
      c.closing = true;  // peer closed its side: answer what came, then close
      return true;
    }
    c.in.append(buf.data(), static_cast<std::size_t>(n));
    std::size_t nl;
    while ((nl = c.in.find('\n')) != std::string::npos) {
      std::string_view line(c.in.data(), nl);
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      if (!line.empty()) {
        ++requests_;
        c.out += to_line(registry_.handle_line(line));
      }
      c.in.erase(0, nl + 1);
    }
    if (c.in.size() > kMaxRequestBytes) {
      c.out += to_line(make_error(fmt::format("request longer than {} bytes", kMaxRequestBytes)));
      c.in.clear();
      c.closing = true;
      return true;
    }
  }
}

bool ControlServer::flush(Client& c) {
  while (!c.out.empty()) {
    ssize_t n = ::send(c.fd.get(), c.out.data(), c.out.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
    if (n < 0) return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR;
    c.out.erase(0, static_cast<std::size_t>(n));
  }
  return true;
}

void ControlServer::update_interest(int fd, Client& c) {
  std::uint32_t ev = 0;
  if (c.draining) ev |= EPOLLIN;
  if (!c.closing && c.out.size() < opts_.max_pending_output) ev |= EPOLLIN;
  if (!c.out.empty()) ev |= EPOLLOUT;
  if (auto r = loop_.modify_fd(fd, ev); !r) {
    log::warn(Subsys::ctl, "control client: {}", r.error());
    close_client(fd);
  }
}

void ControlServer::close_client(int fd) {
  auto it = clients_.find(fd);
  if (it == clients_.end()) return;
  if (it->second.idle != 0) loop_.cancel_timer(it->second.idle);
  loop_.remove_fd(fd);
  clients_.erase(it);
}

}  // namespace answerd::daemon
