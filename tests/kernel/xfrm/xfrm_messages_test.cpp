// Byte-for-byte tests of the XFRM request builders: the expected bytes are put
// together here from the uapi structs (linux/xfrm.h) field by field, never by
// calling the builder, then compared with what the builder produced.
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

std::vector<std::uint8_t> pattern(std::size_t n, std::uint8_t start) {
  std::vector<std::uint8_t> v(n);
  for (std::size_t i = 0; i < n; ++i) v[i] = static_cast<std::uint8_t>(start + i);
  return v;
}

xfrm_lifetime_cfg infinite_lft() {
  auto l = zero<xfrm_lifetime_cfg>();
  l.soft_byte_limit = l.hard_byte_limit = XFRM_INF;
  l.soft_packet_limit = l.hard_packet_limit = XFRM_INF;
  return l;
}

const IpAddress kLeft = v4(198, 51, 100, 1);
const IpAddress kRight = v4(203, 0, 113, 2);

// NEWSA { usersa_info, XFRMA_ALG_AEAD } for AES-GCM-16 with a 256-bit key + salt,
// tunnel mode, IPv4 outer, 32-packet window, hard lifetime one hour.
TEST(XfrmNewsa, AesGcm16TunnelIpv4) {
  const auto key = pattern(36, 0x10);
  const SaId id{.src = kLeft, .dst = kRight, .spi = ike::EspSpi(0xc0012345)};
  const SaData data{.reqid = owned_reqid(1),
                    .mode = IpsecMode::kTunnel,
                    .encr = {.id = ike::EncrId::kAesGcm16, .key_bits = 256, .key = key},
                    .replay_window = 32,
                    .hard = {.seconds = 3600}};
  auto msg = build_newsa(id, data, 7);
  ASSERT_TRUE(msg) << msg.error().message;

  auto sa = zero<xfrm_usersa_info>();
  sa.saddr = xa(kLeft);
  sa.id.daddr = xa(kRight);
  sa.id.spi = htonl(0xc0012345);
  sa.id.proto = IPPROTO_ESP;
  sa.family = AF_INET;
  sa.reqid = 0xA5D00001;
  sa.mode = XFRM_MODE_TUNNEL;
  sa.replay_window = 32;
  sa.flags = XFRM_STATE_AF_UNSPEC;
  sa.lft = infinite_lft();
  sa.lft.hard_add_expires_seconds = 3600;
  auto aead = zero<xfrm_algo_aead>();
  std::strcpy(aead.alg_name, "rfc4106(gcm(aes))");
  aead.alg_key_len = 288;  // bits, salt included
  aead.alg_icv_len = 128;
  const auto expected = ExpectedNl(XFRM_MSG_NEWSA, NLM_F_REQUEST | NLM_F_ACK, 7)
                            .body(sa)
                            .attr(XFRMA_ALG_AEAD, alg_bytes(aead, key))
                            .bytes();
  EXPECT_EQ(bytes_of(*msg), expected);
}

