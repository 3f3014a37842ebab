// xfrm_tool: drives the XFRM backend (kernel/xfrm) from the command line, for the
// VM scenarios. Every change goes through XfrmIpsec, so a scenario that carries
// traffic over what xfrm_tool installed tests the backend end to end.
//
//   xfrm_tool probe
//   xfrm_tool spi SRC DST REQID                        ALLOCSPI, prints the SPI
//   xfrm_tool sa add|upd SRC DST SPI REQID ALG KEY [IKEY] [options]
//   xfrm_tool sa del|get SRC DST SPI [--mark V/M]      get prints "bytes B packets P"
//   xfrm_tool policy add|del SRCNET DSTNET in|out|fwd [TSRC TDST REQID] [options]
//   xfrm_tool tunnel up|down LOCAL REMOTE LNET RNET SPI_OUT SPI_IN REQID ALG
//                 KEY_OUT KEY_IN [IKEY_OUT IKEY_IN] [options]
//                 both SAs and the out/in/fwd policies of one gateway
//   xfrm_tool flush                                    flush_owned(), prints the count
//   xfrm_tool events SECONDS                           prints owned expires/acquires
// ALG: aes128gcm16 aes256gcm16 chacha20poly1305 aes128-sha256 aes256-sha384
//      aes256-sha512 aes128-sha1. KEY: hex (AEAD keys include the 4-byte salt).
// options: --mode tunnel|transport --esn --replay N --encap SPORT:DPORT
//          --if-id N --mark V/M --soft-packets N --hard-packets N --hard-seconds N
//          --update-in 1 (tunnel up: the inbound SPI was allocated with `spi`, UPDSA)
#include <arpa/inet.h>
#include <poll.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>
#include <vector>

#include "kernel/xfrm/xfrm_ipsec.h"

namespace x = answerd::kernel;
using answerd::ike::EncrId;
using answerd::ike::IntegId;

