// IkeSaResponder: the daemon side of the IKE SA engine (ike/sa/engine.h). Converts
// datagrams between the sockets' and the engine's address types, runs the engine's
// IKE_SA_INIT compute jobs on the WorkerPool and feeds them back on the loop thread,
// drives the engine's timers from the EventLoop, sends what the engine emits, and
// answers `sa list`, `sa show ID` and `sa terminate ID` (DESIGN.md JSON fields).
// The kernel backend (XFRM or dataplane = none) follows the configuration.
#pragma once

#include "daemon/daemon.h"
#include "daemon/responder.h"
#include "ike/crypto/random.h"
#include "ike/sa/engine.h"
#include "kernel/ipsec.h"

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

namespace answerd::daemon {

class IkeSaResponder final : public Responder {
 public:
  explicit IkeSaResponder(ResponderContext& ctx);
  ~IkeSaResponder() override;

  void on_config(const RuntimeSettings& settings) override;
  void on_datagram(const Datagram& d) override;
  bool shutdown(std::function<void()> done) override;
  [[nodiscard]] nlohmann::json stats() const override;

 private:
  // An IKE_SA_INIT job's peer and SPIi, marked `inflight` in XDP while it runs.
  struct Inflight {
    Endpoint peer;
    ike::IkeSpi spi_i;
  };
  void run(sa::Output out, bool nat_t, std::optional<Inflight> inflight = std::nullopt);
  void arm_timer();
  [[nodiscard]] nlohmann::json sa_list() const;

  ResponderContext ctx_;  // a copy: the daemon's is a local of Daemon::open()
  std::unique_ptr<kernel::KernelIpsec> dataplane_;
  SteadyClock clock_;
  crypto::SystemRandom rng_;  // thread-safe: compute jobs draw from it on workers
  std::unique_ptr<sa::IkeResponder> engine_;
  EventLoop::TimerId timer_ = 0;
  std::function<void()> shutdown_done_;  // set while SIGTERM waits for our DELETEs
  int event_fd_ = -1;
  std::uint64_t jobs_dropped_ = 0, send_errors_ = 0;
  std::uint64_t received_ = 0, undecodable_ = 0;
  std::map<std::string, std::uint64_t> by_exchange_;
};

// The factory main() hands to Daemon::start().
[[nodiscard]] ResponderFactory ike_sa_responder_factory();

}  // namespace answerd::daemon
