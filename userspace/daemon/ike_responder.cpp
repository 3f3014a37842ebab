// IkeSaResponder (see ike_responder.h).
#include "daemon/ike_responder.h"

#include "kernel/none/none_ipsec.h"
#include "kernel/xfrm/xfrm_ipsec.h"
#include "ike/sa/auth_pubkey.h"
#include "ike/wire/message.h"
#include "ike/wire/names.h"
#include "log/log.h"

#include <arpa/inet.h>
#include <sys/epoll.h>
#include <fmt/format.h>

namespace answerd::daemon {
namespace {

using log::Subsys;
constexpr std::chrono::seconds kTimerPeriod{1};

sa::Endpoint to_sa(const Endpoint& e) {
  sa::Endpoint o;
  o.addr.family = e.addr.family == AF_INET ? 4 : 6;
  o.addr.bytes = e.addr.bytes;
  o.port = e.port;
  return o;
}

Endpoint from_sa(const sa::Endpoint& e) {
  Endpoint o;
  o.addr.family = e.addr.family == 4 ? AF_INET : AF_INET6;
  o.addr.bytes = e.addr.bytes;
  o.port = e.port;
  return o;
}

std::string hex64(std::uint64_t v) { return fmt::format("{:016x}", v); }

nlohmann::json to_json(const sa::IkeSaSnapshot& s) {
  auto children = nlohmann::json::array();
  for (const auto& c : s.child_sas)
    children.push_back({{"name", c.name}, {"state", c.state}, {"mode", c.mode},
                        {"spi_in", fmt::format("{:08x}", c.spi_in)}, {"spi_out", fmt::format("{:08x}", c.spi_out)},
                        {"encr", c.encr}, {"integ", c.integ}, {"dh_group", c.dh_group}, {"local_ts", c.local_ts}, {"remote_ts", c.remote_ts},
                        {"bytes_in", c.bytes_in}, {"bytes_out", c.bytes_out}, {"packets_in", c.packets_in},
                        {"packets_out", c.packets_out}, {"lifetime_left_s", c.lifetime_left_s}});
  return {{"id", s.id}, {"state", s.state}, {"version", s.version}, {"role", s.role}, {"rekey", s.rekey},
          {"connection", s.connection},
          {"local", {{"addr", s.local_addr}, {"port", s.local_port}, {"id", s.local_id}}},
          {"remote", {{"addr", s.remote_addr}, {"port", s.remote_port}, {"id", s.remote_id}}},
          {"nat", {{"local", s.nat_local}, {"remote", s.nat_remote}}},
          {"spi_i", hex64(s.spi_i)}, {"spi_r", hex64(s.spi_r)}, {"encr", s.encr}, {"integ", s.integ},
          {"prf", s.prf}, {"dh_group", s.dh_group}, {"auth", s.auth}, {"established_s", s.established_s},
          {"lifetime_left_s", s.lifetime_left_s}, {"child_sas", children}};
}

// Certificate authentication (auth = pubkey) over the credentials of `cfg`; the
// daemon's load_settings already refused a configuration whose files do not load.
void add_pubkey_authenticator(sa::IkeResponder& engine, const std::shared_ptr<const config::Config>& cfg) {
  if (auto pk = sa::PubkeyAuthenticator::load(cfg))
    engine.add_authenticator(std::move(*pk));
  else
    for (const auto& e : pk.error()) log::error(Subsys::cfg, "{}", e);
}

std::optional<std::uint64_t> id_arg(const nlohmann::json& args) {
  if (!args.is_object() || !args.contains("id")) return std::nullopt;
  const auto& v = args["id"];
  if (v.is_number_unsigned()) return v.get<std::uint64_t>();
  if (v.is_string()) {
    try {
      return std::stoull(v.get<std::string>());
    } catch (...) {
      return std::nullopt;
    }
  }
  return std::nullopt;
}

}  // namespace

IkeSaResponder::IkeSaResponder(ResponderContext& ctx) : ctx_(ctx) {
  ctx_.commands.add("sa list", "IKE and Child SAs", [this](const nlohmann::json&) -> CommandResult { return sa_list(); });
  ctx_.commands.add("sa show", "one IKE SA (args: id)", [this](const nlohmann::json& args) -> CommandResult {
    const auto id = id_arg(args);
    if (!id) return unexpected(std::string("sa show: argument id required"));
    const nlohmann::json list = sa_list();  // a named object: the loop must not outlive it
    for (const auto& s : list["ike_sas"])
      if (s["id"] == *id) return s;
    return unexpected(fmt::format("sa show: no IKE SA {}", *id));
  });
  ctx_.commands.add("sa terminate", "delete one IKE SA (args: id)", [this](const nlohmann::json& args) -> CommandResult {
    const auto id = id_arg(args);
    if (!id || !engine_) return unexpected(std::string("sa terminate: argument id required"));
    if (!engine_->has_ike_sa(*id)) return unexpected(fmt::format("sa terminate: no IKE SA {}", *id));
    run(engine_->terminate(*id, clock_.now()), false);
    return nlohmann::json{{"terminated", *id}};
  });
}

IkeSaResponder::~IkeSaResponder() {
  if (timer_ != 0) ctx_.loop.cancel_timer(timer_);
  if (event_fd_ >= 0) ctx_.loop.remove_fd(event_fd_);
  if (dataplane_) [[maybe_unused]] auto r = dataplane_->flush_owned();  // clean shutdown: nothing stays installed
}

void IkeSaResponder::on_config(const RuntimeSettings& settings) {
  if (!settings.config) return;
  if (engine_) {  // reload: matching SAs stay, the others are deleted (engine.h)
    run(engine_->reload(settings.config, clock_.now()), false);
    add_pubkey_authenticator(*engine_, settings.config);  // credentials of the new config
    return;
  }
  if (settings.dataplane == Dataplane::none) {
    dataplane_ = std::make_unique<kernel::none::NoneIpsec>([](std::string_view w) { log::warn(Subsys::knl, "{}", w); });
  } else {
    auto x = kernel::xfrm::XfrmIpsec::open();
    if (!x) {
      log::error(Subsys::knl, "XFRM backend: {}; IKE requests are not answered", x.error().message);
      return;
    }
    dataplane_ = std::move(*x);
    // SAs and policies a crashed run left behind (owned reqid range only).
    if (auto n = dataplane_->flush_owned(); n && *n > 0)
      log::info(Subsys::knl, "removed {} stale SAs/policies of a previous run", *n);
  }
  // Kernel expire/acquire events (XFRM multicast; none for dataplane = none).
  dataplane_->set_event_handler(kernel::IpsecEventHandler{
      .on_expire = [this](const kernel::ExpireEvent& ev) {
        if (engine_) run(engine_->child_expired(ev.sa.spi, ev.hard, clock_.now()), false);
      },
      .on_acquire = [this](const kernel::AcquireEvent&) {
        if (engine_) engine_->acquire_ignored();
      }});
  if (const int fd = dataplane_->event_fd(); fd >= 0) {
    if (auto r = ctx_.loop.add_fd(fd, EPOLLIN, [this](std::uint32_t) { dataplane_->dispatch_events(); }); !r)
      log::warn(Subsys::knl, "kernel events not watched: {}", r.error());
    else
      event_fd_ = fd;
  }
  sa::Options o;
  o.log = [](std::string_view line) { log::info(Subsys::ike, "{}", line); };
  o.warn = [](std::string_view line) { log::warn(Subsys::ike, "{}", line); };
  engine_ = std::make_unique<sa::IkeResponder>(settings.config, rng_, *dataplane_, std::move(o));
  add_pubkey_authenticator(*engine_, settings.config);
  arm_timer();
}

void IkeSaResponder::arm_timer() {
  timer_ = ctx_.loop.add_timer(kTimerPeriod, [this] {
    if (engine_) run(engine_->on_timer(clock_.now()), false);
    arm_timer();
  });
}

void IkeSaResponder::on_datagram(const Datagram& d) {
  // Counted by exchange type as CountingResponder did, whatever the engine does.
  ++received_;
  auto h = ike::parse_header(d.bytes);
  if (h) {
    ++by_exchange_[ike::to_string(h->exchange)];
  } else {
    ++undecodable_;
  }
  if (!engine_) return;
  if (h && ctx_.xdp && h->exchange == ike::ExchangeType::kInformational && h->response())
    ctx_.xdp->outstanding_remove(h->spi_i, h->spi_r, h->message_id);
  sa::Datagram in{.local = to_sa(d.local), .remote = to_sa(d.remote), .bytes = d.bytes};
  auto out = engine_->handle(in, clock_.now());
  std::optional<Inflight> inflight;
  // XDP's inflight map covers IKE_SA_INIT retransmits only (verdict order, DESIGN.md);
  // IKE_AUTH and CREATE_CHILD_SA jobs are guarded by the engine's own window.
  if (out.job && ctx_.xdp && h && h->exchange == ike::ExchangeType::kIkeSaInit) {
    inflight = Inflight{d.remote, h->spi_i};
    ctx_.xdp->inflight_set(inflight->peer, inflight->spi_i);
  }
  run(std::move(out), d.nat_t, inflight);
}

void IkeSaResponder::run(sa::Output out, bool nat_t, std::optional<Inflight> inflight) {
  for (auto& s : out.send) {
    // Our INFORMATIONAL requests (DELETE): the XDP filter lets their response pass.
    if (ctx_.xdp)
      if (auto h = ike::parse_header(s.bytes); h && h->exchange == ike::ExchangeType::kInformational && !h->response())
        ctx_.xdp->outstanding_add(h->spi_i, h->spi_r, h->message_id);
    Datagram d{.local = from_sa(s.local), .remote = from_sa(s.remote), .nat_t = nat_t || s.local.port == 4500,
               .ifindex = 0, .bytes = std::move(s.bytes)};
    // Refused at once (no socket, too large); what the kernel refuses when the
    // listener flushes its batch is counted in sockets.send_errors.
    if (auto r = ctx_.sender.send(d); !r) {
      ++send_errors_;
      log::warn(Subsys::net, "sending to {}: {}", d.remote.to_string(), r.error());
    }
  }
  // Our requests answered or given up: their responses need not pass XDP any more.
  if (ctx_.xdp)
    for (const auto& k : out.requests_done) ctx_.xdp->outstanding_remove(k.spi_i, k.spi_r, k.mid);
  if (shutdown_done_ && engine_ && engine_->deleting_count() == 0) std::exchange(shutdown_done_, nullptr)();
  if (!out.job) return;
  // IKE_SA_INIT's DH and key derivation on a worker; the answer on the loop thread.
  auto job = std::make_shared<std::unique_ptr<sa::ComputeJob>>(std::move(out.job));
  // The answer is handed to the sender (or the job dropped) before `inflight` is
  // cleared; the listener sends it when this loop iteration ends, and a retransmit
  // that passes XDP in between gets the engine's cached response.
  auto done = [this, job, nat_t, inflight] {
    run(engine_->complete(std::move(*job), clock_.now()), nat_t);
    if (inflight && ctx_.xdp) ctx_.xdp->inflight_clear(inflight->peer, inflight->spi_i);
  };
  const bool submitted = ctx_.workers.submit([job, done]() -> WorkerPool::Completion {
    (*job)->run();
    return done;
  });
  if (!submitted) {
    ++jobs_dropped_;  // completing an unrun job releases its half-open slot
    done();
  }
}

bool IkeSaResponder::shutdown(std::function<void()> done) {
  if (!engine_) return false;
  run(engine_->shutdown(clock_.now()), false);  // DELETE to every peer, retransmitted by the timer
  if (engine_->deleting_count() == 0) return false;
  shutdown_done_ = std::move(done);
  return true;
}

nlohmann::json IkeSaResponder::sa_list() const {
  auto list = nlohmann::json::array();
  if (engine_)
    for (const auto& s : engine_->snapshot(clock_.now())) list.push_back(to_json(s));
  return {{"ike_sas", list}};
}

nlohmann::json IkeSaResponder::stats() const {
  nlohmann::json j = nlohmann::json::object();
  nlohmann::json sa = nlohmann::json::object();
  if (engine_)
    for (const auto& [k, v] : engine_->stats().named()) sa[k] = v;
  j["received"] = received_;
  j["undecodable"] = undecodable_;
  j["by_exchange"] = by_exchange_;
  j["sa"] = sa;
  j["ike_sas"] = engine_ ? engine_->ike_sa_count() : 0;
  j["half_open"] = engine_ ? engine_->half_open_count() : 0;
  j["jobs_dropped"] = jobs_dropped_;
  j["send_errors"] = send_errors_;
  return j;
}

ResponderFactory ike_sa_responder_factory() {
  return [](ResponderContext& ctx) -> std::unique_ptr<Responder> { return std::make_unique<IkeSaResponder>(ctx); };
}

}  // namespace answerd::daemon
