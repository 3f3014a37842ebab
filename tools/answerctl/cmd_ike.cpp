// `answerctl ike decode (--hex HEX | --pcap FILE)`: decodes IKEv2 messages with the
// answerd codec (ike/wire) and prints them compactly (a header line, then one line
// per payload, like tshark's IKE dissector) or, with -j, as JSON:
//   {"messages":[{"exchange","initiator","response","spi_i","spi_r","message_id",
//     "length","payloads":[{"type","critical",...}], and for --pcap "frame","time",
//     "source","destination","natt"; "error" when the datagram does not decode}]}
// Rendering first, then the command.
#include <arpa/inet.h>
#include <sys/socket.h>

#include <cstdio>
#include <ctime>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "capture/capture.h"
#include "command.h"
#include "ike/wire/message.h"
#include "ike/wire/names.h"

namespace answerd::ctl {
namespace {

std::string to_hex(std::span<const std::uint8_t> b);

using namespace answerd::ike;
using nlohmann::json;

std::string spi_hex(IkeSpi s) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(s.value()));
  return buf;
}

std::string addr(std::span<const std::uint8_t> a) {
  char buf[INET6_ADDRSTRLEN] = {};
  if (a.size() == 4 && inet_ntop(AF_INET, a.data(), buf, sizeof buf)) return buf;
  if (a.size() == 16 && inet_ntop(AF_INET6, a.data(), buf, sizeof buf)) return buf;
  return to_hex(a);
}

bool printable(std::span<const std::uint8_t> b) {
  for (auto c : b)
    if (c < 0x20 || c > 0x7e) return false;
  return true;
}

// The identity as an operator reads it: address, name, or hex.
std::string id_value(const IdPayload& id) {
  switch (id.id_type) {
    case IdType::kIpv4Addr:
    case IdType::kIpv6Addr: return addr(id.data);
    case IdType::kFqdn:
    case IdType::kRfc822Addr:
    case IdType::kKeyId:
      if (printable(id.data)) return std::string(id.data.begin(), id.data.end());
      return to_hex(id.data);
    default: return to_hex(id.data);
  }
}

json transform_json(const Transform& t) {
  json j{{"type", to_string(t.type)}, {"id", t.id}, {"name", transform_name(t.type, t.id)}};
  if (auto k = t.key_length()) j["key_length"] = *k;
  return j;
}

std::string transform_text(const Transform& t) {
  std::string s = to_string(t.type) + "=" + transform_name(t.type, t.id);
  if (auto k = t.key_length()) s += "/" + std::to_string(*k);
  return s;
}

json selector_json(const TrafficSelector& ts) {
  json j{{"ts_type", to_string(ts.ts_type)}, {"ip_protocol", ts.ip_protocol}};
  if (!ts.raw.empty() || (ts.ts_type != TsType::kIpv4AddrRange && ts.ts_type != TsType::kIpv6AddrRange)) {
    j["data"] = to_hex(ts.raw);
    return j;
  }
  j["start_port"] = ts.start_port;
  j["end_port"] = ts.end_port;
  j["start_addr"] = addr(ts.start_addr);
  j["end_addr"] = addr(ts.end_addr);
  return j;
}

std::string selector_text(const TrafficSelector& ts) {
  if (ts.ts_type != TsType::kIpv4AddrRange && ts.ts_type != TsType::kIpv6AddrRange)
    return to_string(ts.ts_type) + " " + to_hex(ts.raw);
  std::string s = addr(ts.start_addr) + "-" + addr(ts.end_addr);
  s += " proto " + std::to_string(ts.ip_protocol);
  s += " ports " + std::to_string(ts.start_port) + "-" + std::to_string(ts.end_port);
  return s;
}

// Per-payload JSON fields and one-line text, by body type.
struct Render {
  json& j;
  std::string& t;

