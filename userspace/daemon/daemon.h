// Daemon: the wiring of answerd. Owns the event loop, IKE sockets, the Responder,
// the worker pool and the control socket; loads the configuration through a
// SettingsLoader, handles SIGTERM/SIGINT (clean shutdown: the Responder's DELETEs
// to the peers first, bounded) and SIGHUP (reload:
// re-parse and swap, keep the old configuration on errors), checks the dataplane
// (dataplane = xfrm: probe_xfrm_esp() must pass; dataplane = none: said loudly),
// drops capabilities once the sockets are bound, and tells systemd (sd_notify).
#pragma once

#include "daemon/clock.h"
#include "daemon/command_registry.h"
#include "daemon/control_server.h"
#include "daemon/event_loop.h"
#include "daemon/ike_listener.h"
#include "daemon/responder.h"
#include "daemon/settings.h"
#include "daemon/worker_pool.h"
#include "daemon/xdp_control.h"

#include <nlohmann/json.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace answerd::daemon {

// What a Responder implementation gets from the daemon when it is created: the
// loop (timers, thread affinity), the worker pool (DH, signatures), the sender for
// its replies, and the command registry (to replace the "not implemented yet"
// entries for "sa list", "sa show", "sa terminate").
struct ResponderContext {
  EventLoop& loop;
  WorkerPool& workers;
  DatagramSender& sender;
  CommandRegistry& commands;
  XdpControl* xdp = nullptr;  // the XDP filter's maps when XDP is configured
};
// Creates the Responder; empty: CountingResponder (logs and counts, never sends).
using ResponderFactory = std::function<std::unique_ptr<Responder>(ResponderContext& ctx)>;

struct DaemonOptions {
  std::string config_file;
  std::optional<std::string> control_socket;  // --control-socket, overrides the config
  std::optional<std::string> log_spec;        // --log-level, overrides the config
  bool drop_privileges = true;
  // How long SIGTERM waits for the peers to answer our DELETEs (Responder::shutdown):
  // the first send and one retransmit (RFC 7296 2.1 backoff: 4 s, then 7.2 s).
  std::chrono::milliseconds shutdown_grace{12000};
};

class Daemon {
 public:
  // Loads the configuration and opens everything; an error is a sentence for stderr.
  [[nodiscard]] static expected<std::unique_ptr<Daemon>, std::string> start(
      DaemonOptions opts, SettingsLoader loader, ResponderFactory responder = {});
  ~Daemon();

  // Runs until SIGTERM/SIGINT (or stop()); returns the process exit code.
  int run();
  void stop() { loop_->stop(); }
  // SIGTERM/SIGINT: the Responder deletes its SAs at the peers (bounded by
  // shutdown_grace), then the loop stops; a second signal stops it at once.
  void begin_stop();

  // SIGHUP and `daemon reload`: the new settings, or the errors (old ones stay).
  expected<nlohmann::json, std::string> reload();
  [[nodiscard]] nlohmann::json status() const;
  [[nodiscard]] nlohmann::json stats() const;
  [[nodiscard]] EventLoop& loop() { return *loop_; }

 private:
  Daemon(DaemonOptions opts, SettingsLoader loader, ResponderFactory factory)
      : opts_(std::move(opts)), loader_(std::move(loader)), factory_(std::move(factory)) {}
  expected<void, std::string> open();
  void register_commands();
  void apply_overrides(RuntimeSettings& s) const;
  expected<void, std::string> open_xdp();
  [[nodiscard]] nlohmann::json xdp_status() const;

  DaemonOptions opts_;
  SettingsLoader loader_;
  ResponderFactory factory_;
  RuntimeSettings settings_;
  SteadyClock clock_;
  std::chrono::steady_clock::time_point started_;
  std::unique_ptr<EventLoop> loop_;
  std::unique_ptr<IkeListener> listener_;
  std::unique_ptr<Responder> responder_;
  std::unique_ptr<WorkerPool> workers_;
  CommandRegistry registry_;
  std::unique_ptr<ControlServer> control_;
  std::unique_ptr<XdpControl> xdp_;  // set when XDP interfaces are configured
  std::string capabilities_ = "(not dropped)";
  std::uint64_t reloads_ = 0, reload_failures_ = 0;
  bool stopping_ = false;
};

}  // namespace answerd::daemon
