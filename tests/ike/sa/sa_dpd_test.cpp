// Liveness checks (RFC 7296 2.4) when `dpd_delay` is set (DESIGN.md: off by
// default): an empty INFORMATIONAL request after dpd_delay without any
// authenticated message from the peer; a peer that answers none of the
// retransmits is dead and its IKE SA and Child SAs are deleted locally.
#include "informational_peer.h"

namespace answerd::sa::test {
namespace {

using namespace std::chrono_literals;
using ike::ExchangeType;

TEST(Dpd, OffByDefault) {
  Harness h;
  Initiator ini(Suite{}, 401, spoke_ep(), hub_ep());
  establish(h, ini);
  const auto up = h.now;
  EXPECT_EQ(h.r.next_timer(), up + 4h + 24min) << "only the hard lifetime";
  for (int i = 0; i < 26; ++i) {
    h.now += 10min;
    EXPECT_TRUE(tick(h, ini).empty());
  }
  EXPECT_EQ(h.r.stats().liveness_checks, 0u);
  EXPECT_EQ(h.r.ike_sa_count(), 1u);
}

TEST(Dpd, EmptyRequestAfterSilenceAndAnsweredKeepsTheSa) {
  Harness h(with_dpd("30s"));
  Initiator ini(Suite{}, 402, spoke_ep(), hub_ep());
  establish(h, ini);
  EXPECT_EQ(h.r.next_timer(), h.now + 30s);
  h.now += 29s;
  EXPECT_TRUE(tick(h, ini).empty());
  h.now += 1s;
  // <-- INFORMATIONAL { HDR (mid 0), SK { } }
  auto req = our_request(ini, tick(h, ini));
  EXPECT_TRUE(req.payloads.empty());
  EXPECT_EQ(req.header.message_id.value(), 0u);
  EXPECT_EQ(h.r.stats().liveness_checks, 1u);
  h.now += 2s;
  Datagram a{.local = ini.peer, .remote = ini.self, .bytes = answer(ini, 0)};
  Output out = h.r.handle(a, h.now);
  EXPECT_EQ(out.requests_done.size(), 1u);
  EXPECT_EQ(state_of(h), "ESTABLISHED");
  EXPECT_EQ(h.dp.sas.size(), 2u);
  // The next check counts from the answer.
  EXPECT_EQ(h.r.next_timer(), h.now + 30s);
  h.now += 30s;
  EXPECT_EQ(our_request(ini, tick(h, ini)).header.message_id.value(), 1u);
}

TEST(Dpd, TrafficFromThePeerPostponesTheCheck) {
  Harness h(with_dpd("30s"));
  Initiator ini(Suite{}, 403, spoke_ep(), hub_ep());
  establish(h, ini);
  h.now += 20s;
  // INFORMATIONAL { HDR, SK { } } --> (the peer's own liveness check)
  ASSERT_TRUE(ini.open(h.send(ini, ini.encrypted(ExchangeType::kInformational, {}))));
  h.now += 10s;
  EXPECT_TRUE(tick(h, ini).empty());
  h.now += 20s;
  EXPECT_EQ(tick(h, ini).size(), 1u);
}

TEST(Dpd, DeadPeerIsDeletedLocally) {
  Options o = quick_retransmits();
  Harness h(with_dpd("10s"), o);
  Initiator ini(Suite{}, 404, spoke_ep(), hub_ep());
  establish(h, ini);
  ASSERT_EQ(h.dp.sas.size(), 2u);
  h.now += 10s;
  const auto first = tick(h, ini);
  ASSERT_EQ(first.size(), 1u);
  int sent = 1;
  Output last;
  for (int s = 1; s <= 7; ++s) {
    h.now += 1s;
    auto again = tick(h, ini, &last);
    if (!again.empty()) {
      EXPECT_EQ(again, first);
    }
    sent += static_cast<int>(again.size());
  }
  EXPECT_EQ(sent, 3);
  EXPECT_EQ(last.requests_done.size(), 1u);
  EXPECT_TRUE(h.r.snapshot(h.now).empty());
  EXPECT_TRUE(h.dp.sas.empty()) << "the dead peer's Child SAs leave the kernel";
  EXPECT_TRUE(h.dp.policies.empty());
  EXPECT_EQ(h.r.stats().requests_given_up, 1u);
  // Nothing more is sent for it.
  h.now += 1min;
  EXPECT_TRUE(tick(h, ini).empty());
}

TEST(Dpd, HalfOpenSasAreNotChecked) {
  Harness h(with_dpd("5s"));
  Initiator ini(Suite{}, 405, spoke_ep(), hub_ep());
  do_init(h, ini);
  h.now += 10s;
  EXPECT_TRUE(tick(h, ini).empty());
  EXPECT_EQ(h.r.stats().liveness_checks, 0u);
}

}  // namespace
}  // namespace answerd::sa::test