  void operator()(const SaPayload& sa) {
    json props = json::array();
    for (const auto& p : sa.proposals) {
      json tr = json::array();
      t += " #" + std::to_string(p.number) + " " + to_string(p.protocol);
      if (!p.spi.empty()) t += " spi=" + to_hex(p.spi);
      for (const auto& x : p.transforms) {
        tr.push_back(transform_json(x));
        t += " " + transform_text(x);
      }
      t += ";";
      props.push_back({{"number", p.number}, {"protocol", to_string(p.protocol)}, {"spi", to_hex(p.spi)},
                       {"transforms", tr}});
    }
    if (!t.empty() && t.back() == ';') t.pop_back();
    j["proposals"] = props;
  }
  void operator()(const KePayload& ke) {
    j["group"] = to_string(ke.group);
    j["group_id"] = static_cast<unsigned>(ke.group);
    j["length"] = ke.data.size();
    t += " " + to_string(ke.group) + ", " + std::to_string(ke.data.size()) + " bytes";
  }
  void operator()(const IdPayload& id) {
    j["id_type"] = to_string(id.id_type);
    j["id"] = id_value(id);
    t += " " + to_string(id.id_type) + " " + id_value(id);
  }
  void operator()(const CertPayload& c) {
    j["encoding"] = to_string(c.encoding);
    j["length"] = c.data.size();
    t += " " + to_string(c.encoding) + ", " + std::to_string(c.data.size()) + " bytes";
  }
  void operator()(const AuthPayload& a) {
    j["method"] = to_string(a.method);
    j["length"] = a.data.size();
    t += " " + to_string(a.method) + ", " + std::to_string(a.data.size()) + " bytes";
  }
  void operator()(const NoncePayload& n) {
    j["length"] = n.data.size();
    j["data"] = to_hex(n.data);
    t += " " + std::to_string(n.data.size()) + " bytes";
  }
  void operator()(const NotifyPayload& n) {
    j["name"] = to_string(n.type);
    j["notify_type"] = static_cast<unsigned>(n.type);
    j["protocol"] = n.protocol;
    j["spi"] = to_hex(n.spi);
    j["data"] = to_hex(n.data);
    t += "(" + to_string(n.type) + ")";
    if (!n.spi.empty()) t += " spi=" + to_hex(n.spi);
    if (!n.data.empty()) t += " data=" + to_hex(n.data);
  }
  void operator()(const DeletePayload& d) {
    json spis = json::array();
    t += " " + to_string(d.protocol);
    for (const auto& s : d.spis) {
      spis.push_back(to_hex(s));
      t += " " + to_hex(s);
    }
    j["protocol"] = to_string(d.protocol);
    j["spis"] = spis;
  }
  void operator()(const VendorIdPayload& v) {
    j["data"] = to_hex(v.data);
    t += " " + to_hex(v.data);
  }
  void operator()(const TsPayload& ts) {
    json sel = json::array();
    for (std::size_t i = 0; i < ts.selectors.size(); ++i) {
      sel.push_back(selector_json(ts.selectors[i]));
      t += (i ? ", " : " ") + selector_text(ts.selectors[i]);
    }
    j["selectors"] = sel;
  }
  void operator()(const SkPayload& sk) {
    j["first_payload"] = to_string(sk.first_inner);
    j["length"] = sk.encrypted.size();
    t += " (encrypted, " + std::to_string(sk.encrypted.size()) + " bytes, first payload " +
         to_string(sk.first_inner) + ")";
  }
  void operator()(const SkfPayload& f) {
    j["first_payload"] = to_string(f.first_inner);
    j["fragment_number"] = f.fragment_number;
    j["total_fragments"] = f.total_fragments;
    j["length"] = f.encrypted.size();
    t += " (encrypted fragment " + std::to_string(f.fragment_number) + "/" + std::to_string(f.total_fragments) +
         ", " + std::to_string(f.encrypted.size()) + " bytes, first payload " + to_string(f.first_inner) + ")";
  }
  void operator()(const CpPayload& cp) {
    json attrs = json::array();
    t += " " + to_string(cp.cfg_type);
    for (const auto& a : cp.attributes) {
      const auto name = to_string(static_cast<CfgAttr>(a.type));
      attrs.push_back({{"type", name}, {"value", to_hex(a.value)}});
      t += " " + name + (a.value.empty() ? "" : "=" + to_hex(a.value));
    }
    j["cfg_type"] = to_string(cp.cfg_type);
    j["attributes"] = attrs;
  }
  void operator()(const EapPayload& e) {
    j["code"] = e.code();
    j["identifier"] = e.identifier();
    j["eap_type"] = e.eap_type();
    j["length"] = e.message.size();
    t += " code " + std::to_string(e.code()) + " id " + std::to_string(e.identifier()) + " type " +
         std::to_string(e.eap_type()) + ", " + std::to_string(e.message.size()) + " bytes";
  }
  void operator()(const UnknownPayload& u) {
    j["length"] = u.body.size();
    j["data"] = to_hex(u.body);
    t += " (unknown, " + std::to_string(u.body.size()) + " bytes)";
  }
};

