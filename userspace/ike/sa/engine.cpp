// IkeResponder entry points, the SA table, the single place that changes IKE SA
// state (set_state: logs "old -> new" and counts it, after OpenIKED's sa_state) and
// the single place that hands datagrams out (emit: responder-only guard), and
// reload: established SAs moved onto the new configuration or deleted.
#include "ike/sa/engine_impl.h"

#include <algorithm>

#include "ike/wire/names.h"

namespace answerd::sa {

std::string_view to_string(IkeState s) {
  switch (s) {
    case IkeState::kHalfOpen: return "CONNECTING";
    case IkeState::kEstablished: return "ESTABLISHED";
    case IkeState::kDeleting: return "DELETING";
    case IkeState::kDeleted: return "DELETED";
  }
  return "UNKNOWN";
}

Engine::Engine(std::shared_ptr<const config::Config> cfg, crypto::Random& rng, kernel::KernelIpsec& dp, Options o)
    : cfg_(std::move(cfg)), rng_(rng), dp_(dp), opt_(std::move(o)), cookies_(rng, opt_.cookie_rotation) {
  auth_[config::AuthMethod::kPsk] = std::make_unique<PskAuthenticator>(cfg_);
}

void Engine::log(const std::string& line) const {
  if (opt_.log) opt_.log(line);
}

void Engine::warn(const std::string& line) const {
  if (opt_.warn)
    opt_.warn(line);
  else
    log(line);
}

void Engine::set_state(IkeSa& sa, IkeState to) {
  const IkeState from = sa.state;
  if (from == to) return;
  sa.state = to;
  ++stats_.state_changes[static_cast<int>(from)][static_cast<int>(to)];
  log("IKE_SA #" + std::to_string(sa.id) + " " + std::string(to_string(from)) + " -> " +
      std::string(to_string(to)));
}

IkeSa* Engine::find(ike::IkeSpi spi_r) {
  auto it = sas_.find(spi_r);
  return it == sas_.end() ? nullptr : it->second.get();
}

ike::IkeSpi Engine::fresh_spi() {
  for (;;) {
    std::array<std::uint8_t, 8> b{};
    rng_.fill(b);
    const auto spi = ike::IkeSpi::from_wire(b);
    if (!spi.is_zero() && !sas_.contains(spi) && !pending_spi_.contains(spi)) return spi;
  }
}

void Engine::half_open_add(const config::IpAddress& a, int delta) {
  auto& n = half_open_by_src_[a];
  if (delta > 0) {
    ++n;
    ++half_open_total_;
  } else if (n > 0) {
    --n;
    --half_open_total_;
  }
  if (n == 0) half_open_by_src_.erase(a);
}

void Engine::remove_sa(IkeSa& sa, const char* why) {
  while (!sa.children.empty()) {
    ChildSa c = std::move(sa.children.back());
    sa.children.pop_back();
    delete_child(sa, c);
  }
  if (sa.state == IkeState::kHalfOpen) half_open_add(sa.remote.addr, -1);
  request_ended(sa);  // its XDP `outstanding` entry goes too
  busy_.erase(sa.spi_r);  // a job still out for it completes into nothing
  init_index_.erase(InitKey{sa.remote.addr, sa.remote.port, sa.spi_i.value()});
  for (auto [it, end] = by_remote_id_.equal_range(sa.remote_id); it != end; ++it)
    if (it->second == sa.spi_r) {
      by_remote_id_.erase(it);
      break;
    }
  log("IKE_SA #" + std::to_string(sa.id) + " deleted: " + why);
  set_state(sa, IkeState::kDeleted);
  ++stats_.ike_deleted;
  sas_.erase(sa.spi_r);  // `sa` is gone from here on
}

void Engine::emit(Output& out, const Endpoint& local, const Endpoint& remote, std::vector<std::uint8_t> bytes) {
  // Responder-only invariant: a response, or an INFORMATIONAL request. Nothing else
  // leaves the engine, whatever a bug elsewhere builds.
  auto h = ike::parse_header(bytes);
  if (!h || !(h->response() || h->exchange == ike::ExchangeType::kInformational)) {
    ++stats_.invariant_dropped;
    log("refusing to send a message that is neither a response nor INFORMATIONAL");
    return;
  }
  ++stats_.sent;
  out.send.push_back(Datagram{.local = local, .remote = remote, .bytes = std::move(bytes)});
}

std::vector<const config::Connection*> Engine::candidates(const Endpoint& local, const Endpoint& remote) const {
  std::vector<const config::Connection*> out;
  for (const auto& c : cfg_->connections) {
    const bool l = c.local_addrs.empty() || config::contains(c.local_addrs, local.addr);
    const bool r = c.remote_addrs.empty() || config::contains(c.remote_addrs, remote.addr);
    if (l && r) out.push_back(&c);
  }
  return out;
}

Output Engine::handle(const Datagram& d, TimePoint now) {
  Output out;
  ++stats_.received;
  auto h = ike::parse_header(d.bytes);
  if (!h) {
    ++stats_.malformed;
    return out;
  }
  if (h->exchange != ike::ExchangeType::kIkeSaInit) {
    handle_encrypted(out, d, *h, now);
    return out;
  }
  // DESIGN.md: we are never the original initiator, so an IKE_SA_INIT response or a
  // request without the Initiator flag cannot be for us.
  if (h->response() || !h->initiator() || !h->spi_r.is_zero() || !h->message_id.is_zero()) {
    ++stats_.malformed;
    return out;
  }
  auto m = ike::parse_message(d.bytes);
  if (!m) {
    ++stats_.malformed;
    log("IKE_SA_INIT from " + config::to_string(d.remote.addr) + ": " + m.error().to_string());
    return out;
  }
  ++stats_.ike_sa_init;
  ike_init(out, d, std::move(*m), now);
  return out;
}

Output Engine::on_timer(TimePoint now) {
  Output out;
  std::vector<ike::IkeSpi> expired, hard;
  for (const auto& [spi, sa] : sas_) {
    if (sa->state == IkeState::kHalfOpen && now - sa->created_at >= opt_.half_open_timeout) expired.push_back(spi);
    if (sa->state == IkeState::kEstablished && sa->conn != nullptr && sa->conn->hard_lifetime().count() > 0 &&
        now - sa->established_at >= sa->conn->hard_lifetime())
      hard.push_back(spi);
  }
  for (auto spi : expired) {
    ++stats_.half_open_timeouts;
    remove_sa(*find(spi), "half-open timeout");
  }
  // RFC 4478: the peer was told to reauthenticate before this; our hard limit.
  for (auto spi : hard) begin_delete(out, *find(spi), "hard lifetime reached", now);
  request_timers(out, now);
  return out;
}

std::optional<TimePoint> Engine::next_timer() const {
  std::optional<TimePoint> t;
  auto consider = [&](std::optional<TimePoint> x) {
    if (x && (!t || *x < *t)) t = x;
  };
  for (const auto& [spi, sa] : sas_) {
    if (sa->state == IkeState::kHalfOpen) consider(sa->created_at + opt_.half_open_timeout);
    if (sa->state == IkeState::kEstablished && sa->conn != nullptr && sa->conn->hard_lifetime().count() > 0)
      consider(sa->established_at + sa->conn->hard_lifetime());
    consider(request_next_timer(*sa));
  }
  return t;
}

Output Engine::terminate(std::uint64_t id, TimePoint now) {
  Output out;
  for (auto& [spi, sa] : sas_) {
    if (sa->id != id) continue;
    if (sa->state == IkeState::kEstablished)
      begin_delete(out, *sa, "terminated by the operator", now);
    else
      remove_sa(*sa, sa->state == IkeState::kDeleting ? "terminated again by the operator" : "terminated by the operator");
    break;
  }
  return out;
}

Output Engine::shutdown(TimePoint now) {
  Output out;
  std::vector<ike::IkeSpi> up, half;
  for (const auto& [spi, sa] : sas_) {
    if (sa->state == IkeState::kEstablished) up.push_back(spi);
    if (sa->state == IkeState::kHalfOpen) half.push_back(spi);
  }
  for (auto spi : half) remove_sa(*find(spi), "shutdown");
  for (auto spi : up) begin_delete(out, *find(spi), "shutdown", now);
  return out;
}

Output Engine::child_expired(ike::EspSpi spi, bool hard, TimePoint now) {
  Output out;
  for (auto& [ike_spi, sa] : sas_) {
    auto it = std::find_if(sa->children.begin(), sa->children.end(),
                           [&](const ChildSa& c) { return c.spi_in == spi || c.spi_out == spi; });
    if (it == sa->children.end()) continue;
    if (!hard) {
      ++stats_.child_soft_expired;
      log("CHILD_SA " + it->name + " #" + std::to_string(it->id) + " soft lifetime reached; the peer rekeys");
      return out;
    }
    ++stats_.child_hard_expired;
    ChildSa c = std::move(*it);
    sa->children.erase(it);
    const auto b = c.spi_in.bytes();
    log("CHILD_SA " + c.name + " #" + std::to_string(c.id) + " hard lifetime reached");
    delete_child(*sa, c);  // the expired SA is already gone from the kernel
    if (sa->state == IkeState::kEstablished)
      queue_request(out, *sa, RequestKind::kDeleteChild,
                    {ike::make_payload(ike::DeletePayload{ike::ProtocolId::kEsp, 4, {ike::Bytes(b.begin(), b.end())}})},
                    now);
    return out;
  }
  return out;
}

bool Engine::job_out(IkeSa& sa) {
  if (!busy_.contains(sa.spi_r)) return false;
  ++stats_.job_in_progress_dropped;
  return true;
}

IkeSa* Engine::job_target(std::uint64_t sa_id, ike::IkeSpi spi_r, ike::MessageId mid, IkeState state) {
  IkeSa* sa = find(spi_r);
  if (sa == nullptr || sa->id != sa_id || busy_.erase(spi_r) == 0) return nullptr;
  if (sa->state != state || sa->next_mid != mid) {
    log("IKE_SA #" + std::to_string(sa_id) + ": " + (sa->state != state ? "state changed" : "another request answered") +
        " while its job was out; the job's result is dropped");
    return nullptr;
  }
  return sa;
}

void Engine::take_done(Output& out) {
  for (auto& k : requests_done_) out.requests_done.push_back(k);
  requests_done_.clear();
}

// ---- reload

const config::Connection* Engine::connection_named(const std::string& name) const {
  for (const auto& c : cfg_->connections)
    if (c.name == name) return &c;
  return nullptr;
}

namespace {

// The same authentication round, wherever it is written in the file.
bool same_round(const config::AuthRound& a, const config::AuthRound& b) {
  return a.auth == b.auth && a.id == b.id && a.certs == b.certs && a.cacerts == b.cacerts && a.pubkeys == b.pubkeys;
}

bool admits(const std::vector<config::AddressRange>& ranges, const config::IpAddress& a) {
  return ranges.empty() || config::contains(ranges, a);
}

}  // namespace

// An established SA stays on the reloaded connection `now` when the peer would
// still be accepted by it: addresses, the peer's identity, the same authentication
// rounds on both sides (same method, identities, certificates and trust anchors).
bool Engine::still_matches(const IkeSa& sa, const config::Connection& was, const config::Connection& now) const {
  if (!admits(now.local_addrs, sa.local.addr) || !admits(now.remote_addrs, sa.remote.addr)) return false;
  if (now.local.empty() || now.remote.empty() || was.local.empty() || was.remote.empty()) return false;
  if (!same_round(now.local.front(), was.local.front()) || !same_round(now.remote.front(), was.remote.front()))
    return false;
  auto peer = config::parse_identity(sa.remote_id);
  return peer && config::matches(now.remote.front().id, *peer);
}

Output Engine::reload(std::shared_ptr<const config::Config> cfg, TimePoint now) {
  Output out;
  ++stats_.reloads;
  retired_.push_back(std::move(cfg_));
  cfg_ = std::move(cfg);
  // The built-in PSK authenticator reads the secrets of the current configuration.
  if (auto it = auth_.find(config::AuthMethod::kPsk);
      it == auth_.end() || dynamic_cast<PskAuthenticator*>(it->second.get()) != nullptr)
    auth_[config::AuthMethod::kPsk] = std::make_unique<PskAuthenticator>(cfg_);
  std::vector<std::pair<ike::IkeSpi, std::string>> drop, gone_half_open;
  std::size_t kept = 0;
  for (auto& [spi, sa] : sas_) {
    const config::Connection* was = sa->conn;
    const config::Connection* next = was != nullptr ? connection_named(was->name) : nullptr;
    if (sa->state == IkeState::kHalfOpen) {
      // IKE_AUTH selects its connection again from the current configuration.
      if (next == nullptr) gone_half_open.emplace_back(spi, "connection removed by reload");
      sa->conn = next;
    } else if (sa->state == IkeState::kEstablished) {
      const std::string name = was != nullptr ? was->name : "";
      if (next != nullptr && still_matches(*sa, *was, *next)) {
        sa->conn = next;
        ++kept;
      } else {
        drop.emplace_back(spi, next == nullptr ? "connection '" + name + "' removed by reload"
                                               : "connection '" + name + "' no longer admits the peer");
      }
    } else {
      sa->conn = nullptr;  // DELETING: nothing reads its connection any more
    }
  }
  for (auto& [spi, why] : gone_half_open) remove_sa(*find(spi), why.c_str());
  for (auto& [spi, why] : drop) {
    IkeSa& sa = *find(spi);
    ++stats_.reload_deleted;
    begin_delete(out, sa, why, now);
    sa.conn = nullptr;
  }
  stats_.reload_kept += kept;
  log("configuration reloaded: " + std::to_string(kept) + " established IKE SA(s) kept, " +
      std::to_string(drop.size()) + " deleted");
  settle_reload();
  return out;
}

// IKE_SA_INIT jobs started before a reload complete with a connection of the old
// configuration: move their SAs over, then let the old configurations go.
void Engine::settle_reload() {
  if (retired_.empty()) return;
  std::vector<ike::IkeSpi> orphans;
  for (auto& [spi, sa] : sas_) {
    if (sa->conn == nullptr || sa->state != IkeState::kHalfOpen) continue;
    const config::Connection* cur = connection_named(sa->conn->name);
    if (cur == sa->conn) continue;
    if (cur == nullptr) orphans.push_back(spi);
    sa->conn = cur;
  }
  for (auto spi : orphans) remove_sa(*find(spi), "connection removed by reload");
  if (pending_spi_.empty()) retired_.clear();
}

// ---- public wrappers

IkeResponder::IkeResponder(std::shared_ptr<const config::Config> cfg, crypto::Random& rng, kernel::KernelIpsec& dataplane,
                           Options options)
    : impl_(std::make_unique<Engine>(std::move(cfg), rng, dataplane, std::move(options))) {}
IkeResponder::~IkeResponder() = default;
namespace {
Output done(Engine& e, Output out) {
  e.take_done(out);
  return out;
}
}  // namespace
Output IkeResponder::handle(const Datagram& d, TimePoint now) { return done(*impl_, impl_->handle(d, now)); }
Output IkeResponder::complete(std::unique_ptr<ComputeJob> job, TimePoint now) {
  auto out = impl_->complete(std::move(job), now);
  impl_->settle_reload();
  return done(*impl_, std::move(out));
}
Output IkeResponder::on_timer(TimePoint now) { return done(*impl_, impl_->on_timer(now)); }
std::optional<TimePoint> IkeResponder::next_timer() const { return impl_->next_timer(); }
Output IkeResponder::terminate(std::uint64_t id, TimePoint now) { return done(*impl_, impl_->terminate(id, now)); }
Output IkeResponder::shutdown(TimePoint now) { return done(*impl_, impl_->shutdown(now)); }
Output IkeResponder::reload(std::shared_ptr<const config::Config> cfg, TimePoint now) {
  return done(*impl_, impl_->reload(std::move(cfg), now));
}
Output IkeResponder::child_expired(ike::EspSpi spi, bool hard, TimePoint now) {
  return done(*impl_, impl_->child_expired(spi, hard, now));
}
void IkeResponder::acquire_ignored() { ++impl_->stats_.acquires_ignored; }
void IkeResponder::add_authenticator(std::unique_ptr<Authenticator> a) {
  const auto m = a->method();
  impl_->auth_[m] = std::move(a);
}
const Stats& IkeResponder::stats() const { return impl_->stats_; }
std::vector<IkeSaSnapshot> IkeResponder::snapshot(TimePoint now) const { return impl_->snapshot(now); }
std::size_t IkeResponder::ike_sa_count() const { return impl_->sas_.size() - deleting_count(); }
std::size_t IkeResponder::deleting_count() const {
  return static_cast<std::size_t>(std::count_if(impl_->sas_.begin(), impl_->sas_.end(), [](const auto& kv) {
    return kv.second->state == IkeState::kDeleting;
  }));
}
bool IkeResponder::has_ike_sa(std::uint64_t id) const {
  return std::any_of(impl_->sas_.begin(), impl_->sas_.end(), [id](const auto& kv) { return kv.second->id == id; });
}
std::size_t IkeResponder::half_open_count() const { return impl_->half_open_total_; }

}  // namespace answerd::sa