namespace {

[[noreturn]] void die(const std::string& m) {
  std::fprintf(stderr, "xfrm_tool: %s\n", m.c_str());
  std::exit(1);
}

struct Args {
  std::vector<std::string> pos;
  std::map<std::string, std::string> opt;
  [[nodiscard]] bool has(const std::string& k) const { return opt.count(k) != 0; }
  [[nodiscard]] std::uint64_t num(const std::string& k, std::uint64_t def) const {
    auto it = opt.find(k);
    return it == opt.end() ? def : std::strtoull(it->second.c_str(), nullptr, 0);
  }
};

Args parse_args(int argc, char** argv) {
  Args a;
  for (int i = 1; i < argc; ++i) {
    std::string s = argv[i];
    if (s.rfind("--", 0) == 0) {
      if (s == "--esn") a.opt[s] = "1";
      else if (i + 1 < argc) a.opt[s] = argv[++i];
      else die("missing value for " + s);
    } else {
      a.pos.push_back(s);
    }
  }
  return a;
}

x::IpAddress addr(const std::string& t) {
  x::IpAddress a{};
  if (inet_pton(AF_INET, t.c_str(), a.bytes.data()) == 1) a.family = 4;
  else if (inet_pton(AF_INET6, t.c_str(), a.bytes.data()) == 1) a.family = 6;
  else die("bad address " + t);
  return a;
}

x::Prefix prefix(const std::string& t) {
  const auto slash = t.find('/');
  x::Prefix p{.addr = addr(t.substr(0, slash)), .len = 0};
  p.len = static_cast<std::uint8_t>(slash == std::string::npos ? (p.addr.family == 6 ? 128 : 32)
                                                               : std::stoi(t.substr(slash + 1)));
  return p;
}

std::vector<std::uint8_t> hex(const std::string& t) {
  std::string h = t.rfind("0x", 0) == 0 ? t.substr(2) : t;
  if (h.size() % 2 != 0) die("odd-length hex key");
  std::vector<std::uint8_t> v;
  for (std::size_t i = 0; i < h.size(); i += 2)
    v.push_back(static_cast<std::uint8_t>(std::stoul(h.substr(i, 2), nullptr, 16)));
  return v;
}

struct Alg {
  EncrId encr;
  std::uint16_t bits;
  IntegId integ;
};

Alg alg(const std::string& n) {
  static const std::map<std::string, Alg> t{
      {"aes128gcm16", {EncrId::kAesGcm16, 128, IntegId::kNone}},
      {"aes256gcm16", {EncrId::kAesGcm16, 256, IntegId::kNone}},
      {"chacha20poly1305", {EncrId::kChacha20Poly1305, 256, IntegId::kNone}},
      {"aes128-sha256", {EncrId::kAesCbc, 128, IntegId::kHmacSha2_256_128}},
      {"aes256-sha384", {EncrId::kAesCbc, 256, IntegId::kHmacSha2_384_192}},
      {"aes256-sha512", {EncrId::kAesCbc, 256, IntegId::kHmacSha2_512_256}},
      {"aes128-sha1", {EncrId::kAesCbc, 128, IntegId::kHmacSha1_96}},
  };
  auto it = t.find(n);
  if (it == t.end()) die("unknown algorithm " + n);
  return it->second;
}

x::Mark mark(const Args& a) {
  auto it = a.opt.find("--mark");
  if (it == a.opt.end()) return {};
  const auto slash = it->second.find('/');
  return {.value = static_cast<std::uint32_t>(std::stoul(it->second.substr(0, slash), nullptr, 0)),
          .mask = slash == std::string::npos
                      ? 0xffffffffu
                      : static_cast<std::uint32_t>(std::stoul(it->second.substr(slash + 1), nullptr, 0))};
}

x::IpsecMode mode(const Args& a) {
  auto it = a.opt.find("--mode");
  return it != a.opt.end() && it->second == "transport" ? x::IpsecMode::kTransport
                                                        : x::IpsecMode::kTunnel;
}

x::SaId sa_id(const Args& a, const std::string& src, const std::string& dst, const std::string& spi) {
  return {.src = addr(src), .dst = addr(dst),
          .spi = answerd::ike::EspSpi(static_cast<std::uint32_t>(std::stoul(spi, nullptr, 0))),
          .mark = mark(a), .if_id = static_cast<std::uint32_t>(a.num("--if-id", 0))};
}

// SaData with key spans into `keys` (which must outlive it).
x::SaData sa_data(const Args& a, std::uint32_t reqid, const Alg& al, const std::vector<std::uint8_t>& key,
                  const std::vector<std::uint8_t>& ikey, bool inbound) {
  x::SaData d{.reqid = answerd::ike::Reqid(reqid),
              .mode = mode(a),
              .encr = {.id = al.encr, .key_bits = al.encr == EncrId::kChacha20Poly1305 ? std::uint16_t{0} : al.bits, .key = key},
              .integ = {.id = al.integ, .key = ikey},
              .esn = a.has("--esn"),
              .replay_window = inbound ? static_cast<std::uint32_t>(a.num("--replay", 64)) : 0,
              .soft = {.packets = a.num("--soft-packets", 0)},
              .hard = {.packets = a.num("--hard-packets", 0), .seconds = a.num("--hard-seconds", 0)},
              .inbound = inbound};
  if (auto it = a.opt.find("--encap"); it != a.opt.end()) {
    const auto c = it->second.find(':');
    d.encap = x::UdpEncap{.src_port = static_cast<std::uint16_t>(std::stoul(it->second.substr(0, c))),
                          .dst_port = static_cast<std::uint16_t>(std::stoul(it->second.substr(c + 1)))};
  }
  return d;
}

template <class R>
void check(const R& r, const std::string& what) {
  if (!r) die(what + ": " + r.error().message);
}

void need(const Args& a, std::size_t n) {
  if (a.pos.size() < n) die("not enough arguments (see the comment at the top of xfrm_tool.cpp)");
}

int cmd_tunnel(x::KernelIpsec& k, const Args& a) {
  // tunnel up|down LOCAL REMOTE LNET RNET SPI_OUT SPI_IN REQID ALG KEY_OUT KEY_IN [IKEY_OUT IKEY_IN]
  need(a, 12);
  const bool up = a.pos[1] == "up";
  const std::string &l = a.pos[2], &r = a.pos[3];
  const auto reqid = static_cast<std::uint32_t>(std::stoul(a.pos[8], nullptr, 0));
  const x::SaId out = sa_id(a, l, r, a.pos[6]), in = sa_id(a, r, l, a.pos[7]);
  const x::Selector ls{.src = prefix(a.pos[4]), .dst = prefix(a.pos[5])};
  const x::Selector rs{.src = ls.dst, .dst = ls.src};
  const auto if_id = static_cast<std::uint32_t>(a.num("--if-id", 0));
  const x::PolicyId pout{.sel = ls, .dir = x::PolicyDir::kOut, .mark = mark(a), .if_id = if_id};
  const x::PolicyId pin{.sel = rs, .dir = x::PolicyDir::kIn, .mark = mark(a), .if_id = if_id};
  const x::PolicyId pfwd{.sel = rs, .dir = x::PolicyDir::kFwd, .mark = mark(a), .if_id = if_id};
  if (!up) {
    check(k.del_policy(pout), "del out policy");
    check(k.del_policy(pin), "del in policy");
    check(k.del_policy(pfwd), "del fwd policy");
    check(k.del_sa(out), "del outbound SA");
    check(k.del_sa(in), "del inbound SA");
    return 0;
  }
  const Alg al = alg(a.pos[9]);
  const auto kout = hex(a.pos[10]), kin = hex(a.pos[11]);
  std::vector<std::uint8_t> iout, iin;
  if (al.integ != IntegId::kNone) {
    need(a, 14);
    iout = hex(a.pos[12]);
    iin = hex(a.pos[13]);
  }
  check(k.add_sa(out, sa_data(a, reqid, al, kout, iout, false)), "add outbound SA");
  auto din = sa_data(a, reqid, al, kin, iin, true);
  din.update = a.has("--update-in");  // SPI_IN came from `xfrm_tool spi`: fill the larval SA
  check(k.add_sa(in, din), "add inbound SA");
  const x::SaTemplate to_peer{.src = addr(l), .dst = addr(r), .reqid = answerd::ike::Reqid(reqid), .mode = mode(a)};
  const x::SaTemplate from_peer{.src = addr(r), .dst = addr(l), .reqid = answerd::ike::Reqid(reqid), .mode = mode(a)};
  check(k.add_policy(pout, {.sa = to_peer}), "add out policy");
  check(k.add_policy(pin, {.sa = from_peer}), "add in policy");
  check(k.add_policy(pfwd, {.sa = from_peer}), "add fwd policy");
  return 0;
}

int cmd_sa(x::KernelIpsec& k, const Args& a) {
  need(a, 5);
  const auto id = sa_id(a, a.pos[2], a.pos[3], a.pos[4]);
  const std::string& op = a.pos[1];
  if (op == "del") {
    check(k.del_sa(id), "del SA");
  } else if (op == "get") {
    auto st = k.query_sa(id);
    check(st, "get SA");
    std::printf("bytes %llu packets %llu\n", static_cast<unsigned long long>(st->bytes),
                static_cast<unsigned long long>(st->packets));
  } else if (op == "add" || op == "upd") {
    need(a, 8);
    const Alg al = alg(a.pos[6]);
    const auto key = hex(a.pos[7]);
    const auto ikey = a.pos.size() > 8 ? hex(a.pos[8]) : std::vector<std::uint8_t>{};
    auto d = sa_data(a, static_cast<std::uint32_t>(std::stoul(a.pos[5], nullptr, 0)), al, key, ikey, true);
    d.update = op == "upd";
    check(k.add_sa(id, d), "add SA");
  } else {
    die("unknown sa command " + op);
  }
  return 0;
}

int cmd_policy(x::KernelIpsec& k, const Args& a) {
  need(a, 5);
  const std::string& d = a.pos[4];
  const x::PolicyId id{.sel = {.src = prefix(a.pos[2]), .dst = prefix(a.pos[3])},
                       .dir = d == "in" ? x::PolicyDir::kIn : d == "fwd" ? x::PolicyDir::kFwd : x::PolicyDir::kOut,
                       .mark = mark(a), .if_id = static_cast<std::uint32_t>(a.num("--if-id", 0))};
  if (a.pos[1] == "del") {
    check(k.del_policy(id), "del policy");
    return 0;
  }
  need(a, 8);
  check(k.add_policy(id, {.sa = {.src = addr(a.pos[5]), .dst = addr(a.pos[6]),
                                 .reqid = answerd::ike::Reqid(static_cast<std::uint32_t>(std::stoul(a.pos[7], nullptr, 0))),
                                 .mode = mode(a)}}),
        "add policy");
  return 0;
}

int cmd_events(x::xfrm::XfrmIpsec& k, const Args& a) {
  need(a, 2);
  k.set_event_handler({.on_expire = [](const x::ExpireEvent& e) {
                         std::printf("expire %s spi 0x%08x reqid 0x%08x\n", e.hard ? "hard" : "soft",
                                     e.sa.spi.value(), e.reqid.value());
                         std::fflush(stdout);
                       },
                       .on_acquire = [](const x::AcquireEvent& e) {
                         std::printf("acquire reqid 0x%08x\n", e.reqid.value());
                         std::fflush(stdout);
                       }});
  const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(std::stoi(a.pos[1]));
  while (std::chrono::steady_clock::now() < end) {
    pollfd p{.fd = k.event_fd(), .events = POLLIN, .revents = 0};
    if (poll(&p, 1, 100) > 0) k.dispatch_events();
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const Args a = parse_args(argc, argv);
  need(a, 1);
  const std::string& cmd = a.pos[0];
  if (cmd == "probe") {
    auto k = x::xfrm::XfrmIpsec::open();
    if (!k) die(k.error().message);
    const auto& c = (*k)->capabilities();
    std::printf("esp yes\nencr");
    for (auto e : c.encr) std::printf(" %u", static_cast<unsigned>(e));
    std::printf("\ninteg");
    for (auto i : c.integ) std::printf(" %u", static_cast<unsigned>(i));
    std::printf("\nxfrm_interfaces %s\n", c.xfrm_interfaces ? "yes" : "no");
    return 0;
  }
  auto k = x::xfrm::XfrmIpsec::open_unprobed();
  if (!k) die(k.error().message);
  if (cmd == "tunnel") return cmd_tunnel(**k, a);
  if (cmd == "sa") return cmd_sa(**k, a);
  if (cmd == "policy") return cmd_policy(**k, a);
  if (cmd == "events") return cmd_events(**k, a);
  if (cmd == "spi") {
    need(a, 4);
    auto spi = (*k)->alloc_spi(addr(a.pos[1]), addr(a.pos[2]),
                               answerd::ike::Reqid(static_cast<std::uint32_t>(std::stoul(a.pos[3], nullptr, 0))));
    check(spi, "ALLOCSPI");
    std::printf("0x%08x\n", spi->value());
    return 0;
  }
  if (cmd == "flush") {
    auto n = (*k)->flush_owned();
    check(n, "flush");
    std::printf("%zu\n", *n);
    return 0;
  }
  die("unknown command " + cmd);
}