std::string exchange_line(const Header& h) {
  std::string s = to_string(h.exchange) + (h.response() ? " response" : " request");
  s += h.initiator() ? " I" : " R";
  s += " spi_i=" + spi_hex(h.spi_i) + " spi_r=" + spi_hex(h.spi_r);
  s += " msgid=" + std::to_string(h.message_id.value()) + " length=" + std::to_string(h.length);
  return s;
}


std::string to_hex(std::span<const std::uint8_t> b) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string s;
  s.reserve(b.size() * 2);
  for (auto c : b) {
    s.push_back(kDigits[c >> 4]);
    s.push_back(kDigits[c & 15]);
  }
  return s;
}

std::string format_ike_text(const Message& m) {
  std::string out = exchange_line(m.header) + "\n";
  for (const auto& p : m.payloads) {
    json ignored;
    std::string line = "  " + to_string(p.type) + (p.critical ? " [critical]" : "");
    std::visit(Render{ignored, line}, p.body);
    out += line + "\n";
  }
  return out;
}

json format_ike_json(const Message& m) {
  const Header& h = m.header;
  json payloads = json::array();
  for (const auto& p : m.payloads) {
    json j{{"type", to_string(p.type)}, {"critical", p.critical}};
    std::string ignored;
    std::visit(Render{j, ignored}, p.body);
    payloads.push_back(std::move(j));
  }
  return json{{"exchange", to_string(h.exchange)},
              {"initiator", h.initiator()},
              {"response", h.response()},
              {"spi_i", spi_hex(h.spi_i)},
              {"spi_r", spi_hex(h.spi_r)},
              {"message_id", h.message_id.value()},
              {"length", h.length},
              {"payloads", payloads}};
}

// ---- the command -------------------------------------------------------------

constexpr std::string_view kHelp =
    "Usage: answerctl ike decode { --hex HEX | --pcap FILE }\n"
    "       HEX := the IKE message (UDP payload, no non-ESP marker) in hex;\n"
    "              spaces, colons and a leading 0x are ignored\n"
    "       FILE := pcap or pcapng capture; IKE on UDP 500 and 4500 is decoded\n";

std::optional<Bytes> parse_hex(std::string_view s) {
  if (s.starts_with("0x") || s.starts_with("0X")) s.remove_prefix(2);
  Bytes out;
  int half = -1;
  for (char c : s) {
    if (c == ' ' || c == ':' || c == '\n' || c == '\t') continue;
    int v = -1;
    if (c >= '0' && c <= '9') v = c - '0';
    if (c >= 'a' && c <= 'f') v = c - 'a' + 10;
    if (c >= 'A' && c <= 'F') v = c - 'A' + 10;
    if (v < 0) return std::nullopt;
    if (half < 0) {
      half = v;
    } else {
      out.push_back(static_cast<std::uint8_t>(half << 4 | v));
      half = -1;
    }
  }
  if (half >= 0) return std::nullopt;
  return out;
}

