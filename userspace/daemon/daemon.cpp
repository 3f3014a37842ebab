// Daemon wiring (see daemon.h).
#include "daemon/daemon.h"

#include "daemon/kernel_probe.h"
#include "daemon/privileges.h"
#include "daemon/sd_notify.h"
#include "daemon/xdp_control.h"
#include "log/log.h"

#include <fmt/format.h>
#include <signal.h>
#include <unistd.h>

#include <thread>

#ifndef ANSWERD_VERSION
#define ANSWERD_VERSION "unknown"
#endif

namespace answerd::daemon {
namespace {

using log::Subsys;
constexpr std::size_t kWorkerQueue = 1024;

std::string join(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& l : lines) out += (out.empty() ? "" : "\n") + l;
  return out;
}

}  // namespace

expected<std::unique_ptr<Daemon>, std::string> Daemon::start(DaemonOptions opts, SettingsLoader loader,
                                                             ResponderFactory responder) {
  std::unique_ptr<Daemon> d(new Daemon(std::move(opts), std::move(loader), std::move(responder)));
  if (auto r = d->open(); !r) return unexpected(r.error());
  return d;
}

void Daemon::apply_overrides(RuntimeSettings& s) const {
  if (opts_.control_socket) s.control_socket = *opts_.control_socket;
  if (opts_.log_spec) s.log_spec = *opts_.log_spec;
}

expected<void, std::string> Daemon::open() {
  started_ = clock_.now();
  auto loop = EventLoop::create(clock_);
  if (!loop) return unexpected(loop.error());
  loop_ = std::move(*loop);
  // Signals first: the worker threads started below inherit the blocked mask.
  ::signal(SIGPIPE, SIG_IGN);
  for (int sig : {SIGTERM, SIGINT}) {
    if (auto r = loop_->add_signal(sig, [this, sig] {
          log::info(Subsys::dmn, "{} received, shutting down", sig == SIGTERM ? "SIGTERM" : "SIGINT");
          sd_notify("STOPPING=1");
          begin_stop();
        });
        !r)
      return unexpected(r.error());
  }
  if (auto r = loop_->add_signal(SIGHUP, [this] { [[maybe_unused]] auto ignored = reload(); }); !r)
    return unexpected(r.error());

  auto loaded = loader_(opts_.config_file);
  if (!loaded) return unexpected(join(loaded.error()));
  settings_ = std::move(*loaded);
  apply_overrides(settings_);
  if (!settings_.log_spec.empty())
    if (auto err = log::apply_spec(settings_.log_spec)) return unexpected(*err);
  for (const auto& w : settings_.warnings) log::warn(Subsys::cfg, "{}", w);

  if (settings_.dataplane == Dataplane::none) {
    log::warn(Subsys::knl, "dataplane = none: negotiated SAs are NOT installed in the kernel, "
                           "no traffic is protected (negotiation only, for tests and benchmarks)");
  } else if (auto probe = probe_xfrm_esp(); !probe) {
    return unexpected(fmt::format("dataplane = xfrm: {}", probe.error()));
  } else {
    log::info(Subsys::knl, "kernel ESP support checked: ESP SAs can be installed");
  }

  if (auto r = open_xdp(); !r) return unexpected(r.error());

  settings_.ike.udp_encap = settings_.dataplane == Dataplane::xfrm;
  auto listener = IkeListener::open(*loop_, settings_.ike);
  if (!listener) return unexpected(listener.error());
  listener_ = std::move(*listener);

  std::size_t threads = settings_.workers != 0 ? settings_.workers : std::thread::hardware_concurrency();
  workers_ = std::make_unique<WorkerPool>(*loop_, threads, kWorkerQueue);

  register_commands();  // before the Responder, which may replace the SA commands
  ResponderContext ctx{*loop_, *workers_, *listener_, registry_, xdp_.get()};
  if (factory_) responder_ = factory_(ctx);
  if (!responder_) responder_ = std::make_unique<CountingResponder>();
  responder_->on_config(settings_);
  listener_->set_responder(responder_.get());
  auto control = ControlServer::open(*loop_, registry_, ControlServerOptions{.path = settings_.control_socket});
  if (!control) return unexpected(control.error());
  control_ = std::move(*control);

  if (opts_.drop_privileges) {
    auto caps = drop_capabilities(capabilities_to_keep({.xfrm = settings_.dataplane == Dataplane::xfrm,
                                                        .xdp = settings_.xdp.enabled()}));
    if (!caps) return unexpected(fmt::format("dropping capabilities: {}", caps.error()));
    capabilities_ = *caps;
    log::info(Subsys::dmn, "capabilities after startup: {}", capabilities_);
  }
  return {};
}

