// Every prefix of a frame, from 0 bytes to the end of the IKE header, through the
// XDP filter: never a crash or a verifier-unsafe read, XDP_PASS and nothing
// counted while the UDP header is incomplete (cannot tell it is IKE), `malformed`
// once the UDP header says "IKE port" but the IKE header is short, and the row's
// own verdict for the complete header.
#include "xdp_fixture.h"

#include <linux/bpf.h>

namespace answerd::test {
namespace {

struct Base {
  const char* name;
  Frame frame;
  std::uint32_t full_action;
  std::optional<answer_counter> full_counter;  // nullopt: never IKE (other port)
};

Ike auth() { return Ike{.spi_r = 0x55, .exchange = 35, .msg_id = 1}; }

const std::vector<Base>& bases() {
  static const std::vector<Base> b = {
      {"ipv4_500", Frame{.payload = ike_payload(Ike{})}, XDP_PASS, ANSWER_CNT_IKE_SA_INIT},
      {"vlan_ipv4_options_500",
       Frame{.vlan_tpids = {0x8100}, .ipv4_options = 8, .payload = ike_payload(auth())}, XDP_PASS,
       ANSWER_CNT_IKE_AUTH},
      {"ipv4_4500_marker", Frame{.dport = 4500, .payload = ike_payload(auth(), true)}, XDP_PASS,
       ANSWER_CNT_IKE_AUTH},
      {"qinq_ipv6_ext_4500",
       Frame{.vlan_tpids = {0x88a8, 0x8100}, .ip_version = 6, .src = "2001:db8::7",
             .dst = "2001:db8::1", .ipv6_ext = {0, 43, 60, 44}, .dport = 4500,
             .payload = ike_payload(Ike{.flags = 0}, true)},
       XDP_DROP, ANSWER_CNT_ROLE_VIOLATION},
      {"ipv6_500", Frame{.ip_version = 6, .src = "2001:db8::8", .dst = "2001:db8::1",
                         .payload = ike_payload(Ike{.flags = 0x28})},
       XDP_DROP, ANSWER_CNT_UNSOLICITED_RESPONSE},
      {"ipv4_port_53", Frame{.dport = 53, .payload = ike_payload(Ike{.flags = 0})}, XDP_PASS,
       std::nullopt},
  };
  return b;
}

class Truncation : public XdpFixture, public ::testing::WithParamInterface<Base> {};

TEST_P(Truncation, EveryLength) {
  const Base& base = GetParam();
  const Bytes full = build(base.frame);
  const std::size_t udp_end = full.size() - base.frame.payload.size();
  for (std::size_t len = 0; len <= full.size(); ++len) {
    const Bytes frame(full.begin(), full.begin() + static_cast<std::ptrdiff_t>(len));
    const std::string at = std::string(base.name) + " truncated to " + std::to_string(len);
    const answer_stats g0 = global();
    const RunResult r = test_run(prog_fd(), frame);
    if (len < 14) {  // BPF_PROG_TEST_RUN refuses frames shorter than an Ethernet header
      EXPECT_EQ(r.err, EINVAL) << at;
      continue;
    }
    ASSERT_EQ(r.err, 0) << at;
    std::uint32_t action = XDP_PASS;
    std::optional<answer_counter> counted;
    if (len == full.size()) {
      action = base.full_action;
      counted = base.full_counter;
    } else if (len >= udp_end && base.full_counter) {
      action = XDP_DROP;
      counted = ANSWER_CNT_MALFORMED;
    }
    EXPECT_EQ(r.action, action) << at;
    expect_delta(g0, global(), counted, counted ? len : 0, at);
  }
}

INSTANTIATE_TEST_SUITE_P(Xdp, Truncation, ::testing::ValuesIn(bases()),
                         [](const ::testing::TestParamInfo<Base>& i) { return i.param.name; });

void PrintTo(const Base& b, std::ostream* os) { *os << b.name; }

}  // namespace
}  // namespace answerd::test
