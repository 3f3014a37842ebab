// `answerctl stats show`: the XDP filter's global counters, summed over CPUs, from
// the pinned maps (works with the daemon stopped). JSON:
//   {"xdp":{one field per counter of ANSWER_COUNTER_NAMES, "dropped", "passed",
//     "bytes","first_seen_ns","last_seen_ns","peers","per_cpu":[{counters...}]}}
// The daemon's own statistics (control socket) are added beside "xdp" by the daemon
// side of answerctl.
#include <iostream>
#include <string>

#include "command.h"
#include "kernel/xdp/xdp_maps.h"

namespace answerd::ctl {
namespace {

namespace xdp = answerd::kernel::xdp;
using nlohmann::json;

constexpr std::string_view kHelp =
    "Usage: answerctl stats show\n"
    "       show    global XDP counters (summed over CPUs; -j adds per-CPU values)\n";

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

int show(Context& ctx) {
  auto maps = xdp::XdpMaps::open_pinned(ctx.bpffs);
  if (!maps) return fail(ctx, maps.error().message);
  auto per_cpu = maps->global_per_cpu();
  if (!per_cpu) return fail(ctx, per_cpu.error().message);
  auto peers = maps->peers();
  if (!peers) return fail(ctx, peers.error().message);
  json x = counters_json(xdp::sum_stats(*per_cpu));
  x["peers"] = peers->size();
  if (ctx.json) {
    json cpus = json::array();
    for (const auto& c : *per_cpu) cpus.push_back(counters_json(c));
    x["per_cpu"] = cpus;
    print_json(ctx, {{"xdp", x}});
    return kExitOk;
  }
  std::cout << "xdp: " << x["passed"].get<std::uint64_t>() << " passed, "
            << x["dropped"].get<std::uint64_t>() << " dropped, " << x["bytes"].get<std::uint64_t>()
            << " bytes, " << peers->size() << " peers\n\tpass:";
  for (int i = ANSWER_CNT_FIRST_PASS; i < ANSWER_CNT_MAX; ++i)
    std::cout << ' ' << xdp::kCounterNames[i] << ' '
              << x[std::string(xdp::kCounterNames[i])].get<std::uint64_t>();
  std::cout << "\n\tdrop:";
  for (int i = 0; i < ANSWER_CNT_FIRST_PASS; ++i)
    std::cout << ' ' << xdp::kCounterNames[i] << ' '
              << x[std::string(xdp::kCounterNames[i])].get<std::uint64_t>();
  std::cout << '\n';
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
