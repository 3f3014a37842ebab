// ns per packet of each XDP verdict path, measured with BPF_PROG_TEST_RUN and a
// large repeat count, beside an empty XDP_PASS program in the same run. Prints a
// Markdown table (for docs/benchmarks.md). Needs root; exits 77 otherwise.
// Usage: answerd_bench_xdp [repeat] (default 1000000).
#include "bpf_env.h"
#include "kernel/xdp/peer_addr.h"
#include "kernel/xdp/xdp_program.h"

#include <bpf/bpf.h>
#include <linux/bpf.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>
#include <vector>

namespace {

using namespace answerd::test;
namespace xdp = answerd::kernel::xdp;

struct Path {
  const char* name;
  Frame frame;
  std::function<void(xdp::XdpMaps&)> setup;
};

// An XDP program that only returns XDP_PASS: r0 = 2; exit.
int load_empty_pass() {
  const bpf_insn insns[] = {
      {.code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .src_reg = 0, .off = 0,
       .imm = XDP_PASS},
      {.code = BPF_JMP | BPF_EXIT, .dst_reg = 0, .src_reg = 0, .off = 0, .imm = 0},
  };
  return ::bpf_prog_load(BPF_PROG_TYPE_XDP, "empty_pass", "GPL", insns, 2, nullptr);
}

constexpr std::uint64_t kSpiR = 0x1112131415161718ULL;
Ike request(std::uint8_t exchange) {
  return Ike{.spi_r = kSpiR, .exchange = exchange, .msg_id = 1, .body = 60};
}

void set_config(xdp::XdpMaps& m, std::uint32_t flags, std::uint32_t rate) {
  auto cfg = xdp::default_config();
  cfg.flags = flags;
  cfg.init_rate = rate;
  cfg.init_burst = ANSWER_MAX_BURST;
  if (!m.set_config(cfg)) std::abort();
}

std::vector<Path> paths() {
  const answer_addr peer = *xdp::parse_addr("192.0.2.10");
  return {
      {"not IKE: UDP port 53", Frame{.dport = 53, .payload = Bytes(100, 0)}, nullptr},
      {"not IKE: ESP (IP proto 50)", Frame{.l4 = 50, .payload = Bytes(100, 1)}, nullptr},
      {"not IKE: NAT keepalive on 4500", Frame{.dport = 4500, .payload = {0xff}}, nullptr},
      {"2 malformed (short header)", Frame{.payload = Bytes(20, 0)}, nullptr},
      {"3 unknown_peer (allowlist on)", Frame{.payload = ike_payload(Ike{.body = 40})},
       [](xdp::XdpMaps& m) { set_config(m, ANSWER_CFG_ALLOWLIST, 0); }},
      {"4 role_violation", Frame{.payload = ike_payload(Ike{.flags = 0, .body = 40})}, nullptr},
      {"5 unsolicited_response",
       Frame{.payload = ike_payload(Ike{.spi_r = kSpiR, .exchange = 37, .flags = 0x28, .msg_id = 3})},
       nullptr},
      {"7 retransmit_dropped", Frame{.payload = ike_payload(Ike{.body = 40})},
       [peer](xdp::XdpMaps& m) {
         if (!m.inflight_set(peer, 500, answerd::ike::IkeSpi(Ike{}.spi_i))) std::abort();
       }},
      {"8 rate_limited", Frame{.payload = ike_payload(Ike{.body = 40})},
       [peer](xdp::XdpMaps& m) {
         set_config(m, 0, 1);
         answer_bucket b{.last_ns = ~0ULL >> 1, .tokens = 0};
         ::bpf_map_update_elem(m.fd(xdp::XdpMaps::kInitBucket), &peer, &b, BPF_ANY);
       }},
      {"9 ike_sa_init (bucket off)", Frame{.payload = ike_payload(Ike{.body = 40})},
       [](xdp::XdpMaps& m) { set_config(m, 0, 0); }},
      {"9 ike_sa_init (bucket on)", Frame{.payload = ike_payload(Ike{.body = 40})},
       [](xdp::XdpMaps& m) { set_config(m, 0, ANSWER_MAX_RATE); }},
      {"9 ike_auth", Frame{.payload = ike_payload(request(35))}, nullptr},
      {"9 ike_auth, NAT-T marker", Frame{.dport = 4500, .payload = ike_payload(request(35), true)},
       nullptr},
      {"9 ike_auth, QinQ", Frame{.vlan_tpids = {0x88a8, 0x8100}, .payload = ike_payload(request(35))},
       nullptr},
      {"9 ike_auth, IPv6 + 4 ext headers",
       Frame{.ip_version = 6, .src = "2001:db8::10", .dst = "2001:db8::1",
             .ipv6_ext = {0, 43, 60, 44}, .payload = ike_payload(request(35))},
       nullptr},
      {"9 informational response (outstanding hit)",
       Frame{.payload = ike_payload(Ike{.spi_r = kSpiR, .exchange = 37, .flags = 0x28, .msg_id = 3})},
       [](xdp::XdpMaps& m) {
         if (!m.outstanding_add(answerd::ike::IkeSpi(Ike{}.spi_i), answerd::ike::IkeSpi(kSpiR),
                                answerd::ike::MessageId(3)))
           std::abort();
       }},
  };
}

// Median of three runs of `repeat` iterations, `prepare` before each; ns per packet.
std::uint32_t measure(int fd, const Bytes& frame, std::uint32_t repeat, std::uint32_t* action,
                      const std::function<void()>& prepare = nullptr) {
  std::array<std::uint32_t, 3> ns{};
  for (auto& n : ns) {
    if (prepare) prepare();
    RunResult r = test_run(fd, frame, repeat);
    if (r.err) {
      std::fprintf(stderr, "test run failed: errno %d\n", r.err);
      std::exit(1);
    }
    n = r.duration_ns;
    *action = r.action;
  }
  std::sort(ns.begin(), ns.end());
  return ns[1];
}

void reset(xdp::XdpMaps& m) {
  for (auto map : {xdp::XdpMaps::kPeerStats, xdp::XdpMaps::kAllow, xdp::XdpMaps::kInflight,
                   xdp::XdpMaps::kOutstanding, xdp::XdpMaps::kInitBucket})
    if (!m.clear(map)) std::abort();
  set_config(m, 0, 0);
}

}  // namespace