// UPDSA of an ALLOCSPI'd inbound SA: CBC + HMAC-SHA-256-128 over IPv6, ESN with a
// 64-packet window (XFRMA_REPLAY_ESN_VAL), NAT-T, mark and if_id, all lifetimes.
TEST(XfrmNewsa, CbcSha256EsnEncapMarkIfIdIpv6Update) {
  const auto ekey = pattern(16, 0x40);
  const auto ikey = pattern(32, 0x80);
  const IpAddress l6 = v6(0x2001, 1), r6 = v6(0x2001, 2);
  const SaId id{.src = r6, .dst = l6, .spi = ike::EspSpi(0xc1000002),
                .mark = {.value = 7, .mask = 0xff}, .if_id = 42};
  const SaData data{.reqid = owned_reqid(2),
                    .mode = IpsecMode::kTunnel,
                    .encr = {.id = ike::EncrId::kAesCbc, .key_bits = 128, .key = ekey},
                    .integ = {.id = ike::IntegId::kHmacSha2_256_128, .key = ikey},
                    .esn = true,
                    .replay_window = 64,
                    .encap = UdpEncap{.src_port = 4500, .dst_port = 31000},
                    .soft = {.bytes = 1000, .packets = 10, .seconds = 50},
                    .hard = {.bytes = 2000, .packets = 20, .seconds = 60},
                    .inbound = true,
                    .update = true};
  auto msg = build_newsa(id, data, 9);
  ASSERT_TRUE(msg) << msg.error().message;

  auto sa = zero<xfrm_usersa_info>();
  sa.saddr = xa(r6);
  sa.id.daddr = xa(l6);
  sa.id.spi = htonl(0xc1000002);
  sa.id.proto = IPPROTO_ESP;
  sa.family = AF_INET6;
  sa.reqid = 0xA5D00002;
  sa.mode = XFRM_MODE_TUNNEL;
  sa.replay_window = 0;  // the kernel wants 0 here when XFRMA_REPLAY_ESN_VAL is present
  sa.flags = XFRM_STATE_AF_UNSPEC | XFRM_STATE_ESN;
  sa.lft.soft_byte_limit = 1000;
  sa.lft.hard_byte_limit = 2000;
  sa.lft.soft_packet_limit = 10;
  sa.lft.hard_packet_limit = 20;
  sa.lft.soft_add_expires_seconds = 50;
  sa.lft.hard_add_expires_seconds = 60;
  auto crypt = zero<xfrm_algo>();
  std::strcpy(crypt.alg_name, "cbc(aes)");
  crypt.alg_key_len = 128;
  auto auth = zero<xfrm_algo_auth>();
  std::strcpy(auth.alg_name, "hmac(sha256)");
  auth.alg_key_len = 256;
  auth.alg_trunc_len = 128;
  std::vector<std::uint8_t> esn(sizeof(xfrm_replay_state_esn) + 2 * 4, 0);
  auto rs = zero<xfrm_replay_state_esn>();
  rs.bmp_len = 2;
  rs.replay_window = 64;
  std::memcpy(esn.data(), &rs, sizeof(rs));
  auto encap = zero<xfrm_encap_tmpl>();
  encap.encap_type = UDP_ENCAP_ESPINUDP;
  encap.encap_sport = htons(4500);
  encap.encap_dport = htons(31000);
  auto mark = zero<xfrm_mark>();
  mark.v = 7;
  mark.m = 0xff;
  const std::uint32_t if_id = 42;
  const auto expected = ExpectedNl(XFRM_MSG_UPDSA, NLM_F_REQUEST | NLM_F_ACK, 9)
                            .body(sa)
                            .attr(XFRMA_ALG_CRYPT, alg_bytes(crypt, ekey))
                            .attr(XFRMA_ALG_AUTH_TRUNC, alg_bytes(auth, ikey))
                            .attr(XFRMA_REPLAY_ESN_VAL, esn)
                            .attr(XFRMA_ENCAP, encap)
                            .attr(XFRMA_MARK, mark)
                            .attr(XFRMA_IF_ID, if_id)
                            .bytes();
  EXPECT_EQ(bytes_of(*msg), expected);
}

// Transport mode carries its selector and no AF_UNSPEC; ChaCha20-Poly1305 (RFC 7634)
// is an AEAD with a 4-byte salt; a window over 255 needs XFRMA_REPLAY_ESN_VAL.
TEST(XfrmNewsa, ChachaTransportSelectorLargeWindow) {
  const auto key = pattern(36, 0x01);
  const Selector sel{.src = {.addr = kLeft, .len = 32}, .dst = {.addr = kRight, .len = 32},
                     .proto = IPPROTO_UDP, .src_port = 0, .dst_port = 53};
  const SaId id{.src = kLeft, .dst = kRight, .spi = ike::EspSpi(0x1000)};
  const SaData data{.reqid = owned_reqid(3),
                    .mode = IpsecMode::kTransport,
                    .encr = {.id = ike::EncrId::kChacha20Poly1305, .key_bits = 256, .key = key},
                    .replay_window = 1024,
                    .selector = sel};
  auto msg = build_newsa(id, data, 1);
  ASSERT_TRUE(msg) << msg.error().message;

  auto sa = zero<xfrm_usersa_info>();
  sa.sel.saddr = xa(kLeft);
  sa.sel.daddr = xa(kRight);
  sa.sel.family = AF_INET;
  sa.sel.prefixlen_s = 32;
  sa.sel.prefixlen_d = 32;
  sa.sel.proto = IPPROTO_UDP;
  sa.sel.dport = htons(53);
  sa.sel.dport_mask = 0xffff;
  sa.saddr = xa(kLeft);
  sa.id.daddr = xa(kRight);
  sa.id.spi = htonl(0x1000);
  sa.id.proto = IPPROTO_ESP;
  sa.family = AF_INET;
  sa.reqid = 0xA5D00003;
  sa.mode = XFRM_MODE_TRANSPORT;
  sa.lft = infinite_lft();
  auto aead = zero<xfrm_algo_aead>();
  std::strcpy(aead.alg_name, "rfc7539esp(chacha20,poly1305)");
  aead.alg_key_len = 288;
  aead.alg_icv_len = 128;
  std::vector<std::uint8_t> esn(sizeof(xfrm_replay_state_esn) + 32 * 4, 0);
  auto rs = zero<xfrm_replay_state_esn>();
  rs.bmp_len = 32;
  rs.replay_window = 1024;
  std::memcpy(esn.data(), &rs, sizeof(rs));
  const auto expected = ExpectedNl(XFRM_MSG_NEWSA, NLM_F_REQUEST | NLM_F_ACK, 1)
                            .body(sa)
                            .attr(XFRMA_ALG_AEAD, alg_bytes(aead, key))
                            .attr(XFRMA_REPLAY_ESN_VAL, esn)
                            .bytes();
  EXPECT_EQ(bytes_of(*msg), expected);
}

