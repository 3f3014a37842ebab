// Internal to answerd_sa: the engine's state (SA table, half-open accounting,
// cookie jar, stats) and the per-exchange tasks as member functions, implemented
// one exchange per file. Public API: engine.h.
#pragma once

#include <map>
#include <memory>
#include <set>
#include <tuple>
#include <unordered_map>

#include "ike/sa/cookies.h"
#include "ike/sa/engine.h"
#include "ike/sa/ike_sa.h"
#include "ike/sa/proposals.h"
#include "ike/wire/message.h"
#include "ike/wire/notify_data.h"
#include "ike/wire/rules.h"
#include "ike/wire/sk.h"

namespace answerd::sa {

// The decrypted request handed to a task.
struct Request {
  const Datagram* dgram = nullptr;
  ike::Header header{};
  std::vector<ike::Payload> payloads{};  // inner payloads
};

// Result of a Child SA negotiation: payloads for the response or an error notify.
struct ChildOutcome {
  std::vector<ike::Payload> payloads{};
  std::optional<ike::Payload> error{};  // an error notify instead
};

// The cheap half of a Child SA negotiation (plan_child): the config child, the
// chosen ESP proposal (with PFS its `pfs` is the peer's KE group) and the narrowed
// selectors. `cfg` points into the Config the plan was made with.
struct ChildPlan {
  const config::Child* cfg = nullptr;
  EspSelection sel{};
  std::vector<ike::TrafficSelector> ts_i{}, ts_r{};  // RFC 7296 2.9: TSi is our remote
  bool transport = false;
  ike::Bytes kei{};  // PFS: the initiator's Key Exchange Data
};

// PFS (RFC 7296 1.3.1): our KE public value and g^ir, or the notify to answer.
struct ChildDh {
  crypto::SecretBytes g_ir{};
  ike::Bytes public_value{};
};
[[nodiscard]] answerd::expected<ChildDh, ike::NotifyType> child_dh(ike::DhGroup group, const ike::Bytes& kei,
                                                                    crypto::Random& rng);

// Compute jobs (engine.h): IKE_SA_INIT (task_ike_init.cpp), IKE_AUTH's signature
// verify and sign (task_ike_auth.cpp), an IKE SA rekey's DH and a Child SA's PFS DH
// in CREATE_CHILD_SA (task_create_child.cpp).
class InitJob;

class Engine {
 public:
  Engine(std::shared_ptr<const config::Config> cfg, crypto::Random& rng, kernel::KernelIpsec& dp, Options o);

  Output handle(const Datagram& d, TimePoint now);
  Output complete(std::unique_ptr<ComputeJob> job, TimePoint now);
  Output on_timer(TimePoint now);
  std::optional<TimePoint> next_timer() const;
  Output terminate(std::uint64_t id, TimePoint now);
  Output child_expired(ike::EspSpi spi, bool hard, TimePoint now);
  Output shutdown(TimePoint now);
  Output reload(std::shared_ptr<const config::Config> cfg, TimePoint now);
  std::vector<IkeSaSnapshot> snapshot(TimePoint now) const;

