// IkeResponder entry points, the SA table, the single place that changes IKE SA
// state (set_state: logs "old -> new" and counts it, after OpenIKED's sa_state) and
// the single place that hands datagrams out (emit: responder-only guard).
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
  init_index_.erase(InitKey{sa.remote.addr, sa.remote.port, sa.spi_i.value()});
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
  for (auto spi : hard) {
    IkeSa& sa = *find(spi);
    // RFC 4478: the peer was told to reauthenticate before this; our hard limit.
    informational_request(out, sa, {ike::make_payload(ike::DeletePayload{ike::ProtocolId::kIke, 0, {}})});
    remove_sa(sa, "hard lifetime reached");
  }
  return out;
}

std::optional<TimePoint> Engine::next_timer() const {
  std::optional<TimePoint> t;
  auto consider = [&](TimePoint x) {
    if (!t || x < *t) t = x;
  };
  for (const auto& [spi, sa] : sas_) {
    if (sa->state == IkeState::kHalfOpen) consider(sa->created_at + opt_.half_open_timeout);
    if (sa->state == IkeState::kEstablished && sa->conn != nullptr && sa->conn->hard_lifetime().count() > 0)
      consider(sa->established_at + sa->conn->hard_lifetime());
  }
  return t;
}

Output Engine::terminate(std::uint64_t id, TimePoint) {
  Output out;
  for (auto& [spi, sa] : sas_) {
    if (sa->id != id) continue;
    if (sa->state == IkeState::kEstablished)
      informational_request(out, *sa, {ike::make_payload(ike::DeletePayload{ike::ProtocolId::kIke, 0, {}})});
    remove_sa(*sa, "terminated by the operator");
    break;
  }
  return out;
}

Output Engine::child_expired(ike::EspSpi spi, bool hard, TimePoint) {
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
    if (sa->state == IkeState::kEstablished)
      informational_request(out, *sa, {ike::make_payload(ike::DeletePayload{ike::ProtocolId::kEsp, 4,
                                                                            {ike::Bytes(b.begin(), b.end())}})});
    log("CHILD_SA " + c.name + " #" + std::to_string(c.id) + " hard lifetime reached");
    delete_child(*sa, c);  // the expired SA is already gone from the kernel
    return out;
  }
  return out;
}

// ---- public wrappers

IkeResponder::IkeResponder(std::shared_ptr<const config::Config> cfg, crypto::Random& rng, kernel::KernelIpsec& dataplane,
                           Options options)
    : impl_(std::make_unique<Engine>(std::move(cfg), rng, dataplane, std::move(options))) {}
IkeResponder::~IkeResponder() = default;
Output IkeResponder::handle(const Datagram& d, TimePoint now) { return impl_->handle(d, now); }
Output IkeResponder::complete(std::unique_ptr<ComputeJob> job, TimePoint now) {
  return impl_->complete(std::move(job), now);
}
Output IkeResponder::on_timer(TimePoint now) { return impl_->on_timer(now); }
std::optional<TimePoint> IkeResponder::next_timer() const { return impl_->next_timer(); }
Output IkeResponder::terminate(std::uint64_t id, TimePoint now) { return impl_->terminate(id, now); }
Output IkeResponder::child_expired(ike::EspSpi spi, bool hard, TimePoint now) {
  return impl_->child_expired(spi, hard, now);
}
void IkeResponder::acquire_ignored() { ++impl_->stats_.acquires_ignored; }
void IkeResponder::add_authenticator(std::unique_ptr<Authenticator> a) {
  const auto m = a->method();
  impl_->auth_[m] = std::move(a);
}
const Stats& IkeResponder::stats() const { return impl_->stats_; }
std::vector<IkeSaSnapshot> IkeResponder::snapshot(TimePoint now) const { return impl_->snapshot(now); }
std::size_t IkeResponder::ike_sa_count() const { return impl_->sas_.size(); }
std::size_t IkeResponder::half_open_count() const { return impl_->half_open_total_; }

}  // namespace answerd::sa