struct IntegCase {
  ike::IntegId id;
  const char* name;
  std::size_t key_bytes;
  std::uint32_t trunc_bits;
};

TEST(XfrmNewsa, IntegrityNamesAndTruncation) {
  const IntegCase cases[] = {
      {.id = ike::IntegId::kHmacSha2_256_128, .name = "hmac(sha256)", .key_bytes = 32, .trunc_bits = 128},
      {.id = ike::IntegId::kHmacSha2_384_192, .name = "hmac(sha384)", .key_bytes = 48, .trunc_bits = 192},
      {.id = ike::IntegId::kHmacSha2_512_256, .name = "hmac(sha512)", .key_bytes = 64, .trunc_bits = 256},
      {.id = ike::IntegId::kHmacSha1_96, .name = "hmac(sha1)", .key_bytes = 20, .trunc_bits = 96},
  };
  const auto ekey = pattern(32, 0);
  for (const auto& c : cases) {
    const auto ikey = pattern(c.key_bytes, 0x55);
    const SaData data{.reqid = owned_reqid(4),
                      .encr = {.id = ike::EncrId::kAesCbc, .key_bits = 256, .key = ekey},
                      .integ = {.id = c.id, .key = ikey},
                      .replay_window = 0};
    auto msg = build_newsa({.src = kLeft, .dst = kRight, .spi = ike::EspSpi(0x2000)}, data, 2);
    ASSERT_TRUE(msg) << c.name << ": " << msg.error().message;
    auto auth = zero<xfrm_algo_auth>();
    std::strcpy(auth.alg_name, c.name);
    auth.alg_key_len = static_cast<unsigned>(c.key_bytes * 8);
    auth.alg_trunc_len = c.trunc_bits;
    const auto want = alg_bytes(auth, ikey);
    // The AUTH_TRUNC attribute is the last one: its payload ends the message.
    const auto got = bytes_of(*msg);
    const std::size_t padded = NLA_ALIGN(want.size());
    ASSERT_GE(got.size(), padded);
    EXPECT_EQ(std::vector<std::uint8_t>(got.end() - static_cast<long>(padded),
                                        got.end() - static_cast<long>(padded - want.size())),
              want)
        << c.name;
  }
}

TEST(XfrmNewsa, RejectsWhatTheKernelWouldMisread) {
  const auto k20 = pattern(20, 0), k32 = pattern(32, 0), k16 = pattern(16, 0);
  const SaId id{.src = kLeft, .dst = kRight, .spi = ike::EspSpi(0x3000)};
  // GCM key without its salt.
  EXPECT_FALSE(build_newsa(id, {.encr = {.id = ike::EncrId::kAesGcm16, .key_bits = 256, .key = k32}}, 1));
  // AEAD with an integrity transform.
  EXPECT_FALSE(build_newsa(id, {.encr = {.id = ike::EncrId::kAesGcm16, .key_bits = 128, .key = k20},
                                .integ = {.id = ike::IntegId::kHmacSha2_256_128, .key = k32}}, 1));
  // CBC without integrity, and an integrity key of the wrong length.
  EXPECT_FALSE(build_newsa(id, {.encr = {.id = ike::EncrId::kAesCbc, .key_bits = 128, .key = k16}}, 1));
  EXPECT_FALSE(build_newsa(id, {.encr = {.id = ike::EncrId::kAesCbc, .key_bits = 128, .key = k16},
                                .integ = {.id = ike::IntegId::kHmacSha2_256_128, .key = k20}}, 1));
  // Transforms the backend does not map.
  auto r = build_newsa(id, {.encr = {.id = ike::EncrId::k3Des, .key_bits = 0, .key = k32}}, 1);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("not supported"), std::string::npos) << r.error().message;
  EXPECT_FALSE(build_newsa(id, {.encr = {.id = ike::EncrId::kAesCbc, .key_bits = 128, .key = k16},
                                .integ = {.id = ike::IntegId::kAesXcbc96, .key = k16}}, 1));
  // Outer addresses of two families.
  EXPECT_FALSE(build_newsa({.src = kLeft, .dst = v6(0x2001, 1), .spi = ike::EspSpi(1)},
                           {.encr = {.id = ike::EncrId::kAesGcm16, .key_bits = 128, .key = k20}}, 1));
}