expected<void, std::string> Daemon::open_xdp() {
  if (!settings_.xdp.enabled()) return {};
  auto x = XdpControl::start(settings_.xdp);
  if (!x) return unexpected(x.error());
  xdp_ = std::move(*x);
  return {};
}

nlohmann::json Daemon::xdp_status() const {
  if (xdp_) return xdp_->status();
  return "off";
}

Daemon::~Daemon() {
  control_.reset();  // removes the socket file
  workers_.reset();
  if (listener_) listener_->set_responder(nullptr);
  listener_.reset();
  responder_.reset();
}

void Daemon::begin_stop() {
  if (stopping_ || !responder_) {
    loop_->stop();
    return;
  }
  stopping_ = true;
  if (!responder_->shutdown([this] {
        log::info(Subsys::dmn, "every peer answered our DELETE");
        loop_->stop();
      })) {
    loop_->stop();
    return;
  }
  log::info(Subsys::dmn, "waiting up to {} ms for the peers to answer our DELETEs", opts_.shutdown_grace.count());
  loop_->add_timer(opts_.shutdown_grace, [this] {
    log::warn(Subsys::dmn, "shutdown: not every peer answered our DELETE in time");
    loop_->stop();
  });
}

int Daemon::run() {
  log::info(Subsys::dmn, "answerd {} running (pid {}, dataplane {}, {} connections)", ANSWERD_VERSION,
            ::getpid(), to_string(settings_.dataplane), settings_.connections.size());
  sd_notify(fmt::format("READY=1\nSTATUS=answering, dataplane {}", to_string(settings_.dataplane)));
  loop_->run();
  log::info(Subsys::dmn, "stopped");
  return 0;
}

expected<nlohmann::json, std::string> Daemon::reload() {
  sd_notify_reloading();
  log::info(Subsys::cfg, "reloading {}", opts_.config_file);
  auto loaded = loader_(opts_.config_file);
  if (!loaded) {
    ++reload_failures_;
    for (const auto& e : loaded.error()) log::error(Subsys::cfg, "{}", e);
    log::error(Subsys::cfg, "reload failed: keeping the previous configuration");
    sd_notify("READY=1\nSTATUS=reload failed, previous configuration kept");
    return unexpected(fmt::format("reload failed, previous configuration kept:\n{}", join(loaded.error())));
  }
  RuntimeSettings next = std::move(*loaded);
  apply_overrides(next);
  next.ike.udp_encap = next.dataplane == Dataplane::xfrm;
  for (const auto& w : next.warnings) log::warn(Subsys::cfg, "{}", w);
  // What the running daemon cannot change in place keeps its current value.
  auto restart_needed = [&](bool changed, const char* what) {
    if (changed) log::warn(Subsys::cfg, "{} changed: takes effect after a restart", what);
  };
  restart_needed(next.dataplane != settings_.dataplane, "dataplane");
  restart_needed(next.control_socket != settings_.control_socket, "control_socket");
  restart_needed(next.ike.local_addrs != settings_.ike.local_addrs || next.ike.ike_port != settings_.ike.ike_port ||
                     next.ike.nat_port != settings_.ike.nat_port,
                 "listen addresses/ports");
  restart_needed(!next.xdp.same_attachment(settings_.xdp), "xdp interfaces/mode/bpffs");
  next.dataplane = settings_.dataplane;
  next.control_socket = settings_.control_socket;
  next.ike = settings_.ike;
  next.xdp.interfaces = settings_.xdp.interfaces;
  next.xdp.generic = settings_.xdp.generic;
  next.xdp.bpffs = settings_.xdp.bpffs;
  if (xdp_)
    if (auto r = xdp_->apply(next.xdp); !r) log::error(Subsys::xdp, "reload: {}", r.error());
  next.workers = settings_.workers;
  if (!next.log_spec.empty())
    if (auto err = log::apply_spec(next.log_spec)) log::warn(Subsys::cfg, "log level: {}", *err);
  settings_ = std::move(next);
  if (responder_) responder_->on_config(settings_);
  ++reloads_;
  log::info(Subsys::cfg, "configuration reloaded: {} connections", settings_.connections.size());
  sd_notify("READY=1\nSTATUS=configuration reloaded");
  return nlohmann::json{{"reloaded", true}, {"connections", settings_.connections.size()}};
}

