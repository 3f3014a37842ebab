// `answerctl sa {list | show ID | terminate ID}`: the daemon's IKE and Child SAs.
// JSON is the daemon's answer as DESIGN.md fixes it ({"ike_sas":[...]}); plain `list`
// is a table with the columns of Cisco's `show crypto isakmp sa detail`, each IKE SA
// followed by its Child SAs.
#include <array>
#include <charconv>
#include <cstdio>
#include <iostream>
#include <string>

#include "command.h"
#include "daemon_request.h"

namespace answerd::ctl {
namespace {

using nlohmann::json;

constexpr std::string_view kHelp =
    "Usage: answerctl sa { list | show ID | terminate ID }\n"
    "       list          IKE SAs with their Child SAs (peer, role, rekey, state, algorithms, lifetime left)\n"
    "       show ID       one IKE SA in full\n"
    "       terminate ID  delete the IKE SA and its Child SAs, telling the peer\n";

std::string str(const json& j, const char* key) {
  if (!j.is_object() || !j.contains(key)) return "-";
  const json& v = j.at(key);
  if (v.is_string()) return v.get<std::string>().empty() ? "-" : v.get<std::string>();
  if (v.is_boolean()) return v.get<bool>() ? "yes" : "no";
  if (v.is_null()) return "-";
  return v.dump();
}

std::string endpoint(const json& side) {
  return str(side, "addr") + ":" + str(side, "port");
}

std::string joined(const json& v) {
  if (!v.is_array()) return v.is_string() ? v.get<std::string>() : "-";
  std::string out;
  for (const auto& e : v) out += (out.empty() ? "" : ",") + (e.is_string() ? e.get<std::string>() : e.dump());
  return out.empty() ? "-" : out;
}

void print_table(const json& doc) {
  const json& sas = doc.contains("ike_sas") ? doc.at("ike_sas") : json::array();
  std::printf("%-6s %-24s %-9s %-5s %-12s %-18s %-26s %-12s %-6s %s\n", "ID", "PEER", "ROLE", "REKEY",
              "STATE", "ENCR", "INTEG/PRF", "DH", "AUTH", "LIFE-LEFT");
  for (const auto& sa : sas) {
    const std::string integ_prf = str(sa, "integ") + "/" + str(sa, "prf");
    std::printf("%-6s %-24s %-9s %-5s %-12s %-18s %-26s %-12s %-6s %ss\n", str(sa, "id").c_str(),
                endpoint(sa.value("remote", json::object())).c_str(), str(sa, "role").c_str(),
                str(sa, "rekey").c_str(), str(sa, "state").c_str(), str(sa, "encr").c_str(),
                integ_prf.c_str(), str(sa, "dh_group").c_str(), str(sa, "auth").c_str(),
                str(sa, "lifetime_left_s").c_str());
    const json nat = sa.value("nat", json::object());
    const std::string behind_nat = nat.value("local", false) && nat.value("remote", false) ? "both sides"
                                   : nat.value("local", false)                             ? "local"
                                   : nat.value("remote", false)                            ? "remote"
                                                                                           : "none";
    std::printf("       local %s id %s, remote id %s, spi %s/%s, up %ss, NAT %s\n",
                endpoint(sa.value("local", json::object())).c_str(),
                str(sa.value("local", json::object()), "id").c_str(),
                str(sa.value("remote", json::object()), "id").c_str(), str(sa, "spi_i").c_str(),
                str(sa, "spi_r").c_str(), str(sa, "established_s").c_str(), behind_nat.c_str());
    for (const auto& c : sa.value("child_sas", json::array())) {
      std::printf("       child %s %s %s %s === %s spi in %s out %s %s/%s PFS %s, %s/%s bytes in/out, life-left %ss\n",
                  str(c, "name").c_str(), str(c, "state").c_str(), str(c, "mode").c_str(),
                  joined(c.value("local_ts", json())).c_str(), joined(c.value("remote_ts", json())).c_str(),
                  str(c, "spi_in").c_str(), str(c, "spi_out").c_str(), str(c, "encr").c_str(),
                  str(c, "integ").c_str(), str(c, "dh_group").c_str(), str(c, "bytes_in").c_str(), str(c, "bytes_out").c_str(),
                  str(c, "lifetime_left_s").c_str());
    }
  }
  if (sas.empty()) std::printf("(no IKE SAs)\n");
}

std::optional<std::uint64_t> parse_id(std::string_view s) {
  std::uint64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

int run(Context& ctx, std::span<const std::string> args) {
  static constexpr std::array<std::string_view, 3> kCmds{"list", "show", "terminate"};
  auto cmd = match_command(args.empty() ? "list" : args[0], kCmds);
  if (!cmd) return fail(ctx, "usage: answerctl sa { list | show ID | terminate ID }", kExitUsage);
  int rc = kExitOk;
  if (*cmd == "list") {
    if (args.size() > 1) return fail(ctx, "usage: answerctl sa list", kExitUsage);
    auto r = daemon_request(ctx, "sa list", json::object(), &rc);
    if (!r) return rc;
    if (ctx.json)
      print_json(ctx, *r);
    else
      print_table(*r);
    return kExitOk;
  }
  if (args.size() != 2) return fail(ctx, "usage: answerctl sa " + std::string(*cmd) + " ID", kExitUsage);
  auto id = parse_id(args[1]);
  if (!id) return fail(ctx, "invalid IKE SA id '" + args[1] + "': expected a number from `sa list`", kExitUsage);
  auto r = daemon_request(ctx, "sa " + std::string(*cmd), json{{"id", *id}}, &rc);
  if (!r) return rc;
  if (ctx.json)
    print_json(ctx, *r);
  else if (*cmd == "show")
    print_plain(*r);
  else
    std::cout << "IKE SA " << *id << " terminated\n";
  return kExitOk;
}

}  // namespace

ObjectSpec sa_object() { return {"sa", kHelp, run}; }

}  // namespace answerd::ctl
