// `answerctl peer show [ADDR]` and `answerctl peer reset [ADDR]`: the XDP filter's
// per-peer counters, read from the pinned maps (works with the daemon stopped).
// JSON (DESIGN.md): {"peers":[{"addr", one field per counter of
// ANSWER_COUNTER_NAMES, "bytes", "first_seen_ns", "last_seen_ns"}]}; times are
// CLOCK_MONOTONIC nanoseconds as the BPF program stamps them.
#include <algorithm>
#include <cstring>
#include <ctime>
#include <iostream>
#include <string>
#include <vector>

#include "command.h"
#include "kernel/xdp/peer_addr.h"
#include "kernel/xdp/xdp_maps.h"

namespace answerd::ctl {
namespace {

namespace xdp = answerd::kernel::xdp;
using nlohmann::json;

constexpr std::string_view kHelp =
    "Usage: answerctl peer { show | reset } [ADDR]\n"
    "       show    per-peer XDP counters (all peers, or ADDR)\n"
    "       reset   forget the counters of ADDR, or of every peer\n";

std::uint64_t monotonic_ns() {
  timespec ts{};
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<std::uint64_t>(ts.tv_sec) * 1000000000ULL +
         static_cast<std::uint64_t>(ts.tv_nsec);
}

std::string ago(std::uint64_t ns, std::uint64_t now) {
  if (ns == 0) return "never";
  const double s = now > ns ? static_cast<double>(now - ns) / 1e9 : 0.0;
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1fs ago", s);
  return buf;
}

json peer_json(const xdp::PeerStats& p) {
  json j{{"addr", xdp::format_addr(p.addr)}};
  for (int i = 0; i < ANSWER_CNT_MAX; ++i)
    j[std::string(xdp::kCounterNames[i])] = xdp::counter(p.stats, static_cast<answer_counter>(i));
  j["bytes"] = p.stats.bytes;
  j["first_seen_ns"] = p.stats.first_seen_ns;
  j["last_seen_ns"] = p.stats.last_seen_ns;
  return j;
}

void print_peer(const xdp::PeerStats& p, std::uint64_t now) {
  std::cout << xdp::format_addr(p.addr) << "  bytes " << p.stats.bytes << "  first seen "
            << ago(p.stats.first_seen_ns, now) << "  last seen " << ago(p.stats.last_seen_ns, now)
            << "\n\tpass:";
  for (int i = ANSWER_CNT_FIRST_PASS; i < ANSWER_CNT_MAX; ++i)
    std::cout << ' ' << xdp::kCounterNames[i] << ' '
              << xdp::counter(p.stats, static_cast<answer_counter>(i));
  std::cout << "\n\tdrop:";
  for (int i = 0; i < ANSWER_CNT_FIRST_PASS; ++i)
    std::cout << ' ' << xdp::kCounterNames[i] << ' '
              << xdp::counter(p.stats, static_cast<answer_counter>(i));
  std::cout << '\n';
}

int show(Context& ctx, xdp::XdpMaps& maps, std::span<const std::string> args) {
  std::vector<xdp::PeerStats> peers;
  if (!args.empty()) {
    auto a = xdp::parse_addr(args[0]);
    if (!a) return fail(ctx, a.error().message, kExitUsage);
    auto p = maps.peer(*a);
    if (!p) return fail(ctx, p.error().message);
    if (!*p) return fail(ctx, "no XDP counters for " + args[0]);
    peers.push_back({.addr = *a, .stats = **p});
  } else {
    auto all = maps.peers();
    if (!all) return fail(ctx, all.error().message);
    peers = std::move(*all);
    std::sort(peers.begin(), peers.end(), [](const auto& x, const auto& y) {
      return std::memcmp(x.addr.addr, y.addr.addr, sizeof x.addr.addr) < 0;
    });
  }
  if (ctx.json) {
    json list = json::array();
    for (const auto& p : peers) list.push_back(peer_json(p));
    print_json(ctx, {{"peers", list}});
    return kExitOk;
  }
  const std::uint64_t now = monotonic_ns();
  for (const auto& p : peers) print_peer(p, now);
  return kExitOk;
}

int reset(Context& ctx, xdp::XdpMaps& maps, std::span<const std::string> args) {
  std::size_t n = 0;
  if (!args.empty()) {
    auto a = xdp::parse_addr(args[0]);
    if (!a) return fail(ctx, a.error().message, kExitUsage);
    auto r = maps.reset_peer(*a);
    if (!r) return fail(ctx, r.error().message);
    if (!*r) return fail(ctx, "no XDP counters for " + args[0]);
    n = 1;
  } else {
    auto r = maps.reset_peers();
    if (!r) return fail(ctx, r.error().message);
    n = *r;
  }
  if (ctx.json)
    print_json(ctx, {{"reset", n}});
  else
    std::cout << "reset the counters of " << n << (n == 1 ? " peer\n" : " peers\n");
  return kExitOk;
}

int run(Context& ctx, std::span<const std::string> args) {
  static constexpr std::string_view kNames[] = {"show", "reset", "help"};
  const std::string word = args.empty() ? "show" : args[0];
  auto cmd = match_command(word, kNames);
  if (!cmd) return fail(ctx, "unknown command '" + word + "'\n" + std::string(kHelp), kExitUsage);
  if (*cmd == "help") {
    std::cout << kHelp;
    return kExitOk;
  }
  auto rest = args.empty() ? args : args.subspan(1);
  if (rest.size() > 1) return fail(ctx, std::string(kHelp), kExitUsage);
  auto maps = xdp::XdpMaps::open_pinned(ctx.bpffs);
  if (!maps) return fail(ctx, maps.error().message);
  return *cmd == "show" ? show(ctx, *maps, rest) : reset(ctx, *maps, rest);
}

}  // namespace

ObjectSpec peer_object() { return {.name = "peer", .help = kHelp, .run = run}; }

}  // namespace answerd::ctl
