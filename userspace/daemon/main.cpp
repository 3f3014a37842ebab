// answerd: the responder-only IKEv2 daemon (DESIGN.md "Command lines").
//   answerd -c FILE [--foreground] [--log-level LEVEL] [--control-socket PATH]
//   answerd --check-config -c FILE
// answerd never forks: it runs in the foreground under systemd (Type=notify) or a
// shell; --foreground is accepted for the documented grammar.
#include "daemon/config_adapter.h"
#include "daemon/daemon.h"
#ifdef ANSWERD_HAVE_SA_ENGINE
#include "daemon/ike_responder.h"
#endif
#include "log/log.h"

#include <CLI/CLI.hpp>

#include <cstdio>
#include <string_view>

int main(int argc, char** argv) {
  using namespace answerd;
  CLI::App app{"answerd: responder-only IKEv2 gateway"};
  std::string config_file, log_level, control_socket;
  bool foreground = false, check = false;
  app.add_option("-c,--config", config_file, "configuration file (swanctl.conf syntax)")->required();
  app.add_flag("--foreground", foreground, "run in the foreground (answerd never forks)");
  app.add_option("--log-level", log_level,
                 "LEVEL or LEVEL,SUBSYS=LEVEL,...: error warn info debug trace; "
                 "subsystems ike cfg net knl xdp ctl dmn (overrides the configuration)");
  app.add_option("--control-socket", control_socket, "control socket path (overrides the configuration)");
  app.add_flag("--check-config", check, "validate the configuration and exit");
  app.set_version_flag("--version", ANSWERD_VERSION);
  CLI11_PARSE(app, argc, argv);

  if (check) return daemon::check_config(config_file);

  daemon::DaemonOptions opts;
  opts.config_file = config_file;
  if (!log_level.empty()) {
    if (auto err = log::apply_spec(log_level)) {
      std::fprintf(stderr, "answerd: --log-level: %s\n", err->c_str());
      return 2;
    }
    opts.log_spec = log_level;
  }
  if (!control_socket.empty()) opts.control_socket = control_socket;
#ifdef ANSWERD_HAVE_SA_ENGINE
  auto d = daemon::Daemon::start(std::move(opts), daemon::load_settings, daemon::ike_sa_responder_factory());
#else
  auto d = daemon::Daemon::start(std::move(opts), daemon::load_settings);  // CountingResponder
#endif
  if (!d) {
    // One log line per line of the reason (config errors come one per line).
    std::string_view why = d.error();
    while (!why.empty()) {
      auto nl = why.find('\n');
      log::error(log::Subsys::dmn, "cannot start: {}", why.substr(0, nl));
      why = nl == std::string_view::npos ? std::string_view{} : why.substr(nl + 1);
    }
    return 1;
  }
  return (*d)->run();
}
