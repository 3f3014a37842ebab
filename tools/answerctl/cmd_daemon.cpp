// `answerctl daemon {status | reload}` and `answerctl conn list`: views of the
// daemon's own state over the control socket.
#include <array>
#include <iostream>

#include "command.h"
#include "daemon_request.h"

namespace answerd::ctl {
namespace {

constexpr std::string_view kDaemonHelp =
    "Usage: answerctl daemon { status | reload }\n"
    "       status  pid, version, uptime, dataplane, configuration, XDP state\n"
    "       reload  re-read the configuration (as SIGHUP); established SAs stay\n";

constexpr std::string_view kConnHelp =
    "Usage: answerctl conn list\n"
    "       list    the connections the daemon has loaded\n";

int forward(Context& ctx, std::string_view command) {
  int rc = kExitOk;
  auto result = daemon_request(ctx, command, nlohmann::json::object(), &rc);
  if (!result) return rc;
  if (ctx.json)
    print_json(ctx, *result);
  else
    print_plain(*result);
  return kExitOk;
}

int run_daemon(Context& ctx, std::span<const std::string> args) {
  static constexpr std::array<std::string_view, 2> kCmds{"status", "reload"};
  auto cmd = match_command(args.empty() ? "status" : args[0], kCmds);
  if (!cmd || args.size() > 1) return fail(ctx, "usage: answerctl daemon { status | reload }", kExitUsage);
  return forward(ctx, *cmd == "status" ? "daemon status" : "daemon reload");
}

int run_conn(Context& ctx, std::span<const std::string> args) {
  static constexpr std::array<std::string_view, 1> kCmds{"list"};
  auto cmd = match_command(args.empty() ? "list" : args[0], kCmds);
  if (!cmd || args.size() > 1) return fail(ctx, "usage: answerctl conn list", kExitUsage);
  return forward(ctx, "conn list");
}

}  // namespace

ObjectSpec daemon_object() { return {"daemon", kDaemonHelp, run_daemon}; }
ObjectSpec conn_object() { return {"conn", kConnHelp, run_conn}; }

}  // namespace answerd::ctl
