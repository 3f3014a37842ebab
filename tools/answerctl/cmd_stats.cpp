// `answerctl stats show`: the XDP filter's global counters, summed over CPUs, from
// the pinned maps (works with the daemon stopped). JSON:
//   {"xdp":{one field per counter of ANSWER_COUNTER_NAMES, "dropped", "passed",
//     "bytes","first_seen_ns","last_seen_ns","peers","per_cpu":[{counters...}]}}
// and the daemon's own counters over the control socket as "daemon"; either half
// may be missing (daemon stopped, XDP never loaded), not both.
#include <iostream>
#include <optional>
#include <string>

#include "command.h"
#include "daemon/control_client.h"
#include "daemon_request.h"
#include "kernel/xdp/xdp_maps.h"

namespace answerd::ctl {
namespace {

namespace xdp = answerd::kernel::xdp;
using nlohmann::json;

constexpr std::string_view kHelp =
    "Usage: answerctl stats show\n"
    "       show    global XDP counters (summed over CPUs; -j adds per-CPU values)\n"
    "               and the daemon's counters when it runs\n";

json counters_json(const answer_stats& s) {
  json j = json::object();
  std::uint64_t dropped = 0, passed = 0;
  for (int i = 0; i < ANSWER_CNT_MAX; ++i) {
    const std::uint64_t v = xdp::counter(s, static_cast<answer_counter>(i));
    j[std::string(xdp::kCounterNames[i])] = v;
    (i < ANSWER_CNT_FIRST_PASS ? dropped : passed) += v;
  }
  j["dropped"] = dropped;
  j["passed"] = passed;
  j["bytes"] = s.bytes;
  j["first_seen_ns"] = s.first_seen_ns;
  j["last_seen_ns"] = s.last_seen_ns;
  return j;
}

// The XDP half from the pinned maps, or nullopt with *err set.
std::optional<json> xdp_stats(const Context& ctx, std::string* err) {
  auto maps = xdp::XdpMaps::open_pinned(ctx.bpffs);
  if (!maps) return *err = maps.error().message, std::nullopt;
  auto per_cpu = maps->global_per_cpu();
  if (!per_cpu) return *err = per_cpu.error().message, std::nullopt;
  auto peers = maps->peers();
  if (!peers) return *err = peers.error().message, std::nullopt;
  json x = counters_json(xdp::sum_stats(*per_cpu));
  x["peers"] = peers->size();
  json cpus = json::array();
  for (const auto& c : *per_cpu) cpus.push_back(counters_json(c));
  x["per_cpu"] = cpus;
  return x;
}

void print_xdp(const json& x) {
  std::cout << "xdp: " << x["passed"].get<std::uint64_t>() << " passed, "
            << x["dropped"].get<std::uint64_t>() << " dropped, " << x["bytes"].get<std::uint64_t>()
            << " bytes, " << x["peers"].get<std::uint64_t>() << " peers\n\tpass:";
  for (int i = ANSWER_CNT_FIRST_PASS; i < ANSWER_CNT_MAX; ++i)
    std::cout << ' ' << xdp::kCounterNames[i] << ' '
              << x[std::string(xdp::kCounterNames[i])].get<std::uint64_t>();
  std::cout << "\n\tdrop:";
  for (int i = 0; i < ANSWER_CNT_FIRST_PASS; ++i)
    std::cout << ' ' << xdp::kCounterNames[i] << ' '
              << x[std::string(xdp::kCounterNames[i])].get<std::uint64_t>();
  std::cout << '\n';
}

// Either half may be missing (no XDP program ever loaded, daemon stopped); only
// both missing is an error.
int show(Context& ctx) {
  std::string xdp_err;
  auto x = xdp_stats(ctx, &xdp_err);
  auto d = answerd::daemon::control_request(ctx.socket_path, "stats show");
  if (!x && !d) return fail(ctx, xdp_err + "; " + d.error().message);
  if (ctx.json) {
    json doc = json::object();
    if (x) doc["xdp"] = *x;
    if (d) doc["daemon"] = *d;
    print_json(ctx, doc);
    return kExitOk;
  }
  if (x)
    print_xdp(*x);
  else
    std::cout << "xdp: " << xdp_err << '\n';
  if (d) {
    std::cout << "daemon:\n";
    print_plain(*d, 2);
  } else {
    std::cout << "daemon: " << d.error().message << '\n';
  }
  return kExitOk;
}

int run(Context& ctx, std::span<const std::string> args) {
  static constexpr std::string_view kNames[] = {"show", "help"};
  const std::string word = args.empty() ? "show" : args[0];
  auto cmd = match_command(word, kNames);
  if (!cmd || args.size() > 1)
    return fail(ctx, "unknown command '" + word + "'\n" + std::string(kHelp), kExitUsage);
  if (*cmd == "help") {
    std::cout << kHelp;
    return kExitOk;
  }
  return show(ctx);
}

}  // namespace

ObjectSpec stats_object() { return {.name = "stats", .help = kHelp, .run = run}; }

}  // namespace answerd::ctl
