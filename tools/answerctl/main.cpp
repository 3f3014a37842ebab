// answerctl: bpftool-style CLI over answerd's pinned BPF maps and its control socket.
//   answerctl [OPTIONS] OBJECT { COMMAND | help }
// This file parses the global options (CLI11) and dispatches to the object modules
// (cmd_<object>.cpp) with bpftool's prefix matching.
#include <CLI/CLI.hpp>

#include <array>
#include <iostream>
#include <string>
#include <vector>

#include "command.h"

namespace {

using answerd::ctl::Context;
using answerd::ctl::ObjectSpec;

// Table order decides abbreviations (first prefix match wins, as in bpftool).
std::vector<ObjectSpec> objects() {
  return {
      answerd::ctl::sa_object(),
      answerd::ctl::conn_object(),
      answerd::ctl::peer_object(),
      answerd::ctl::stats_object(),
      answerd::ctl::xdp_object(),
      answerd::ctl::ike_object(),
      answerd::ctl::daemon_object(),
  };
}

void print_usage(std::ostream& os, const std::vector<ObjectSpec>& objs) {
  os << "Usage: answerctl [OPTIONS] OBJECT { COMMAND | help }\n"
        "       answerctl help\n"
        "       answerctl version\n"
        "       OBJECT := {";
  for (std::size_t i = 0; i < objs.size(); ++i) os << (i ? " | " : " ") << objs[i].name;
  os << " }\n"
        "       OPTIONS := { {-j|--json} [{-p|--pretty}] | --socket PATH | --bpffs DIR }\n";
}

}  // namespace

int main(int argc, char** argv) {
  Context ctx;
  CLI::App app{"answerctl: inspect and control answerd"};
  app.set_help_flag();  // `answerctl help` and `-h` are handled below, in grammar notation
  bool help = false;
  app.add_flag("-h,--help", help);
  app.add_flag("-j,--json", ctx.json);
  app.add_flag("-p,--pretty", ctx.pretty);
  app.add_option("--socket", ctx.socket_path);
  app.add_option("--bpffs", ctx.bpffs);
  // Global options may stand anywhere (`answerctl sa list -j`); every other word,
  // options of the object's command included, is left in order for the dispatcher.
  app.allow_extras();
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return answerd::ctl::fail(ctx, e.what(), answerd::ctl::kExitUsage);
  }
  if (ctx.pretty) ctx.json = true;

  const auto objs = objects();
  std::vector<std::string> words = app.remaining();
  if (help || words.empty() || words[0] == "help") {
    print_usage(std::cout, objs);
    return help || !words.empty() ? answerd::ctl::kExitOk : answerd::ctl::kExitUsage;
  }
  if (words[0] == "version") {
    if (ctx.json)
      answerd::ctl::print_json(ctx, {{"version", ANSWERD_VERSION}});
    else
      std::cout << "answerctl " << ANSWERD_VERSION << '\n';
    return answerd::ctl::kExitOk;
  }
  std::vector<std::string_view> names;
  for (const auto& o : objs) names.push_back(o.name);
  auto which = answerd::ctl::match_command(words[0], names);
  if (!which) {
    print_usage(std::cerr, objs);
    return answerd::ctl::fail(ctx, "unknown object '" + words[0] + "'", answerd::ctl::kExitUsage);
  }
  for (const auto& o : objs) {
    if (o.name != *which) continue;
    std::span<const std::string> args(words.data() + 1, words.size() - 1);
    if (!args.empty() && args[0] == "help") {
      std::cout << o.help;
      return answerd::ctl::kExitOk;
    }
    return o.run(ctx, args);
  }
  return answerd::ctl::kExitError;
}
