// Config summary for --check-config (describe.h).
#include "config/describe.h"

#include "config/values.h"

namespace answerd::config {
namespace {

std::string join_addrs(const std::vector<AddressRange>& l) {
  std::string out;
  std::string last;
  for (const auto& r : l) {
    if (r.text == last) continue;  // %any is two ranges with one text
    out += (out.empty() ? "" : ", ") + r.text;
    last = r.text;
  }
  return out;
}

std::string join_ts(const std::vector<TrafficSelector>& l) {
  std::string out;
  std::string last;
  for (const auto& t : l) {
    if (t.text == last) continue;
    out += (out.empty() ? "" : ", ") + t.text;
    last = t.text;
  }
  return out;
}

void describe_child(std::string& out, const Child& ch) {
  out += "    " + ch.name + ": " + std::string(to_string(ch.mode)) + ", " + join_ts(ch.local_ts) + " === " +
         join_ts(ch.remote_ts) + ", life " + duration_to_string(ch.life_time) + " (soft " +
         duration_to_string(ch.rekey_time) + ")\n";
  out += "      esp: " + to_keyword(ch.esp_proposals) + "\n";
}

}  // namespace

std::string describe(const Config& cfg) {
  std::string out;
  for (const auto& c : cfg.connections) {
    out += c.name + ": IKEv2, local " + join_addrs(c.local_addrs) + ", remote " + join_addrs(c.remote_addrs) +
           ", unique " + std::string(to_string(c.unique)) + "\n";
    out += "  proposals: " + to_keyword(c.proposals) + "\n";
    out += "  lifetimes: AUTH_LIFETIME " + duration_to_string(c.auth_lifetime()) + ", hard " +
           duration_to_string(c.hard_lifetime()) + "\n";
    for (const auto& r : c.local) out += "  local " + std::string(to_string(r.auth)) + " '" + r.id.text + "'\n";
    for (const auto& r : c.remote) out += "  remote " + std::string(to_string(r.auth)) + " '" + r.id.text + "'\n";
    if (c.if_id_in)
      out += "  if_id " + (c.if_id_in->unique ? std::string("%unique") : std::to_string(c.if_id_in->value)) + "\n";
    for (const auto& ch : c.children) describe_child(out, ch);
  }
  out += "secrets: " + std::to_string(cfg.secrets.size()) + "\n";
  const DaemonSettings& d = cfg.daemon;
  out += "dataplane " + std::string(to_string(d.dataplane)) + ", control socket " + d.control_socket.string() +
         ", bpffs " + d.bpffs.string() + "\n";
  if (!d.xdp.interfaces.empty()) {
    std::string ifs;
    for (const auto& i : d.xdp.interfaces) ifs += (ifs.empty() ? "" : ", ") + i;
    out += "xdp " + std::string(to_string(d.xdp.mode)) + " on " + ifs + ", init " + std::to_string(d.xdp.init_rate) +
           "/s burst " + std::to_string(d.xdp.init_burst) + "\n";
  }
  return out;
}

}  // namespace answerd::config
