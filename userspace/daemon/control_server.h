// ControlServer: the daemon's Unix stream socket for answerctl (protocol in
// control_protocol.h, commands in a CommandRegistry).
//
// - Socket file mode 0660; a missing parent directory is created 0750.
// - An existing socket file is replaced only when nothing answers on it (a stale
//   file from a crashed daemon); if a daemon answers, open() fails. A path that
//   exists and is not a socket is never touched.
// - Every client is non-blocking with bounded input (kMaxRequestBytes per line),
//   bounded pending output (reading pauses until it drains), an idle timeout and
//   a cap on concurrent clients (clients over it get an error line): a slow or
//   stuck client cannot block the loop. After its last response a client's
//   connection is shut down for writing and drained until the peer closes (or the
//   idle timeout), so that no response is lost to a connection reset.
// - The peer's credentials (SO_PEERCRED) are logged when it connects.
// - The destructor closes clients and removes the socket file if it is still ours.
#pragma once

#include "daemon/command_registry.h"
#include "daemon/event_loop.h"
#include "util/unique_fd.h"

#include <sys/types.h>

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <unordered_map>

namespace answerd::daemon {

struct ControlServerOptions {
  std::string path;
  std::size_t max_clients = 32;
  std::size_t max_pending_output = 1024 * 1024;
  Clock::duration idle_timeout = std::chrono::seconds(30);
};

class ControlServer {
 public:
  [[nodiscard]] static expected<std::unique_ptr<ControlServer>, std::string> open(
      EventLoop& loop, const CommandRegistry& registry, ControlServerOptions opts);
  ~ControlServer();
  ControlServer(const ControlServer&) = delete;
  ControlServer& operator=(const ControlServer&) = delete;

  [[nodiscard]] const std::string& path() const { return opts_.path; }
  [[nodiscard]] std::size_t clients() const { return clients_.size(); }
  [[nodiscard]] std::uint64_t requests() const { return requests_; }

 private:
  struct Client {
    UniqueFd fd;
    std::string in, out;
    bool closing = false;   // flush `out`, then shut down our side
    bool draining = false;  // shut down: discard input until the peer closes
    EventLoop::TimerId idle = 0;
  };

  ControlServer(EventLoop& loop, const CommandRegistry& registry, ControlServerOptions opts)
      : loop_(loop), registry_(registry), opts_(std::move(opts)) {}
  void on_accept();
  void on_client(int fd, std::uint32_t events);
  bool read_requests(Client& c);  // false: close now
  bool flush(Client& c);          // false: close now
  void after_io(int fd, Client& c);  // flush, then close or re-arm
  void update_interest(int fd, Client& c);
  void touch(int fd, Client& c);
  void close_client(int fd);

  EventLoop& loop_;
  const CommandRegistry& registry_;
  ControlServerOptions opts_;
  UniqueFd listen_;
  ino_t inode_ = 0;
  std::unordered_map<int, Client> clients_;
  std::uint64_t requests_ = 0;
};

}  // namespace answerd::daemon
