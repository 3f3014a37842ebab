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

// IKE_SA_INIT compute job (task_ike_init.cpp).
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
  std::vector<IkeSaSnapshot> snapshot(TimePoint now) const;

  std::shared_ptr<const config::Config> cfg_;
  crypto::Random& rng_;
  kernel::KernelIpsec& dp_;
  Options opt_;
  Stats stats_{};
  CookieJar cookies_;
  std::map<config::AuthMethod, std::unique_ptr<Authenticator>> auth_{};
  std::unordered_map<ike::IkeSpi, std::unique_ptr<IkeSa>> sas_{};  // by our SPI (SPIr)
  // IKE_SA_INIT retransmits: (peer address, port, SPIi) -> SPIr, and pending jobs.
  using InitKey = std::tuple<config::IpAddress, std::uint16_t, std::uint64_t>;
  std::map<InitKey, ike::IkeSpi> init_index_{};
  std::set<InitKey> init_pending_{};
  std::set<ike::IkeSpi> pending_spi_{};  // SPIr of IKE_SA_INIT jobs not completed yet
  std::map<config::IpAddress, std::uint32_t> half_open_by_src_{};
  std::size_t half_open_total_ = 0;
  std::uint64_t next_sa_id_ = 1;
  std::uint32_t next_child_id_ = 1;
  std::uint32_t next_reqid_ = 1;

  // --- engine.cpp: SA table, state, output
  void log(const std::string& line) const;
  void set_state(IkeSa& sa, IkeState to);
  IkeSa* find(ike::IkeSpi spi_r);
  ike::IkeSpi fresh_spi();
  void half_open_add(const config::IpAddress& a, int delta);
  void remove_sa(IkeSa& sa, const char* why);  // children out of the dataplane, table
  void emit(Output& out, const Endpoint& local, const Endpoint& remote, std::vector<std::uint8_t> bytes);
  std::vector<const config::Connection*> candidates(const Endpoint& local, const Endpoint& remote) const;

  // --- protect.cpp: SK/SKF in and out (RFC 7296 3.14, RFC 7383)
  enum class Decrypted { kComplete, kPending, kFailed };
  Decrypted decrypt(IkeSa& sa, std::span<const std::uint8_t> datagram, std::vector<std::uint8_t>& plain,
                    ike::PayloadType& first);
  // Encrypts a response (fragmenting when allowed), caches it for retransmits, emits it.
  void respond(Output& out, IkeSa& sa, const Request& req, std::vector<ike::Payload> payloads);
  // The only request builder: INFORMATIONAL, from us to the initiator.
  void informational_request(Output& out, IkeSa& sa, std::vector<ike::Payload> payloads);
  std::vector<std::vector<std::uint8_t>> protect(IkeSa& sa, const ike::Header& h,
                                                 const std::vector<ike::Payload>& payloads);
  void handle_encrypted(Output& out, const Datagram& d, const ike::Header& h, TimePoint now);

  // --- task_ike_init.cpp
  void ike_init(Output& out, const Datagram& d, ike::Message m, TimePoint now);
  Output init_complete(InitJob& job, TimePoint now);
  void init_error(Output& out, const Datagram& d, const ike::Header& h, ike::Payload notify);

  // --- task_ike_auth.cpp
  void ike_auth(Output& out, IkeSa& sa, const Request& req, TimePoint now);
  const config::Connection* find_connection(const IkeSa& sa, const config::Identity& idi,
                                            const std::optional<config::Identity>& idr) const;
  void initial_contact(const IkeSa& keep, TimePoint now);
  bool has_duplicate(const IkeSa& self, const config::Connection& conn, const std::string& remote_id) const;

  // --- task_child.cpp: a Child SA from SA/TSi/TSr (IKE_AUTH and CREATE_CHILD_SA)
  ChildOutcome create_child(IkeSa& sa, const Request& req, std::span<const std::uint8_t> ni,
                            std::span<const std::uint8_t> nr, bool create_child_sa, const ChildSa* rekeyed,
                            TimePoint now);
  bool install(IkeSa& sa, ChildSa& c, const config::Child& cfg, const crypto::ChildKeys& keys, bool with_policies);
  void delete_child(IkeSa& sa, const ChildSa& c);  // c already taken out of sa.children

  // --- task_informational.cpp / task_create_child.cpp
  void informational(Output& out, IkeSa& sa, const Request& req, TimePoint now);
  void create_child_sa(Output& out, IkeSa& sa, const Request& req, TimePoint now);
  void rekey_ike(Output& out, IkeSa& sa, const Request& req, const ike::SaPayload& sa_i, TimePoint now);
};

}  // namespace answerd::sa
