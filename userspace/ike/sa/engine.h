// IkeResponder: the responder-only IKEv2 engine (answerd_sa). Pure logic: one
// received datagram plus the current time in, datagrams to send and Dataplane calls
// out. No sockets, no netlink, no threads; clock, randomness and kernel backend
// (kernel/ipsec.h KernelIpsec: XFRM or dataplane = none) are injected. Structure after strongSwan's sa/ikev2/tasks: one file per exchange
// (task_ike_init.cpp, task_ike_auth.cpp, task_informational.cpp,
// task_create_child.cpp), each "process the request, then build the response".
//
// Offloading CPU-heavy work. IKE_SA_INIT does a DH key generation, g^ir and the key
// derivation; IKE_AUTH verifies the peer's AUTH and builds ours (signatures with
// certificates; PSK goes the same way, it is one PRF); a CREATE_CHILD_SA that
// rekeys the IKE SA does a DH and the key derivation; one that creates or rekeys a
// Child SA with PFS (a KE payload) does a DH (KEYMAT, the inbound SPI and the
// install follow on the loop thread; without KE it is answered at once, no job).
// handle() does every cheap check (rules, cookie, proposal, KE group, selectors,
// identities, connection) and then returns Output::job instead of a response. The
// caller runs job->run() on any thread (it touches only the job's own data, the
// const methods of the authenticators it holds, and the Random, which must then be
// thread-safe: SystemRandom is) and hands the job back with complete() on the loop
// thread, which applies the result (half-open SA, established SA, new IKE SA, Child
// SA) and yields the response. A single-threaded caller simply does
// `out.job->run(); out = r.complete(std::move(out.job), now)`.
// While a job is out, retransmits of that request are dropped and counted
// (init_in_progress_dropped for IKE_SA_INIT, job_in_progress_dropped for the
// others). An IKE SA removed or deleted meanwhile (terminate, reload, shutdown,
// lifetime) makes its job complete into nothing; an IKE_AUTH job that completes
// after a reload is dropped too (the peer's retransmit starts it again under the
// new configuration). A job handed back without run() completes into nothing.
//
// Responder-only (DESIGN.md): the engine emits responses, and INFORMATIONAL
// requests built by one function (DELETE on terminate/hard lifetime/reload/shutdown,
// liveness when dpd_delay is set); there is no code that builds any other request,
// and emit() drops and counts anything else. Our requests are retransmitted with
// backoff (RFC 7296 2.1) from on_timer() until answered; a peer that never answers
// is dead and its IKE SA is deleted locally. Output::requests_done names each request
// that ended (answered or given up) so that the daemon clears its XDP `outstanding`
// entry.
//
// Reload (reload()): new negotiations use the new configuration; an established IKE
// SA whose connection still exists by name with compatible addresses, identities and
// authentication keeps running with its Child SAs; any other is deleted (DELETE to
// the peer, Child SAs out of the kernel).
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
#include "ike/wire/types.h"

