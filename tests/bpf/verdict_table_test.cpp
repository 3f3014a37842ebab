// DESIGN.md "XDP verdicts" as a table: each row is a crafted frame, the map setup
// before it, the expected XDP action and the counter that must move (global and
// for the source peer), run through BPF_PROG_TEST_RUN on the real kernel.
#include "xdp_fixture.h"

#include <bpf/bpf.h>
#include <linux/bpf.h>

#include <functional>

namespace answerd::test {
namespace {

using Setup = std::function<void(xdp::XdpMaps&)>;

struct Case {
  const char* name;
  Frame frame;
  Setup setup = nullptr;
  std::uint32_t action;
  std::optional<answer_counter> counted;  // nullopt: not IKE, not counted
};

constexpr std::uint64_t kSpiI = 0x0102030405060708ULL;
constexpr std::uint64_t kSpiR = 0x1112131415161718ULL;
const char* const kPeer4 = "192.0.2.10";
const char* const kPeer6 = "2001:db8::10";

// IKE messages a peer (always the original initiator) sends.
Ike sa_init() { return Ike{.body = 40}; }
Ike request(std::uint8_t exchange, std::uint32_t msg_id = 1) {
  return Ike{.spi_r = kSpiR, .exchange = exchange, .flags = 0x08, .msg_id = msg_id, .body = 60};
}
Ike response(std::uint8_t exchange, std::uint32_t msg_id) {
  Ike i = request(exchange, msg_id);
  i.flags = 0x08 | 0x20;
  return i;
}

Frame v4(const Ike& ike, std::uint16_t dport = 500) {
  return Frame{.dport = dport, .payload = ike_payload(ike, dport == 4500)};
}
Frame v6(const Ike& ike, std::vector<std::uint8_t> ext = {}) {
  return Frame{.ip_version = 6, .src = kPeer6, .dst = "2001:db8::1", .ipv6_ext = std::move(ext),
               .payload = ike_payload(ike)};
}
template <class T, class F>
T with(T f, F change) {
  change(f);
  return f;
}

// Stamps an entry at CLOCK_MONOTONIC 1 ns and makes the maximum ages 1 us, so the
// entry is stale however short the uptime (a freshly booted VM).
void stamp_stale(xdp::XdpMaps& m, xdp::XdpMaps::Map map, const void* key) {
  auto cfg = xdp::default_config();
  cfg.inflight_max_age_ns = 1000;
  cfg.outstanding_max_age_ns = 1000;
  ASSERT_TRUE(m.set_config(cfg).has_value());
  const std::uint64_t ts = 1;
  ASSERT_EQ(::bpf_map_update_elem(m.fd(map), key, &ts, BPF_ANY), 0);
}

Setup allowlist(const char* prefix) {
  return [prefix](xdp::XdpMaps& m) {
    auto cfg = xdp::default_config();
    cfg.flags = ANSWER_CFG_ALLOWLIST;
    ASSERT_TRUE(m.set_config(cfg).has_value());
    if (prefix) {
      ASSERT_TRUE(m.allow_add(*xdp::parse_prefix(prefix)).has_value());
    }
  };
}
Setup outstanding(std::uint32_t msg_id, bool stale = false) {
  return [=](xdp::XdpMaps& m) {
    auto k = xdp::outstanding_key(ike::IkeSpi(kSpiI), ike::IkeSpi(kSpiR), ike::MessageId(msg_id));
    if (stale) {
      stamp_stale(m, xdp::XdpMaps::kOutstanding, &k);
      return;
    }
    ASSERT_TRUE(m.outstanding_add(ike::IkeSpi(kSpiI), ike::IkeSpi(kSpiR),
                                  ike::MessageId(msg_id)).has_value());
  };
}
Setup inflight(std::uint16_t sport, bool stale = false) {
  return [=](xdp::XdpMaps& m) {
    auto src = *xdp::parse_addr(kPeer4);
    auto k = xdp::inflight_key(src, sport, ike::IkeSpi(kSpiI));
    if (stale) {
      stamp_stale(m, xdp::XdpMaps::kInflight, &k);
      return;
    }
    ASSERT_TRUE(m.inflight_set(src, sport, ike::IkeSpi(kSpiI)).has_value());
  };
}
// An empty bucket whose last refill lies in the future: no token until then.
Setup empty_bucket() {
  return [](xdp::XdpMaps& m) {
    auto src = *xdp::parse_addr(kPeer4);
    answer_bucket b{.last_ns = ~0ULL >> 1, .tokens = 0};
    ASSERT_EQ(::bpf_map_update_elem(m.fd(xdp::XdpMaps::kInitBucket), &src, &b, BPF_ANY), 0);
  };
}
Setup ports(std::uint16_t ike, std::uint16_t natt) {
  return [=](xdp::XdpMaps& m) {
    auto cfg = xdp::default_config();
    cfg.ike_port = ike;
    cfg.natt_port = natt;
    ASSERT_TRUE(m.set_config(cfg).has_value());
  };
}
Setup both(Setup a, Setup b) {
  return [=](xdp::XdpMaps& m) { a(m); b(m); };
}

const std::vector<Case>& cases() {
  static const std::vector<Case> table = {
      // 9. pass, counted by exchange type
      {"ipv4_ike_sa_init", v4(sa_init()), nullptr, XDP_PASS, ANSWER_CNT_IKE_SA_INIT},
      {"ipv4_ike_auth", v4(request(35)), nullptr, XDP_PASS, ANSWER_CNT_IKE_AUTH},
      {"ipv4_create_child_sa", v4(request(36, 2)), nullptr, XDP_PASS, ANSWER_CNT_CREATE_CHILD_SA},
      {"ipv4_informational", v4(request(37, 3)), nullptr, XDP_PASS, ANSWER_CNT_INFORMATIONAL},
      {"ipv4_other_intermediate", v4(request(43)), nullptr, XDP_PASS, ANSWER_CNT_OTHER},
      {"vlan_8021q", with(v4(sa_init()), [](Frame& f) { f.vlan_tpids = {0x8100}; }), nullptr,
       XDP_PASS, ANSWER_CNT_IKE_SA_INIT},
      {"qinq_8021ad", with(v4(request(35)), [](Frame& f) { f.vlan_tpids = {0x88a8, 0x8100}; }),
       nullptr, XDP_PASS, ANSWER_CNT_IKE_AUTH},
      {"qinq_role_violation",
       with(v4(with(request(35), [](Ike& i) { i.flags = 0; })),
            [](Frame& f) { f.vlan_tpids = {0x88a8, 0x8100}; }),
       nullptr, XDP_DROP, ANSWER_CNT_ROLE_VIOLATION},
      {"three_vlan_tags_not_parsed",
       with(v4(request(35)), [](Frame& f) { f.vlan_tpids = {0x88a8, 0x8100, 0x8100}; }), nullptr,
       XDP_PASS, std::nullopt},
      {"ipv4_options_40", with(v4(sa_init()), [](Frame& f) { f.ipv4_options = 40; }), nullptr,
       XDP_PASS, ANSWER_CNT_IKE_SA_INIT},
      {"ipv4_options_role_violation",
       with(v4(with(request(37), [](Ike& i) { i.flags = 0x20; })),
            [](Frame& f) { f.ipv4_options = 12; }),
       nullptr, XDP_DROP, ANSWER_CNT_ROLE_VIOLATION},
      {"ipv4_first_fragment_inspected",
       with(v4(with(request(35), [](Ike& i) { i.flags = 0; })),
            [](Frame& f) { f.ipv4_frag = 0x2000; }),
       nullptr, XDP_DROP, ANSWER_CNT_ROLE_VIOLATION},
      {"ipv4_later_fragment_passes",
       with(v4(with(request(35), [](Ike& i) { i.flags = 0; })),
            [](Frame& f) { f.ipv4_frag = 0x2000 | 185; }),
       nullptr, XDP_PASS, std::nullopt},
      {"ipv4_last_fragment_passes",
       with(v4(with(request(35), [](Ike& i) { i.flags = 0; })),
            [](Frame& f) { f.ipv4_frag = 185; }),
       nullptr, XDP_PASS, std::nullopt},
      {"ipv6_ike_sa_init", v6(sa_init()), nullptr, XDP_PASS, ANSWER_CNT_IKE_SA_INIT},
      {"ipv6_ext_hop_rt_dst_frag", v6(sa_init(), {0, 43, 60, 44}), nullptr, XDP_PASS,
       ANSWER_CNT_IKE_SA_INIT},
      {"ipv6_ext_role_violation", v6(with(request(35), [](Ike& i) { i.flags = 0; }), {0, 60}),
       nullptr, XDP_DROP, ANSWER_CNT_ROLE_VIOLATION},
      {"ipv6_six_ext_headers", v6(request(35), {0, 60, 43, 60, 60, 44}), nullptr, XDP_PASS,
       ANSWER_CNT_IKE_AUTH},
      {"ipv6_seven_ext_headers_too_deep",
       v6(with(request(35), [](Ike& i) { i.flags = 0; }), {0, 60, 43, 60, 60, 60, 44}), nullptr,
       XDP_PASS, std::nullopt},
      {"ipv6_later_fragment_passes",
       with(v6(with(request(35), [](Ike& i) { i.flags = 0; }), {44}),
            [](Frame& f) { f.ipv6_frag_offset = 100; }),
       nullptr, XDP_PASS, std::nullopt},
      {"ipv6_first_fragment_inspected",
       with(v6(with(request(35), [](Ike& i) { i.flags = 0; }), {44}),
            [](Frame& f) { f.ipv6_more_fragments = true; }),
       nullptr, XDP_DROP, ANSWER_CNT_ROLE_VIOLATION},
      // NAT-T port: non-ESP marker, keepalive, ESP in UDP (RFC 3948)
      {"natt_ike_auth", v4(request(35), 4500), nullptr, XDP_PASS, ANSWER_CNT_IKE_AUTH},
      {"natt_keepalive", with(v4(sa_init(), 4500), [](Frame& f) { f.payload = {0xff}; }), nullptr,
       XDP_PASS, std::nullopt},
      {"natt_esp_in_udp",
       with(v4(sa_init(), 4500), [](Frame& f) { f.payload = Bytes(80, 0); f.payload[3] = 7; }),
       nullptr, XDP_PASS, std::nullopt},
      {"natt_short_marker", with(v4(sa_init(), 4500), [](Frame& f) { f.payload = {0, 0}; }),
       nullptr, XDP_DROP, ANSWER_CNT_MALFORMED},
      {"natt_one_byte_not_keepalive",
       with(v4(sa_init(), 4500), [](Frame& f) { f.payload = {0x00}; }), nullptr, XDP_DROP,
       ANSWER_CNT_MALFORMED},
      {"ike_without_marker_on_natt_port_is_esp",
       with(v4(sa_init(), 4500), [](Frame& f) { f.payload = ike_payload(sa_init()); }), nullptr,
       XDP_PASS, std::nullopt},
      // 1. not IKE
      {"esp_proto_50", with(v4(sa_init()), [](Frame& f) { f.l4 = 50; }), nullptr, XDP_PASS,
       std::nullopt},
      {"udp_port_53", with(v4(sa_init()), [](Frame& f) { f.dport = 53; }), nullptr, XDP_PASS,
       std::nullopt},
      {"udp_source_port_500_only", with(v4(sa_init()), [](Frame& f) { f.dport = 1024; }),
       nullptr, XDP_PASS, std::nullopt},
      {"tcp_port_500", with(v4(sa_init()), [](Frame& f) { f.l4 = 6; }), nullptr, XDP_PASS,
       std::nullopt},
      {"arp", with(v4(sa_init()), [](Frame& f) { f.ethertype = 0x0806; f.payload = Bytes(28, 1); }),
       nullptr, XDP_PASS, std::nullopt},
      {"configured_ports_old_port_passes", v4(sa_init()), ports(1500, 14500), XDP_PASS,
       std::nullopt},
      {"configured_ports_new_port", with(v4(sa_init()), [](Frame& f) { f.dport = 1500; }),
       ports(1500, 14500), XDP_PASS, ANSWER_CNT_IKE_SA_INIT},
      {"configured_natt_port_marker",
       with(v4(request(35)), [](Frame& f) { f.dport = 14500; f.payload = ike_payload(request(35), true); }),
       ports(1500, 14500), XDP_PASS, ANSWER_CNT_IKE_AUTH},
      // 2. malformed header
      {"malformed_short", with(v4(sa_init()), [](Frame& f) { f.payload.resize(27); }), nullptr,
       XDP_DROP, ANSWER_CNT_MALFORMED},
      {"malformed_length_below_28", v4(with(sa_init(), [](Ike& i) { i.length = 27; })), nullptr,
       XDP_DROP, ANSWER_CNT_MALFORMED},
      {"malformed_length_beyond_datagram",
       v4(with(sa_init(), [](Ike& i) { i.length = 28 + 41; })), nullptr, XDP_DROP,
       ANSWER_CNT_MALFORMED},
      {"length_shorter_than_datagram_ok",
       v4(with(sa_init(), [](Ike& i) { i.length = 28 + 39; })), nullptr, XDP_PASS,
       ANSWER_CNT_IKE_SA_INIT},
      {"malformed_ikev1", v4(with(sa_init(), [](Ike& i) { i.version = 0x10; })), nullptr,
       XDP_DROP, ANSWER_CNT_MALFORMED},
      {"malformed_before_role", v4(with(request(35), [](Ike& i) { i.version = 0x30; i.flags = 0; })),
       nullptr, XDP_DROP, ANSWER_CNT_MALFORMED},
      {"malformed_udp_length_below_8", with(v4(sa_init()), [](Frame& f) { f.udp_len = 7; }),
       nullptr, XDP_DROP, ANSWER_CNT_MALFORMED},
      {"malformed_natt_short_after_marker",
       with(v4(sa_init(), 4500), [](Frame& f) { f.payload.resize(4 + 20); }), nullptr, XDP_DROP,
       ANSWER_CNT_MALFORMED},
      // 3. allowlist
      {"unknown_peer", v4(sa_init()), allowlist("198.51.100.0/24"), XDP_DROP,
       ANSWER_CNT_UNKNOWN_PEER},
      {"unknown_peer_empty_allowlist", v4(request(35)), allowlist(nullptr), XDP_DROP,
       ANSWER_CNT_UNKNOWN_PEER},
      {"allowed_prefix", v4(sa_init()), allowlist("192.0.2.0/24"), XDP_PASS,
       ANSWER_CNT_IKE_SA_INIT},
      {"allowed_ipv6_prefix", v6(sa_init()), allowlist("2001:db8::/32"), XDP_PASS,
       ANSWER_CNT_IKE_SA_INIT},
      {"unknown_peer_before_role", v4(with(request(35), [](Ike& i) { i.flags = 0; })),
       allowlist("198.51.100.0/24"), XDP_DROP, ANSWER_CNT_UNKNOWN_PEER},
      {"allowlist_off_ignores_entries", v4(sa_init()),
       [](xdp::XdpMaps& m) { ASSERT_TRUE(m.allow_add(*xdp::parse_prefix("198.51.100.0/24")).has_value()); },
       XDP_PASS, ANSWER_CNT_IKE_SA_INIT},
      // 4. role
      {"role_violation_request", v4(with(request(37), [](Ike& i) { i.flags = 0; })), nullptr,
       XDP_DROP, ANSWER_CNT_ROLE_VIOLATION},
      {"role_violation_response", v4(with(response(37, 5), [](Ike& i) { i.flags = 0x20; })),
       outstanding(5), XDP_DROP, ANSWER_CNT_ROLE_VIOLATION},
      {"role_violation_sa_init", v4(with(sa_init(), [](Ike& i) { i.flags = 0; })), nullptr,
       XDP_DROP, ANSWER_CNT_ROLE_VIOLATION},
      // 5. responses
      {"unsolicited_response", v4(response(37, 5)), nullptr, XDP_DROP,
       ANSWER_CNT_UNSOLICITED_RESPONSE},
      {"unsolicited_response_other_msgid", v4(response(37, 6)), outstanding(5), XDP_DROP,
       ANSWER_CNT_UNSOLICITED_RESPONSE},
      {"solicited_response", v4(response(37, 5)), outstanding(5), XDP_PASS,
       ANSWER_CNT_INFORMATIONAL},
      {"solicited_response_natt", v4(response(37, 5), 4500), outstanding(5), XDP_PASS,
       ANSWER_CNT_INFORMATIONAL},
      {"outstanding_aged_out", v4(response(37, 5)), outstanding(5, true), XDP_DROP,
       ANSWER_CNT_UNSOLICITED_RESPONSE},
      {"sa_init_response_unsolicited", v4(with(sa_init(), [](Ike& i) { i.flags = 0x28; })),
       nullptr, XDP_DROP, ANSWER_CNT_UNSOLICITED_RESPONSE},
      // 6. IKE_SA_INIT with a responder SPI, or a message ID other than 0 (RFC 7296 2.2)
      {"sa_init_nonzero_spi_r", v4(with(sa_init(), [](Ike& i) { i.spi_r = kSpiR; })), nullptr,
       XDP_DROP, ANSWER_CNT_MALFORMED},
      {"sa_init_nonzero_msgid", v4(with(sa_init(), [](Ike& i) { i.msg_id = 1; })), nullptr,
       XDP_DROP, ANSWER_CNT_MALFORMED},
      {"sa_init_spi_r_before_inflight", v4(with(sa_init(), [](Ike& i) { i.spi_r = kSpiR; })),
       inflight(500), XDP_DROP, ANSWER_CNT_MALFORMED},
      // 7. inflight
      {"retransmit_dropped", v4(sa_init()), inflight(500), XDP_DROP,
       ANSWER_CNT_RETRANSMIT_DROPPED},
      {"retransmit_dropped_natt", with(v4(sa_init(), 4500), [](Frame& f) { f.sport = 4500; }),
       inflight(4500), XDP_DROP, ANSWER_CNT_RETRANSMIT_DROPPED},
      {"inflight_other_port_passes", with(v4(sa_init()), [](Frame& f) { f.sport = 501; }),
       inflight(500), XDP_PASS, ANSWER_CNT_IKE_SA_INIT},
      {"inflight_aged_out", v4(sa_init()), inflight(500, true), XDP_PASS, ANSWER_CNT_IKE_SA_INIT},
      {"inflight_only_for_sa_init", v4(request(35)), inflight(500), XDP_PASS, ANSWER_CNT_IKE_AUTH},
      // 8. token bucket
      {"rate_limited", v4(sa_init()), empty_bucket(), XDP_DROP, ANSWER_CNT_RATE_LIMITED},
      {"retransmit_before_rate_limit", v4(sa_init()), both(inflight(500), empty_bucket()),
       XDP_DROP, ANSWER_CNT_RETRANSMIT_DROPPED},
      {"rate_limit_only_sa_init", v4(request(35)), empty_bucket(), XDP_PASS, ANSWER_CNT_IKE_AUTH},
      {"rate_limit_off", v4(sa_init()),
       both(empty_bucket(), [](xdp::XdpMaps& m) {
         auto cfg = xdp::default_config();
         cfg.init_rate = 0;
         ASSERT_TRUE(m.set_config(cfg).has_value());
       }),
       XDP_PASS, ANSWER_CNT_IKE_SA_INIT},
  };
  return table;
}

// gtest prints the row name instead of the bytes of the struct.
void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }

class VerdictTable : public XdpFixture, public ::testing::WithParamInterface<Case> {};

TEST_P(VerdictTable, ActionAndCounters) {
  const Case& c = GetParam();
  if (c.setup) c.setup(maps());
  const Bytes frame = build(c.frame);
  const std::string src = c.frame.src;
  const answer_stats g0 = global();
  const RunResult r = test_run(prog_fd(), frame);
  ASSERT_EQ(r.err, 0) << "bpf_prog_test_run_opts";
  EXPECT_EQ(r.action, c.action) << (r.action == XDP_DROP ? "dropped" : "not dropped");
  expect_delta(g0, global(), c.counted, c.counted ? frame.size() : 0, "global");
  const auto p = peer(src);
  if (!c.counted) {
    EXPECT_FALSE(p.has_value()) << "a non-IKE frame created a peer entry";
    return;
  }
  ASSERT_TRUE(p.has_value()) << "no peer entry for " << src;
  expect_delta(answer_stats{}, *p, c.counted, frame.size(), "peer " + src);
  EXPECT_NE(p->first_seen_ns, 0u);
  EXPECT_GE(p->last_seen_ns, p->first_seen_ns);
}

INSTANTIATE_TEST_SUITE_P(Xdp, VerdictTable, ::testing::ValuesIn(cases()),
                         [](const ::testing::TestParamInfo<Case>& i) { return i.param.name; });

}  // namespace
}  // namespace answerd::test