  std::shared_ptr<const config::Config> cfg_;
  // Configurations replaced by reload() while IKE_SA_INIT jobs that point into them
  // were out; released by settle_reload() once none is left.
  std::vector<std::shared_ptr<const config::Config>> retired_{};
  std::vector<RequestKey> requests_done_{};  // moved into the next Output
  crypto::Random& rng_;
  kernel::KernelIpsec& dp_;
  Options opt_;
  Stats stats_{};
  CookieJar cookies_;
  // Shared with IKE_AUTH jobs, which keep the ones they started with across a reload.
  std::map<config::AuthMethod, std::shared_ptr<Authenticator>> auth_{};
  std::unordered_map<ike::IkeSpi, std::unique_ptr<IkeSa>> sas_{};  // by our SPI (SPIr)
  // Peer identity -> SPIr of the IKE SAs authenticated as it (unique, INITIAL_CONTACT),
  // so that a duplicate check costs the identity's SAs, not all SAs. Entries are
  // added by set_remote_id() and removed by remove_sa().
  std::unordered_multimap<std::string, ike::IkeSpi> by_remote_id_{};
  // IKE_SA_INIT retransmits: (peer address, port, SPIi) -> SPIr, and pending jobs.
  using InitKey = std::tuple<config::IpAddress, std::uint16_t, std::uint64_t>;
  std::map<InitKey, ike::IkeSpi> init_index_{};
  std::set<InitKey> init_pending_{};
  std::set<ike::IkeSpi> pending_spi_{};  // SPIr of IKE_SA_INIT / IKE rekey jobs not completed yet
  // SPIr of IKE SAs with an IKE_AUTH or CREATE_CHILD_SA job out: a retransmit of
  // that request is dropped; remove_sa() clears the entry, so the job completes
  // into nothing when its SA went meanwhile.
  std::set<ike::IkeSpi> busy_{};
  std::map<config::IpAddress, std::uint32_t> half_open_by_src_{};
  std::size_t half_open_total_ = 0;
  std::uint64_t next_sa_id_ = 1;
  std::uint32_t next_child_id_ = 1;
  std::uint32_t next_reqid_ = 1;

  // --- engine.cpp: SA table, state, output
  void log(const std::string& line) const;
  void warn(const std::string& line) const;  // Options::warn, else log
  void set_state(IkeSa& sa, IkeState to);
  IkeSa* find(ike::IkeSpi spi_r);
  ike::IkeSpi fresh_spi();
  void half_open_add(const config::IpAddress& a, int delta);
  void remove_sa(IkeSa& sa, const char* why);  // children out of the dataplane, table
  void emit(Output& out, const Endpoint& local, const Endpoint& remote, std::vector<std::uint8_t> bytes);
  std::vector<const config::Connection*> candidates(const Endpoint& local, const Endpoint& remote) const;
  void take_done(Output& out);  // requests_done_ into out

  // --- engine.cpp: reload
  const config::Connection* connection_named(const std::string& name) const;
  bool still_matches(const IkeSa& sa, const config::Connection& was, const config::Connection& now) const;
  void settle_reload();  // SAs of completed jobs onto the current config

  // --- protect.cpp: SK/SKF in and out (RFC 7296 3.14, RFC 7383)
  enum class Decrypted { kComplete, kPending, kFailed };
  Decrypted decrypt(IkeSa& sa, std::span<const std::uint8_t> datagram, std::vector<std::uint8_t>& plain,
                    ike::PayloadType& first);
  // Encrypts a response (fragmenting when allowed), caches it for retransmits, emits it.
  void respond(Output& out, IkeSa& sa, const Request& req, std::vector<ike::Payload> payloads);
  // The only request builder: INFORMATIONAL, from us to the initiator; takes the
  // next message ID of our side and fills req.mid and req.datagrams.
  void informational_request(IkeSa& sa, OurRequest& req, const std::vector<ike::Payload>& payloads);
  std::vector<std::vector<std::uint8_t>> protect(IkeSa& sa, const ike::Header& h,
                                                 const std::vector<ike::Payload>& payloads);
  void handle_encrypted(Output& out, const Datagram& d, const ike::Header& h, TimePoint now);

  // --- task_ike_init.cpp
  void ike_init(Output& out, const Datagram& d, ike::Message m, TimePoint now);
  Output init_complete(InitJob& job, TimePoint now);
  void init_error(Output& out, const Datagram& d, const ike::Header& h, ike::Payload notify);

  // --- task_ike_auth.cpp
  void ike_auth(Output& out, IkeSa& sa, const Request& req, TimePoint now);
  bool auth_complete(ComputeJob& job, Output& out, TimePoint now);  // false: not an IKE_AUTH job
  void auth_fail(Output& out, IkeSa& sa, const Request& req, const std::string& why);
  // A job of IKE SA `sa_id` (SPIr `spi_r`) for request `mid` completes onto it only
  // when that SA is still there in `state` and nothing else was answered meanwhile.
  IkeSa* job_target(std::uint64_t sa_id, ike::IkeSpi spi_r, ike::MessageId mid, IkeState state);
  bool job_out(IkeSa& sa);  // a job is out for `sa`: the request is dropped and counted
  const config::Connection* find_connection(const IkeSa& sa, const config::Identity& idi,
                                            const std::optional<config::Identity>& idr) const;
  void replace_duplicates(Output& out, const IkeSa& keep, bool initial_contact, TimePoint now);
  void set_remote_id(IkeSa& sa, std::string id);
  // Established IKE SAs other than `self` on `conn` authenticated as `remote_id`.
  std::vector<ike::IkeSpi> duplicates_of(const IkeSa& self, const config::Connection* conn,
                                         const std::string& remote_id) const;
  bool has_duplicate(const IkeSa& self, const config::Connection& conn, const std::string& remote_id) const;