namespace answerd::sa {

struct Options {
  std::chrono::seconds half_open_timeout{30};
  std::chrono::seconds cookie_rotation{300};
  // Largest IKE message we send unfragmented when the peer supports RFC 7383
  // (1280 - IPv6 - UDP headers, strongSwan's default is similar).
  std::size_t fragment_size = 1232;
  // RFC 7296 2.1, strongSwan's defaults: our request is retransmitted after
  // retransmit_timeout, each next wait retransmit_base times longer; after
  // retransmit_tries retransmits and one more wait the peer is considered dead
  // (4 s, 1.8, 5: given up 165 s after the first send).
  std::chrono::milliseconds retransmit_timeout{4000};
  double retransmit_base = 1.8;
  unsigned retransmit_tries = 5;
  std::function<void(std::string_view)> log{};  // one line per event; may be empty
  // Events an operator must see at the default log level (authentication failures:
  // wrong PSK, untrusted or revoked certificate, unknown identity); `log` when empty.
  std::function<void(std::string_view)> warn{};
};

// A CPU-heavy step to run off the loop thread (see above).
class ComputeJob {
 public:
  virtual ~ComputeJob() = default;
  virtual void run() = 0;
};

// One request of ours: (SPIi, SPIr, message ID), the XDP `outstanding` map key.
struct RequestKey {
  ike::IkeSpi spi_i{}, spi_r{};
  ike::MessageId mid{};
  friend bool operator==(const RequestKey&, const RequestKey&) = default;
};

struct Output {
  std::vector<Datagram> send{};
  std::unique_ptr<ComputeJob> job{};
  // Our requests that ended since the last Output (answered, given up, or their IKE
  // SA removed): their XDP `outstanding` entries can go.
  std::vector<RequestKey> requests_done{};
};

// Counters for `stats show` (named() gives them as name/value pairs).
struct Stats {
  std::uint64_t received = 0, sent = 0;
  std::uint64_t malformed = 0, unknown_spi = 0, decrypt_failed = 0;
  std::uint64_t out_of_window = 0, retransmits_answered = 0, init_in_progress_dropped = 0;
  std::uint64_t job_in_progress_dropped = 0;  // IKE_AUTH / CREATE_CHILD_SA retransmits while its job is out
  std::uint64_t ike_sa_init = 0, ike_auth = 0, create_child_sa = 0, informational = 0;
  std::uint64_t no_proposal_chosen = 0, invalid_ke = 0, cookies_sent = 0, cookies_bad = 0;
  std::uint64_t half_open_limited = 0, half_open_timeouts = 0;
  std::uint64_t auth_failed = 0, ts_unacceptable = 0, childless = 0;
  std::uint64_t ike_established = 0, ike_deleted = 0, ike_rekeyed = 0;
  std::uint64_t child_installed = 0, child_deleted = 0, child_rekeyed = 0, dataplane_errors = 0;
  std::uint64_t nat_mapping_updates = 0;  // RFC 7296 2.23: Child SAs moved to a peer's new NAT mapping
  std::uint64_t initial_contact_deleted = 0, duplicates_resolved = 0, fragments_received = 0, fragments_sent = 0;
  std::uint64_t child_soft_expired = 0, child_hard_expired = 0, acquires_ignored = 0;
  std::uint64_t invariant_dropped = 0;  // a non-response non-INFORMATIONAL message: never sent
  std::uint64_t requests_sent = 0, request_retransmits = 0, requests_answered = 0, requests_given_up = 0;
  std::uint64_t liveness_checks = 0, unsolicited_responses = 0;
  std::uint64_t reloads = 0, reload_kept = 0, reload_deleted = 0;
  std::uint64_t state_changes[4][4] = {};  // [old][new] by IkeState
  [[nodiscard]] std::vector<std::pair<std::string, std::uint64_t>> named() const;
};

// `answerctl sa list` (DESIGN.md JSON fields); the daemon renders it.
struct ChildSaSnapshot {
  std::string name, state, mode;
  std::uint32_t spi_in = 0, spi_out = 0;
  std::string encr, integ;
  std::string dh_group = "NONE";  // PFS group as the IKE SA's dh_group names it; "NONE" without PFS
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
  bool nat_local = false, nat_remote = false;  // RFC 7296 2.23: which side is behind a NAT
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
  // Half-open timeouts, hard lifetimes, retransmits of our requests and their
  // give-up, liveness checks (dpd_delay); call at next_timer() or periodically.
  [[nodiscard]] Output on_timer(TimePoint now);
  [[nodiscard]] std::optional<TimePoint> next_timer() const;
  // Operator terminate: Child SAs out of the kernel, INFORMATIONAL { D } to the peer
  // (retransmitted), the IKE SA gone once answered or given up. A second terminate
  // of an SA already DELETING removes it at once.
  [[nodiscard]] Output terminate(std::uint64_t ike_sa_id, TimePoint now);
  // Shutdown: every established IKE SA is deleted as by terminate(), half-open ones
  // go at once. The caller keeps calling on_timer() (and handle()) until
  // ike_sa_count() + deleting_count() is 0 or its grace period ends.
  [[nodiscard]] Output shutdown(TimePoint now);
  // A new configuration (SIGHUP, `daemon reload`); see the top of this file.
  [[nodiscard]] Output reload(std::shared_ptr<const config::Config> cfg, TimePoint now);
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
  // IKE SAs half-open or established (those DELETING are listed by snapshot() and
  // counted by deleting_count()).
  [[nodiscard]] std::size_t ike_sa_count() const;
  [[nodiscard]] std::size_t deleting_count() const;
  [[nodiscard]] bool has_ike_sa(std::uint64_t id) const;
  [[nodiscard]] std::size_t half_open_count() const;

 private:
  std::unique_ptr<Engine> impl_;
};

}  // namespace answerd::sa
