// Parsers of kernel replies and events, fed with messages assembled here from the
// uapi structs the way the kernel's xfrm_user.c fills them.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <linux/xfrm.h>

#include <cstring>
#include <vector>

#include "kernel/xfrm/xfrm_messages.h"
#include "tests/kernel/xfrm/expected_nl.h"
#include "tests/kernel/xfrm/xfrm_test_values.h"

namespace answerd::kernel::xfrm {
namespace {

using testing::ExpectedNl;
using testing::zero;

const nlmsghdr* hdr(const std::vector<std::uint8_t>& b) {
  return reinterpret_cast<const nlmsghdr*>(b.data());
}

xfrm_usersa_info sample_sa() {
  auto sa = zero<xfrm_usersa_info>();
  const std::uint8_t s[4] = {192, 0, 2, 1}, d[4] = {192, 0, 2, 2};
  std::memcpy(&sa.saddr, s, 4);
  std::memcpy(&sa.id.daddr, d, 4);
  sa.id.spi = htonl(0xc0ffee01);
  sa.id.proto = IPPROTO_ESP;
  sa.family = AF_INET;
  sa.reqid = 0xA5D00007;
  sa.mode = XFRM_MODE_TUNNEL;
  sa.curlft.bytes = 123456;
  sa.curlft.packets = 789;
  sa.curlft.add_time = 1700000000;
  sa.curlft.use_time = 1700000005;
  return sa;
}

TEST(XfrmParse, NewSaReplyWithCountersMarkAndIfId) {
  auto mark = zero<xfrm_mark>();
  mark.v = 5;
  mark.m = 0xf;
  const std::uint32_t if_id = 77;
  const auto b = ExpectedNl(XFRM_MSG_NEWSA, 0, 1).body(sample_sa())
                     .attr(XFRMA_MARK, mark).attr(XFRMA_IF_ID, if_id).bytes();
  auto sa = parse_sa(hdr(b));
  ASSERT_TRUE(sa);
  EXPECT_EQ(sa->id.spi, ike::EspSpi(0xc0ffee01));
  EXPECT_EQ(sa->id.src.family, 4);
  EXPECT_EQ(sa->id.src.bytes[3], 1);
  EXPECT_EQ(sa->id.dst.bytes[3], 2);
  EXPECT_EQ(sa->reqid, ike::Reqid(0xA5D00007));
  EXPECT_EQ(sa->mode, IpsecMode::kTunnel);
  EXPECT_EQ(sa->stats.bytes, 123456u);
  EXPECT_EQ(sa->stats.packets, 789u);
  EXPECT_EQ(sa->stats.add_time, 1700000000u);
  EXPECT_EQ(sa->stats.use_time, 1700000005u);
  EXPECT_EQ(sa->id.mark, (Mark{.value = 5, .mask = 0xf}));
  EXPECT_EQ(sa->id.if_id, 77u);
}

TEST(XfrmParse, RejectsShortOrOtherMessages) {
  auto b = ExpectedNl(XFRM_MSG_NEWSA, 0, 1).body(sample_sa()).bytes();
  b.resize(sizeof(nlmsghdr) + 100);
  const std::uint32_t len = static_cast<std::uint32_t>(b.size());
  std::memcpy(b.data(), &len, sizeof(len));
  EXPECT_FALSE(parse_sa(hdr(b)));
  const auto del = ExpectedNl(XFRM_MSG_DELSA, 0, 1).body(sample_sa()).bytes();
  EXPECT_FALSE(parse_sa(hdr(del)));
  EXPECT_FALSE(parse_expire(hdr(del)));
  EXPECT_FALSE(parse_acquire(hdr(del)));
  EXPECT_FALSE(parse_policy(hdr(del)));
}

TEST(XfrmParse, HardAndSoftExpire) {
  for (std::uint8_t hard : {0, 1}) {
    auto ue = zero<xfrm_user_expire>();
    ue.state = sample_sa();
    ue.hard = hard;
    const auto b = ExpectedNl(XFRM_MSG_EXPIRE, 0, 0).body(ue).bytes();
    auto e = parse_expire(hdr(b));
    ASSERT_TRUE(e);
    EXPECT_EQ(e->hard, hard == 1);
    EXPECT_EQ(e->reqid, ike::Reqid(0xA5D00007));
    EXPECT_EQ(e->sa.spi, ike::EspSpi(0xc0ffee01));
  }
}

TEST(XfrmParse, AcquireTakesOuterAddressesAndReqidFromTheTemplate) {
  auto ua = zero<xfrm_user_acquire>();
  const std::uint8_t a[4] = {10, 9, 0, 1}, b4[4] = {10, 9, 0, 2};
  std::memcpy(&ua.sel.saddr, a, 4);
  std::memcpy(&ua.sel.daddr, b4, 4);
  ua.sel.family = AF_INET;
  ua.sel.prefixlen_s = ua.sel.prefixlen_d = 32;
  ua.sel.proto = IPPROTO_UDP;
  ua.sel.dport = htons(9);
  ua.sel.dport_mask = 0xffff;
  auto t = zero<xfrm_user_tmpl>();
  t.family = AF_INET6;
  t.saddr.a6[3] = htonl(1);
  t.id.daddr.a6[3] = htonl(2);
  t.reqid = 0xA5D00008;
  const auto b = ExpectedNl(XFRM_MSG_ACQUIRE, 0, 0).body(ua).attr(XFRMA_TMPL, t).bytes();
  auto ev = parse_acquire(hdr(b));
  ASSERT_TRUE(ev);
  EXPECT_EQ(ev->reqid, ike::Reqid(0xA5D00008));
  EXPECT_EQ(ev->src.family, 6);
  EXPECT_EQ(ev->src.bytes[15], 1);
  EXPECT_EQ(ev->dst.bytes[15], 2);
  EXPECT_EQ(ev->sel.proto, IPPROTO_UDP);
  EXPECT_EQ(ev->sel.dst_port, 9);
  EXPECT_EQ(ev->sel.src_port, 0);
  EXPECT_EQ(ev->sel.dst.len, 32);
}

TEST(XfrmParse, PolicyDumpEntryWithTwoTemplates) {
  auto p = zero<xfrm_userpolicy_info>();
  p.index = 0x1238;
  p.dir = XFRM_POLICY_FWD;
  p.priority = 4242;
  p.sel.family = AF_INET6;
  p.sel.prefixlen_s = 64;
  std::vector<std::uint8_t> tmpls(2 * sizeof(xfrm_user_tmpl));
  auto t1 = zero<xfrm_user_tmpl>(), t2 = zero<xfrm_user_tmpl>();
  t1.reqid = 7;
  t2.reqid = 0xA5D00009;
  std::memcpy(tmpls.data(), &t1, sizeof(t1));
  std::memcpy(tmpls.data() + sizeof(t1), &t2, sizeof(t2));
  const std::uint32_t if_id = 3;
  const auto b = ExpectedNl(XFRM_MSG_NEWPOLICY, NLM_F_MULTI, 4).body(p)
                     .attr(XFRMA_TMPL, tmpls).attr(XFRMA_IF_ID, if_id).bytes();
  auto info = parse_policy(hdr(b));
  ASSERT_TRUE(info);
  EXPECT_EQ(info->index, 0x1238u);
  EXPECT_EQ(info->dir, PolicyDir::kFwd);
  EXPECT_EQ(info->priority, 4242u);
  EXPECT_EQ(info->if_id, 3u);
  EXPECT_EQ(info->sel.src.len, 64);
  EXPECT_EQ(info->sel.src.addr.family, 6);
  ASSERT_EQ(info->tmpl_reqids.size(), 2u);
  EXPECT_FALSE(is_owned_reqid(info->tmpl_reqids[0]));
  EXPECT_TRUE(is_owned_reqid(info->tmpl_reqids[1]));
}

TEST(XfrmOwnership, ReqidRange) {
  EXPECT_TRUE(is_owned_reqid(owned_reqid(0)));
  EXPECT_TRUE(is_owned_reqid(owned_reqid(0xFFFFF)));
  EXPECT_EQ(owned_reqid(0x100001), owned_reqid(1));  // wraps within the range
  EXPECT_FALSE(is_owned_reqid(ike::Reqid(1)));        // strongSwan's first reqid
  EXPECT_FALSE(is_owned_reqid(ike::Reqid(16384)));    // Libreswan's first reqid
  EXPECT_FALSE(is_owned_reqid(ike::Reqid(0xA5E00000)));
}

}  // namespace
}  // namespace answerd::kernel::xfrm