TEST(XfrmRequests, AllocSpi) {
  auto u = zero<xfrm_userspi_info>();
  u.info.saddr = xa(kRight);
  u.info.id.daddr = xa(kLeft);
  u.info.id.proto = IPPROTO_ESP;
  u.info.family = AF_INET;
  u.info.reqid = 0xA5D00005;
  u.min = 0xc0000000;
  u.max = 0xcfffffff;
  EXPECT_EQ(bytes_of(build_allocspi(kRight, kLeft, owned_reqid(5), 3)),
            ExpectedNl(XFRM_MSG_ALLOCSPI, NLM_F_REQUEST, 3).body(u).bytes());
}

TEST(XfrmRequests, DelSaAndGetSa) {
  const SaId id{.src = kLeft, .dst = kRight, .spi = ike::EspSpi(0xc0000010),
                .mark = {.value = 1, .mask = 0xffffffff}};
  auto uid = zero<xfrm_usersa_id>();
  uid.daddr = xa(kRight);
  uid.spi = htonl(0xc0000010);
  uid.family = AF_INET;
  uid.proto = IPPROTO_ESP;
  auto mark = zero<xfrm_mark>();
  mark.v = 1;
  mark.m = 0xffffffff;
  const auto src = xa(kLeft);
  EXPECT_EQ(bytes_of(build_delsa(id, 4)),
            ExpectedNl(XFRM_MSG_DELSA, NLM_F_REQUEST | NLM_F_ACK, 4)
                .body(uid).attr(XFRMA_SRCADDR, src).attr(XFRMA_MARK, mark).bytes());
  const SaId nomark{.src = kLeft, .dst = kRight, .spi = ike::EspSpi(0xc0000010)};
  EXPECT_EQ(bytes_of(build_getsa(nomark, 5)),
            ExpectedNl(XFRM_MSG_GETSA, NLM_F_REQUEST, 5).body(uid).attr(XFRMA_SRCADDR, src).bytes());
}

// A forward policy of a 4-in-6 tunnel: IPv4 selector, IPv6 template.
TEST(XfrmRequests, NewPolicyFwdTemplateMarkIfId) {
  const IpAddress l6 = v6(0x2001, 1), r6 = v6(0x2001, 2);
  const PolicyId id{.sel = {.src = {.addr = v4(10, 2, 0, 0), .len = 24},
                            .dst = {.addr = v4(10, 1, 0, 0), .len = 24}},
                    .dir = PolicyDir::kFwd, .mark = {.value = 3, .mask = 3}, .if_id = 42};
  const PolicyData data{.action = PolicyAction::kProtect, .priority = 0,
                        .sa = {.src = r6, .dst = l6, .reqid = owned_reqid(6), .mode = IpsecMode::kTunnel}};
  auto p = zero<xfrm_userpolicy_info>();
  p.sel.saddr = xa(v4(10, 2, 0, 0));
  p.sel.daddr = xa(v4(10, 1, 0, 0));
  p.sel.family = AF_INET;
  p.sel.prefixlen_s = 24;
  p.sel.prefixlen_d = 24;
  p.lft = infinite_lft();
  p.priority = 200000 - 48 * 256;
  p.dir = XFRM_POLICY_FWD;
  p.action = XFRM_POLICY_ALLOW;
  p.share = XFRM_SHARE_ANY;
  auto t = zero<xfrm_user_tmpl>();
  t.id.daddr = xa(l6);
  t.id.proto = IPPROTO_ESP;
  t.family = AF_INET6;
  t.saddr = xa(r6);
  t.reqid = 0xA5D00006;
  t.mode = XFRM_MODE_TUNNEL;
  t.aalgos = t.ealgos = t.calgos = ~0u;
  auto mark = zero<xfrm_mark>();
  mark.v = 3;
  mark.m = 3;
  const std::uint32_t if_id = 42;
  EXPECT_EQ(bytes_of(build_newpolicy(id, data, 6)),
            ExpectedNl(XFRM_MSG_NEWPOLICY, NLM_F_REQUEST | NLM_F_ACK, 6)
                .body(p).attr(XFRMA_TMPL, t).attr(XFRMA_MARK, mark).attr(XFRMA_IF_ID, if_id).bytes());
}

