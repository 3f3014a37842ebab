// IkeResponder: the responder-only IKEv2 engine (answerd_sa). Pure logic: one
// received datagram plus the current time in, datagrams to send and Dataplane calls
// out. No sockets, no netlink, no threads; clock, randomness and kernel backend
// (kernel/ipsec.h KernelIpsec: XFRM or dataplane = none) are injected. Structure after strongSwan's sa/ikev2/tasks: one file per exchange
// (task_ike_init.cpp, task_ike_auth.cpp, task_informational.cpp,
// task_create_child.cpp), each "process the request, then build the response".
//
// Offloading CPU-heavy work. IKE_SA_INIT does a DH key generation, g^ir and the key
// derivation. handle() does every cheap check (rules, cookie, proposal, KE group)
// and then returns Output::job instead of a response. The caller runs job->run()
// on any thread (it touches only the job's own data and the Random, which must then
// be thread-safe: SystemRandom is) and hands the job back with complete() on the
// loop thread, which creates the half-open SA and yields the response. A single-
// threaded caller simply does `out.job->run(); out = r.complete(std::move(out.job), now)`.
// While a job is out, retransmits of that request are dropped and counted.
//
// Responder-only (DESIGN.md): the engine emits responses, and INFORMATIONAL
// requests built by one function (DELETE on terminate/hard lifetime); there is no
// code that builds any other request, and emit() drops and counts anything else.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "config/config.h"
#include "ike/crypto/random.h"
#include "ike/sa/authenticator.h"
#include "kernel/ipsec.h"
#include "ike/sa/types.h"

namespace answerd::sa {

struct Options {
  std::chrono::seconds half_open_timeout{30};
  std::chrono::seconds cookie_rotation{300};
  // Largest IKE message we send unfragmented when the peer supports RFC 7383
  // (1280 - IPv6 - UDP headers, strongSwan's default is similar).
  std::size_t fragment_size = 1232;
  std::function<void(std::string_view)> log{};  // one line per event; may be empty
};

// A CPU-heavy step to run off the loop thread (see above).
class ComputeJob {
 public:
  virtual ~ComputeJob() = default;
  virtual void run() = 0;
};

struct Output {
  std::vector<Datagram> send{};
  std::unique_ptr<ComputeJob> job{};
};

// Counters for `stats show` (named() gives them as name/value pairs).
struct Stats {
  std::uint64_t received = 0, sent = 0;
  std::uint64_t malformed = 0, unknown_spi = 0, decrypt_failed = 0;
  std::uint64_t out_of_window = 0, retransmits_answered = 0, init_in_progress_dropped = 0;
  std::uint64_t ike_sa_init = 0, ike_auth = 0, create_child_sa = 0, informational = 0;
  std::uint64_t no_proposal_chosen = 0, invalid_ke = 0, cookies_sent = 0, cookies_bad = 0;
  std::uint64_t half_open_limited = 0, half_open_timeouts = 0;
  std::uint64_t auth_failed = 0, ts_unacceptable = 0, childless = 0;
  std::uint64_t ike_established = 0, ike_deleted = 0, ike_rekeyed = 0;
  std::uint64_t child_installed = 0, child_deleted = 0, child_rekeyed = 0, dataplane_errors = 0;
  std::uint64_t initial_contact_deleted = 0, duplicates_resolved = 0, fragments_received = 0, fragments_sent = 0;
  std::uint64_t child_soft_expired = 0, child_hard_expired = 0, acquires_ignored = 0;
  std::uint64_t invariant_dropped = 0;  // a non-response non-INFORMATIONAL message: never sent
  std::uint64_t state_changes[4][4] = {};  // [old][new] by IkeState
  [[nodiscard]] std::vector<std::pair<std::string, std::uint64_t>> named() const;
};

// `answerctl sa list` (DESIGN.md JSON fields); the daemon renders it.
struct ChildSaSnapshot {
  std::string name, state, mode;
  std::uint32_t spi_in = 0, spi_out = 0;
  std::string encr, integ;
  std::vector<std::string> local_ts, remote_ts;
  std::uint64_t bytes_in = 0, bytes_out = 0, packets_in = 0, packets_out = 0;
  std::int64_t lifetime_left_s = 0;
};
struct IkeSaSnapshot {
  std::uint64_t id = 0;
  std::string state;
  int version = 2;
  std::string role = "responder";
  bool rekey = false;
  std::string local_addr, remote_addr, local_id, remote_id;
  std::uint16_t local_port = 0, remote_port = 0;
  std::uint64_t spi_i = 0, spi_r = 0;
  std::string encr, integ, prf, dh_group, auth, connection;
  std::int64_t established_s = 0, lifetime_left_s = 0;
  std::vector<ChildSaSnapshot> child_sas;
};

class Engine;

class IkeResponder {
 public:
  // `rng` and `dataplane` must outlive the responder.
  IkeResponder(std::shared_ptr<const config::Config> cfg, crypto::Random& rng, kernel::KernelIpsec& dataplane,
               Options options = {});
  ~IkeResponder();
  IkeResponder(const IkeResponder&) = delete;
  IkeResponder& operator=(const IkeResponder&) = delete;

  [[nodiscard]] Output handle(const Datagram& d, TimePoint now);
  [[nodiscard]] Output complete(std::unique_ptr<ComputeJob> job, TimePoint now);
  // Half-open timeouts and hard lifetimes; call at next_timer() or periodically.
  [[nodiscard]] Output on_timer(TimePoint now);
  [[nodiscard]] std::optional<TimePoint> next_timer() const;
  // Operator terminate: INFORMATIONAL { D } to the peer, SA removed locally.
  [[nodiscard]] Output terminate(std::uint64_t ike_sa_id, TimePoint now);
  // A kernel expire event for one of our ESP SAs (either SPI of a Child SA). Soft:
  // counted (the peer rekeys). Hard: the kernel removed it; the Child SA goes and
  // the peer gets INFORMATIONAL { D(ESP, our inbound SPI) }.
  [[nodiscard]] Output child_expired(ike::EspSpi spi, bool hard, TimePoint now);
  // Kernel acquires are counted and ignored (we never initiate).
  void acquire_ignored();

  // Replaces the authenticator for its method (PSK is built in).
  void add_authenticator(std::unique_ptr<Authenticator> a);

  [[nodiscard]] const Stats& stats() const;
  [[nodiscard]] std::vector<IkeSaSnapshot> snapshot(TimePoint now) const;
  [[nodiscard]] std::size_t ike_sa_count() const;
  [[nodiscard]] std::size_t half_open_count() const;

 private:
  std::unique_ptr<Engine> impl_;
};

}  // namespace answerd::sa