  // --- task_child.cpp: a Child SA from SA/TSi/TSr (IKE_AUTH and CREATE_CHILD_SA)
  // create_child() is plan_child(), the PFS DH inline, finish_child(); CREATE_CHILD_SA
  // with PFS runs the DH in a job between the two instead.
  ChildOutcome create_child(IkeSa& sa, const Request& req, std::span<const std::uint8_t> ni,
                            std::span<const std::uint8_t> nr, bool create_child_sa, const ChildSa* rekeyed,
                            TimePoint now);
  // Selectors, proposal, KE group: the plan or the error notify to answer
  // (TS_UNACCEPTABLE, NO_PROPOSAL_CHOSEN, INVALID_KE_PAYLOAD, INVALID_SYNTAX).
  answerd::expected<ChildPlan, ike::Payload> plan_child(IkeSa& sa, const Request& req, bool create_child_sa,
                                                        const ChildSa* rekeyed);
  // KEYMAT (RFC 7296 2.17, g^ir empty without PFS), inbound SPI, install, response
  // payloads. `rekey_reqid`: the reqid of the Child SA being rekeyed.
  ChildOutcome finish_child(IkeSa& sa, const ChildPlan& plan, std::span<const std::uint8_t> ni,
                            std::span<const std::uint8_t> nr, bool create_child_sa, const ChildDh& dh,
                            std::optional<ike::Reqid> rekey_reqid, TimePoint now);
  bool install(IkeSa& sa, ChildSa& c, const config::Child& cfg, const crypto::ChildKeys& keys, bool with_policies);
  void delete_child(IkeSa& sa, const ChildSa& c);  // c already taken out of sa.children

  // --- task_informational.cpp / task_create_child.cpp
  void informational(Output& out, IkeSa& sa, const Request& req, TimePoint now);
  // Our requests (RFC 7296 2.1, 2.3): queued, one outstanding, retransmitted.
  void queue_request(Output& out, IkeSa& sa, RequestKind kind, std::vector<ike::Payload> payloads, TimePoint now);
  void send_next_request(Output& out, IkeSa& sa, TimePoint now);
  void our_response(Output& out, IkeSa& sa, const Datagram& d, const ike::Header& h, TimePoint now);
  void request_ended(IkeSa& sa);  // the outstanding one, into requests_done_
  // Retransmits and give-ups due at `now`, then liveness checks (dpd_delay).
  void request_timers(Output& out, TimePoint now);
  std::optional<TimePoint> request_next_timer(const IkeSa& sa) const;
  // Child SAs out of the kernel, DELETING, D(IKE) queued to the peer.
  void begin_delete(Output& out, IkeSa& sa, const std::string& why, TimePoint now);
  void create_child_sa(Output& out, IkeSa& sa, const Request& req, TimePoint now);
  void rekey_ike(Output& out, IkeSa& sa, const Request& req, const ike::SaPayload& sa_i, TimePoint now);
  bool rekey_complete(ComputeJob& job, Output& out, TimePoint now);  // false: not a rekey job
  // A Child SA with PFS: the plan and nonces into a ChildJob (the DH); finished by
  // child_complete() (false: not a Child SA PFS job).
  void child_job(Output& out, IkeSa& sa, const Request& req, ChildPlan plan, const ike::Bytes& ni,
                 const ike::Bytes& nr, std::optional<ike::Reqid> rekey_reqid);
  bool child_complete(ComputeJob& job, Output& out, TimePoint now);
};

}  // namespace answerd::sa
