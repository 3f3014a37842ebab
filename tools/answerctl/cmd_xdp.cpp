// `answerctl xdp status | attach DEV [mode native|generic] | detach DEV`: the XDP
// filter's attachments, which are bpf_links pinned under <bpffs>/v<N>/links/ (see
// userspace/kernel/xdp/xdp_program.h). attach loads the program itself (maps
// reused from the pins) and leaves the pinned link behind; a running or later
// started daemon re-adopts it. JSON of status:
//   {"bpffs","layout_version","maps_pinned","links":[{"dev","ifindex","link_id",
//     "prog_id","mode"}]}
#include <bpf/libbpf.h>
#include <linux/if_link.h>

#include <iostream>
#include <string>

#include "command.h"
#include "kernel/xdp/bpffs.h"
#include "kernel/xdp/xdp_program.h"

namespace answerd::ctl {
namespace {

namespace xdp = answerd::kernel::xdp;
using nlohmann::json;

constexpr std::string_view kHelp =
    "Usage: answerctl xdp { status | attach DEV [mode { native | generic }] | detach DEV }\n"
    "       status  interfaces with answerd's XDP filter attached (pinned links)\n"
    "       attach  load the filter and attach it to DEV (default mode native)\n"
    "       detach  detach the filter from DEV and remove its pinned link\n";

// The mode the kernel reports for the device's XDP program.
std::string mode_of(std::uint32_t ifindex) {
  bpf_xdp_query_opts q{};
  q.sz = sizeof q;
  if (::bpf_xdp_query(static_cast<int>(ifindex), 0, &q) != 0) return "unknown";
  switch (q.attach_mode) {
    case XDP_ATTACHED_DRV: return "native";
    case XDP_ATTACHED_SKB: return "generic";
    case XDP_ATTACHED_HW: return "offload";
    case XDP_ATTACHED_MULTI: return "multi";
    case XDP_ATTACHED_NONE: return "none";
    default: return "unknown";
  }
}

int status(Context& ctx) {
  auto links = xdp::XdpProgram::status(ctx.bpffs);
  if (!links) return fail(ctx, links.error().message);
  const bool maps_pinned = xdp::XdpMaps::open_pinned(ctx.bpffs).has_value();
  json list = json::array();
  for (const auto& l : *links)
    list.push_back({{"dev", l.ifname},
                    {"ifindex", l.ifindex},
                    {"link_id", l.link_id},
                    {"prog_id", l.prog_id},
                    {"mode", mode_of(l.ifindex)}});
  if (ctx.json) {
    print_json(ctx, {{"bpffs", xdp::pin_dir(ctx.bpffs)},
                     {"layout_version", ANSWER_XDP_LAYOUT_VERSION},
                     {"maps_pinned", maps_pinned},
                     {"links", list}});
    return kExitOk;
  }
  std::cout << "bpffs " << xdp::pin_dir(ctx.bpffs) << ": maps "
            << (maps_pinned ? "pinned" : "not pinned") << '\n';
  if (list.empty()) std::cout << "not attached to any interface\n";
  for (const auto& l : list)
    std::cout << l["dev"].get<std::string>() << "(" << l["ifindex"].get<std::uint32_t>()
              << ")  mode " << l["mode"].get<std::string>() << "  link "
              << l["link_id"].get<std::uint32_t>() << "  prog "
              << l["prog_id"].get<std::uint32_t>() << '\n';
  return kExitOk;
}

int attach(Context& ctx, std::span<const std::string> args) {
  if (args.empty() || (args.size() != 1 && args.size() != 3))
    return fail(ctx, std::string(kHelp), kExitUsage);
  xdp::AttachMode mode = xdp::AttachMode::kNative;
  if (args.size() == 3) {
    static constexpr std::string_view kMode[] = {"mode"};
    static constexpr std::string_view kModes[] = {"native", "generic"};
    auto m = match_command(args[2], kModes);
    if (!match_command(args[1], kMode) || !m) return fail(ctx, std::string(kHelp), kExitUsage);
    mode = *m == "native" ? xdp::AttachMode::kNative : xdp::AttachMode::kGeneric;
  }
  auto prog = xdp::XdpProgram::load({.bpffs = ctx.bpffs});
  if (!prog) return fail(ctx, prog.error().message);
  if (auto ok = prog->attach(args[0], mode); !ok) return fail(ctx, ok.error().message);
  if (ctx.json)
    print_json(ctx, {{"attached", args[0]}});
  else
    std::cout << "attached to " << args[0] << '\n';
  return kExitOk;
}

int detach(Context& ctx, std::span<const std::string> args) {
  if (args.size() != 1) return fail(ctx, std::string(kHelp), kExitUsage);
  if (auto ok = xdp::XdpProgram::detach_pinned(ctx.bpffs, args[0]); !ok)
    return fail(ctx, ok.error().message);
  if (ctx.json)
    print_json(ctx, {{"detached", args[0]}});
  else
    std::cout << "detached from " << args[0] << '\n';
  return kExitOk;
}

int run(Context& ctx, std::span<const std::string> args) {
  static constexpr std::string_view kNames[] = {"status", "attach", "detach", "help"};
  const std::string word = args.empty() ? "status" : args[0];
  auto cmd = match_command(word, kNames);
  if (!cmd) return fail(ctx, "unknown command '" + word + "'\n" + std::string(kHelp), kExitUsage);
  auto rest = args.empty() ? args : args.subspan(1);
  if (*cmd == "help") {
    std::cout << kHelp;
    return kExitOk;
  }
  if (*cmd == "status") return rest.empty() ? status(ctx) : fail(ctx, std::string(kHelp), kExitUsage);
  return *cmd == "attach" ? attach(ctx, rest) : detach(ctx, rest);
}

}  // namespace

ObjectSpec xdp_object() { return {.name = "xdp", .help = kHelp, .run = run}; }

}  // namespace answerd::ctl