int main(int argc, char** argv) {
  const std::uint32_t repeat = argc > 1 ? static_cast<std::uint32_t>(std::atoi(argv[1])) : 1000000;
  if (auto why = bpf_skip_reason()) {
    std::printf("skipped: %s\n", why->c_str());
    return 77;
  }
  PrivateBpffs fs;
  if (!fs.ok()) return std::fprintf(stderr, "%s\n", fs.error().c_str()), 1;
  auto prog = xdp::XdpProgram::load({.bpffs = fs.path()});
  if (!prog) return std::fprintf(stderr, "%s\n", prog.error().message.c_str()), 1;
  const int empty = load_empty_pass();
  if (empty < 0) return std::perror("load empty XDP program"), 1;

  std::uint32_t action = 0;
  const std::uint32_t base =
      measure(empty, build(Frame{.payload = ike_payload(Ike{.body = 40})}), repeat, &action);
  std::printf("BPF_PROG_TEST_RUN, repeat %u, median of 3 runs, maps reset before each\n\n",
              repeat);
  std::printf("| path | action | ns/packet | minus empty |\n|---|---|---:|---:|\n");
  std::printf("| empty XDP_PASS program | PASS | %u | 0 |\n", base);
  for (const Path& p : paths()) {
    const std::uint32_t ns = measure(prog->prog_fd(), build(p.frame), repeat, &action, [&] {
      reset(prog->maps());
      if (p.setup) p.setup(prog->maps());
    });
    std::printf("| %s | %s | %u | %d |\n", p.name, action == XDP_DROP ? "DROP" : "PASS", ns,
                static_cast<int>(ns) - static_cast<int>(base));
  }
  ::close(empty);
  return 0;
}