nlohmann::json Daemon::status() const {
  auto listen = nlohmann::json::array();
  if (listener_)
    for (const auto& s : listener_->sockets())
      listen.push_back({{"addr", s.local().addr.to_string()}, {"port", s.local().port}, {"nat_t", s.nat_t()}});
  auto uptime = std::chrono::duration_cast<std::chrono::seconds>(clock_.now() - started_).count();
  nlohmann::json j = {{"pid", ::getpid()},
                      {"version", ANSWERD_VERSION},
                      {"uptime_s", uptime},
                      {"dataplane", to_string(settings_.dataplane)},
                      {"installs_sas", settings_.dataplane == Dataplane::xfrm},
                      {"config_file", opts_.config_file},
                      {"connections", settings_.connections.size()},
                      {"xdp", xdp_status()},
                      {"ike_sa_engine", responder_ && dynamic_cast<const CountingResponder*>(responder_.get()) == nullptr},
                      {"control_socket", settings_.control_socket},
                      {"listen", std::move(listen)},
                      {"workers", workers_ ? workers_->threads() : 0},
                      {"capabilities", capabilities_},
                      {"reloads", reloads_},
                      {"reload_failures", reload_failures_}};
  if (settings_.dataplane == Dataplane::none)
    j["warning"] = "dataplane = none: no SA is installed in the kernel, no traffic is protected";
  return j;
}

nlohmann::json Daemon::stats() const {
  nlohmann::json w = nlohmann::json::object();
  if (workers_) {
    auto s = workers_->stats();
    w = {{"threads", workers_->threads()}, {"submitted", s.submitted}, {"dropped", s.dropped},
         {"completed", s.completed}, {"queued", s.queued}, {"capacity", workers_->capacity()}};
  }
  return {{"daemon",
           {{"sockets", listener_ ? listener_->stats().to_json() : nlohmann::json::object()},
            {"ike", responder_ ? responder_->stats() : nlohmann::json::object()},
            {"workers", std::move(w)},
            {"control", {{"requests", control_ ? control_->requests() : 0},
                         {"clients", control_ ? control_->clients() : 0}}}}}};
}

void Daemon::register_commands() {
  using J = const nlohmann::json&;
  registry_.add("daemon status", "pid, version, uptime, dataplane, configuration",
                [this](J) -> CommandResult { return status(); });
  registry_.add("daemon reload", "re-read the configuration (as SIGHUP)", [this](J) { return reload(); });
  registry_.add("conn list", "loaded connections",
                [this](J) -> CommandResult { return nlohmann::json{{"connections", settings_.connections}}; });
  registry_.add("stats show", "daemon counters (sockets, IKE, workers, control)",
                [this](J) -> CommandResult { return stats(); });
  registry_.add("help", "the commands this daemon answers", [this](J) -> CommandResult { return registry_.describe(); });
  registry_.add_not_implemented("sa list", "IKE and Child SAs");
  registry_.add_not_implemented("sa show", "one IKE SA (args: id)");
  registry_.add_not_implemented("sa terminate", "delete one IKE SA (args: id)");
}

}  // namespace answerd::daemon