std::string iso_time(std::int64_t us) {
  const std::time_t secs = static_cast<std::time_t>(us / 1000000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(us % 1000000));
  return buf;
}

std::string endpoint(const std::string& a, int family, std::uint16_t port) {
  return (family == AF_INET6 ? "[" + a + "]" : a) + ":" + std::to_string(port);
}

int decode_hex(const Context& ctx, std::string_view hex) {
  auto bytes = parse_hex(hex);
  if (!bytes) return fail(ctx, "ike decode: --hex needs an even number of hex digits");
  auto m = parse_message(*bytes);
  if (!m) return fail(ctx, "ike decode: " + m.error().to_string());
  if (ctx.json)
    print_json(ctx, json{{"messages", json::array({format_ike_json(*m)})}});
  else
    std::cout << format_ike_text(*m);
  return kExitOk;
}

int decode_pcap(const Context& ctx, const std::string& path) {
  capture::CaptureStats stats;
  auto datagrams = capture::read_ike_datagrams(path, &stats);
  if (!datagrams) return fail(ctx, "ike decode: " + datagrams.error());
  json messages = json::array();
  int rc = kExitOk;
  for (const auto& d : *datagrams) {
    const std::string src = endpoint(d.src_addr(), d.family, d.src_port);
    const std::string dst = endpoint(d.dst_addr(), d.family, d.dst_port);
    auto m = parse_message(d.ike);
    json j = m ? format_ike_json(*m) : json{{"error", m.error().to_string()}};
    j["frame"] = d.frame;
    j["time"] = iso_time(d.time_us);
    j["source"] = src;
    j["destination"] = dst;
    j["natt"] = d.natt;
    if (!m) rc = kExitError;
    if (ctx.json) {
      messages.push_back(std::move(j));
      continue;
    }
    std::cout << "#" << d.frame << " " << iso_time(d.time_us) << " " << src << " -> " << dst
              << (d.natt ? " (NAT-T)" : "") << "\n";
    if (m)
      std::cout << format_ike_text(*m);
    else
      std::cout << "  decode error: " << m.error().to_string() << "\n";
  }
  if (ctx.json) print_json(ctx, json{{"messages", messages}});
  if (rc != kExitOk) std::cerr << "answerctl: ike decode: some datagrams did not decode\n";
  return rc;
}

int run_decode(const Context& ctx, std::span<const std::string> args) {
  std::optional<std::string> hex, pcap;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if ((a == "--hex" || a == "--pcap") && i + 1 >= args.size())
      return fail(ctx, "ike decode: " + a + " needs an argument", kExitUsage);
    if (a == "--hex") {
      hex = args[++i];
    } else if (a == "--pcap") {
      pcap = args[++i];
    } else {
      return fail(ctx, "ike decode: unexpected argument '" + a + "'", kExitUsage);
    }
  }
  if (hex.has_value() == pcap.has_value())
    return fail(ctx, "ike decode: give exactly one of --hex HEX or --pcap FILE", kExitUsage);
  return hex ? decode_hex(ctx, *hex) : decode_pcap(ctx, *pcap);
}

int run(Context& ctx, std::span<const std::string> args) {
  static constexpr std::string_view kCommands[] = {"decode", "help"};
  if (args.empty()) {
    std::cerr << kHelp;
    return kExitUsage;
  }
  auto cmd = match_command(args[0], kCommands);
  if (!cmd) return fail(ctx, "ike: unknown command '" + args[0] + "'", kExitUsage);
  if (*cmd == "help") {
    std::cout << kHelp;
    return kExitOk;
  }
  return run_decode(ctx, args.subspan(1));
}

}  // namespace

ObjectSpec ike_object() { return ObjectSpec{"ike", kHelp, run}; }

}  // namespace answerd::ctl
