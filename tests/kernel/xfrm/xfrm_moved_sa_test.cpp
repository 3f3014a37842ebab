// Byte-for-byte tests of build_moved_sa() (a NAT mapping change, RFC 7296 2.23)
// and of XFRM_MSG_UPDPOLICY: the kernel's GETSA report and the expected request
// are put together here from the uapi structs (linux/xfrm.h), never by a builder.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <linux/udp.h>
#include <linux/xfrm.h>

#include <cstring>
#include <vector>

#include "kernel/xfrm/xfrm_messages.h"
#include "tests/kernel/xfrm/expected_nl.h"
#include "tests/kernel/xfrm/xfrm_test_values.h"

namespace answerd::kernel::xfrm {
namespace {

using testing::alg_bytes;
using testing::ExpectedNl;
using testing::zero;
using testing::v4;
using testing::v6;
using testing::xa;
using testing::bytes_of;

const nlmsghdr* as_nlh(const std::vector<std::uint8_t>& b) { return reinterpret_cast<const nlmsghdr*>(b.data()); }

// The outbound SA as GETSA reports it: answerd (192.0.2.1:4500) to a peer behind a
// NAT at 198.51.100.10:4500, AES-GCM-16 with its key, ESN replay state, a mark.
xfrm_usersa_info reported_info(const IpAddress& src, const IpAddress& dst) {
  auto sa = zero<xfrm_usersa_info>();
  sa.saddr = xa(src);
  sa.id.daddr = xa(dst);
  sa.id.spi = htonl(0xc0012345);
  sa.id.proto = IPPROTO_ESP;
  sa.family = src.family == 6 ? AF_INET6 : AF_INET;
  sa.reqid = 0xA5D00001;
  sa.mode = XFRM_MODE_TUNNEL;
  sa.flags = XFRM_STATE_AF_UNSPEC;
  sa.lft.soft_byte_limit = sa.lft.hard_byte_limit = XFRM_INF;
  sa.lft.soft_packet_limit = sa.lft.hard_packet_limit = XFRM_INF;
  sa.lft.hard_add_expires_seconds = 3600;
  sa.curlft.bytes = 4242;
  sa.curlft.packets = 7;
  sa.seq = 0;
  return sa;
}

struct Reported {
  std::vector<std::uint8_t> aead;
  xfrm_encap_tmpl encap;
  std::vector<std::uint8_t> replay;
  xfrm_mark mark;
  std::uint64_t lastused = 1700000000;
};

Reported reported_attrs(std::uint16_t old_dport) {
  Reported r;
  auto alg = zero<xfrm_algo_aead>();
  std::strcpy(alg.alg_name, "rfc4106(gcm(aes))");
  alg.alg_key_len = 36 * 8;
  alg.alg_icv_len = 128;
  std::vector<std::uint8_t> key(36);
  for (std::size_t i = 0; i < key.size(); ++i) key[i] = static_cast<std::uint8_t>(0x40 + i);
  r.aead = alg_bytes(alg, key);
  r.encap = zero<xfrm_encap_tmpl>();
  r.encap.encap_type = UDP_ENCAP_ESPINUDP;
  r.encap.encap_sport = htons(4500);
  r.encap.encap_dport = htons(old_dport);
  auto esn = zero<xfrm_replay_state_esn>();
  esn.replay_window = 0;
  esn.oseq = 1234;  // the sequence number the moved SA continues from
  esn.oseq_hi = 1;
  r.replay.resize(sizeof(esn));
  std::memcpy(r.replay.data(), &esn, sizeof(esn));
  r.mark = zero<xfrm_mark>();
  r.mark.v = 5;
  r.mark.m = 0xff;
  return r;
}

TEST(XfrmMovedSa, NewPortIsUpdsaWithTheNewEncapAndEverythingElseAsReported) {
  const IpAddress us = v4(192, 0, 2, 1), peer = v4(198, 51, 100, 10);
  const auto a = reported_attrs(4500);
  const auto report = ExpectedNl(XFRM_MSG_NEWSA, 0, 77)
                          .body(reported_info(us, peer))
                          .attr(XFRMA_ALG_AEAD, a.aead)
                          .attr(XFRMA_ENCAP, a.encap)
                          .attr(XFRMA_LASTUSED, a.lastused)
                          .attr(XFRMA_REPLAY_ESN_VAL, a.replay)
                          .attr(XFRMA_MARK, a.mark)
                          .bytes();
  const SaId to{.src = us, .dst = peer, .spi = ike::EspSpi(0xc0012345)};
  auto m = build_moved_sa(as_nlh(report), to, UdpEncap{4500, 31000}, 9);
  ASSERT_TRUE(m.has_value()) << m.error().message;
  auto encap = a.encap;
  encap.encap_dport = htons(31000);
  EXPECT_EQ(bytes_of(*m), ExpectedNl(XFRM_MSG_UPDSA, NLM_F_REQUEST | NLM_F_ACK, 9)
                              .body(reported_info(us, peer))
                              .attr(XFRMA_ALG_AEAD, a.aead)
                              .attr(XFRMA_LASTUSED, a.lastused)
                              .attr(XFRMA_REPLAY_ESN_VAL, a.replay)
                              .attr(XFRMA_MARK, a.mark)
                              .attr(XFRMA_ENCAP, encap)
                              .bytes());
}

TEST(XfrmMovedSa, NewAddressIsNewsaAtTheNewDestination) {
  const IpAddress us = v6(0x2001, 1), peer = v6(0x2001, 2), moved = v6(0x2001, 0x77);
  const auto a = reported_attrs(4500);
  const std::uint32_t if_id = 42;
  const auto report = ExpectedNl(XFRM_MSG_NEWSA, 0, 3)
                          .body(reported_info(us, peer))
                          .attr(XFRMA_ALG_AEAD, a.aead)
                          .attr(XFRMA_ENCAP, a.encap)
                          .attr(XFRMA_IF_ID, if_id)
                          .bytes();
  const SaId to{.src = us, .dst = moved, .spi = ike::EspSpi(0xc0012345)};
  auto m = build_moved_sa(as_nlh(report), to, UdpEncap{4500, 4501}, 10);
  ASSERT_TRUE(m.has_value()) << m.error().message;
  auto encap = a.encap;
  encap.encap_dport = htons(4501);
  EXPECT_EQ(bytes_of(*m), ExpectedNl(XFRM_MSG_NEWSA, NLM_F_REQUEST | NLM_F_ACK, 10)
                              .body(reported_info(us, moved))
                              .attr(XFRMA_ALG_AEAD, a.aead)
                              .attr(XFRMA_IF_ID, if_id)
                              .attr(XFRMA_ENCAP, encap)
                              .bytes());
}

TEST(XfrmMovedSa, NewSourceIsNewsaToo) {
  // The inbound SA's kernel key (answerd's address, SPI) stays, but UPDSA would
  // keep the old source address: re-created (the caller deletes the old SA first).
  const IpAddress us = v4(192, 0, 2, 1), peer = v4(198, 51, 100, 10), moved = v4(198, 51, 100, 77);
  const auto a = reported_attrs(4500);
  const auto report = ExpectedNl(XFRM_MSG_NEWSA, 0, 3).body(reported_info(peer, us)).attr(XFRMA_ALG_AEAD, a.aead).bytes();
  const SaId to{.src = moved, .dst = us, .spi = ike::EspSpi(0xc0012345)};
  auto m = build_moved_sa(as_nlh(report), to, UdpEncap{4500, 4500}, 11);
  ASSERT_TRUE(m.has_value());
  auto encap = zero<xfrm_encap_tmpl>();
  encap.encap_type = UDP_ENCAP_ESPINUDP;  // none reported: ESP-in-UDP
  encap.encap_sport = htons(4500);
  encap.encap_dport = htons(4500);
  EXPECT_EQ(bytes_of(*m), ExpectedNl(XFRM_MSG_NEWSA, NLM_F_REQUEST | NLM_F_ACK, 11)
                              .body(reported_info(moved, us))
                              .attr(XFRMA_ALG_AEAD, a.aead)
                              .attr(XFRMA_ENCAP, encap)
                              .bytes());
}

TEST(XfrmMovedSa, RejectsWhatIsNotAnSaReport) {
  const IpAddress us = v4(192, 0, 2, 1), peer = v4(198, 51, 100, 10);
  const SaId to{.src = us, .dst = peer, .spi = ike::EspSpi(1)};
  const auto policy = ExpectedNl(XFRM_MSG_NEWPOLICY, 0, 1).body(zero<xfrm_userpolicy_info>()).bytes();
  EXPECT_FALSE(build_moved_sa(as_nlh(policy), to, UdpEncap{}, 1).has_value());
  const auto shortsa = ExpectedNl(XFRM_MSG_NEWSA, 0, 1).body(zero<xfrm_usersa_id>()).bytes();
  EXPECT_FALSE(build_moved_sa(as_nlh(shortsa), to, UdpEncap{}, 1).has_value());
  const auto ok = ExpectedNl(XFRM_MSG_NEWSA, 0, 1).body(reported_info(us, peer)).bytes();
  const SaId mixed{.src = v6(0x2001, 1), .dst = peer, .spi = ike::EspSpi(1)};
  EXPECT_FALSE(build_moved_sa(as_nlh(ok), mixed, UdpEncap{}, 1).has_value());
  EXPECT_TRUE(build_moved_sa(as_nlh(ok), to, UdpEncap{}, 1).has_value());
}

// A policy whose template follows the peer's new address: UPDPOLICY.
TEST(XfrmMovedSa, UpdatedPolicyIsUpdpolicy) {
  const IpAddress us = v4(192, 0, 2, 1), moved = v4(198, 51, 100, 77);
  const PolicyId id{.sel = {.src = {.addr = v4(10, 1, 0, 0), .len = 16}, .dst = {.addr = v4(10, 2, 0, 0), .len = 16}},
                    .dir = PolicyDir::kOut};
  const PolicyData data{.action = PolicyAction::kProtect, .priority = 0,
                        .sa = {.src = us, .dst = moved, .reqid = owned_reqid(1), .mode = IpsecMode::kTunnel},
                        .update = true};
  auto p = zero<xfrm_userpolicy_info>();
  p.sel.saddr = xa(v4(10, 1, 0, 0));
  p.sel.daddr = xa(v4(10, 2, 0, 0));
  p.sel.family = AF_INET;
  p.sel.prefixlen_s = 16;
  p.sel.prefixlen_d = 16;
  p.lft.soft_byte_limit = p.lft.hard_byte_limit = XFRM_INF;
  p.lft.soft_packet_limit = p.lft.hard_packet_limit = XFRM_INF;
  p.priority = default_priority(id.sel);
  p.dir = XFRM_POLICY_OUT;
  p.action = XFRM_POLICY_ALLOW;
  p.share = XFRM_SHARE_ANY;
  auto t = zero<xfrm_user_tmpl>();
  t.id.daddr = xa(moved);
  t.id.proto = IPPROTO_ESP;
  t.family = AF_INET;
  t.saddr = xa(us);
  t.reqid = 0xA5D00001;
  t.mode = XFRM_MODE_TUNNEL;
  t.aalgos = t.ealgos = t.calgos = ~0u;
  EXPECT_EQ(bytes_of(build_newpolicy(id, data, 4)),
            ExpectedNl(XFRM_MSG_UPDPOLICY, NLM_F_REQUEST | NLM_F_ACK, 4).body(p).attr(XFRMA_TMPL, t).bytes());
}

}  // namespace
}  // namespace answerd::kernel::xfrm