TEST(XfrmRequests, NewPolicyDropHasNoTemplateAndKeepsPriority) {
  const PolicyId id{.sel = {.src = {.addr = kLeft, .len = 32}, .dst = {.addr = kRight, .len = 32},
                            .proto = IPPROTO_TCP, .src_port = 1024, .dst_port = 80},
                    .dir = PolicyDir::kOut};
  auto p = zero<xfrm_userpolicy_info>();
  p.sel = zero<xfrm_selector>();
  p.sel.saddr = xa(kLeft);
  p.sel.daddr = xa(kRight);
  p.sel.family = AF_INET;
  p.sel.prefixlen_s = p.sel.prefixlen_d = 32;
  p.sel.proto = IPPROTO_TCP;
  p.sel.sport = htons(1024);
  p.sel.sport_mask = 0xffff;
  p.sel.dport = htons(80);
  p.sel.dport_mask = 0xffff;
  p.lft = infinite_lft();
  p.priority = 1234;
  p.dir = XFRM_POLICY_OUT;
  p.action = XFRM_POLICY_BLOCK;
  p.share = XFRM_SHARE_ANY;
  EXPECT_EQ(bytes_of(build_newpolicy(id, {.action = PolicyAction::kDrop, .priority = 1234}, 8)),
            ExpectedNl(XFRM_MSG_NEWPOLICY, NLM_F_REQUEST | NLM_F_ACK, 8).body(p).bytes());
}

TEST(XfrmRequests, DelPolicyBySelectorAndByIndex) {
  const PolicyId id{.sel = {.src = {.addr = kLeft, .len = 24}, .dst = {.addr = kRight, .len = 24}},
                    .dir = PolicyDir::kIn, .if_id = 9};
  auto p = zero<xfrm_userpolicy_id>();
  p.sel.saddr = xa(kLeft);
  p.sel.daddr = xa(kRight);
  p.sel.family = AF_INET;
  p.sel.prefixlen_s = p.sel.prefixlen_d = 24;
  p.dir = XFRM_POLICY_IN;
  const std::uint32_t if_id = 9;
  EXPECT_EQ(bytes_of(build_delpolicy(id, 10)),
            ExpectedNl(XFRM_MSG_DELPOLICY, NLM_F_REQUEST | NLM_F_ACK, 10).body(p).attr(XFRMA_IF_ID, if_id).bytes());

  auto q = zero<xfrm_userpolicy_id>();
  q.index = 0x1234;
  q.dir = XFRM_POLICY_FWD;
  EXPECT_EQ(bytes_of(build_delpolicy_index(0x1234, PolicyDir::kFwd, {}, 0, 11)),
            ExpectedNl(XFRM_MSG_DELPOLICY, NLM_F_REQUEST | NLM_F_ACK, 11).body(q).bytes());
}

TEST(XfrmRequests, Dump) {
  EXPECT_EQ(bytes_of(build_dump(XFRM_MSG_GETPOLICY, 12)),
            ExpectedNl(XFRM_MSG_GETPOLICY, NLM_F_REQUEST | NLM_F_DUMP, 12).bytes());
}

TEST(XfrmRequests, DefaultPriorityPrefersSpecificSelectors) {
  const Selector wide{.src = {.addr = kLeft, .len = 16}, .dst = {.addr = kRight, .len = 16}};
  Selector narrow = wide;
  narrow.dst.len = 32;
  Selector port = narrow;
  port.proto = IPPROTO_TCP;
  port.dst_port = 443;
  EXPECT_LT(default_priority(narrow), default_priority(wide));
  EXPECT_LT(default_priority(port), default_priority(narrow));
  EXPECT_GT(default_priority(Selector{}), 0u);
}

}  // namespace
}  // namespace answerd::kernel::xfrm
