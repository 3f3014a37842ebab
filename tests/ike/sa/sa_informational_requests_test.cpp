// answerd's own INFORMATIONAL requests (DELETE on terminate, hard lifetime,
// shutdown): RFC 7296 2.1 retransmission with backoff and give-up, 2.2/2.3 message
// IDs of our side and a window of one, the answer processed, and the XDP
// `outstanding` keys reported when a request ends (Output::requests_done).
#include "informational_peer.h"

namespace answerd::sa::test {
namespace {

using namespace std::chrono_literals;
using ike::ExchangeType;
using ike::PayloadType;

RequestKey key_of(const Initiator& ini, std::uint32_t mid) {
  return RequestKey{.spi_i = ini.spi_i, .spi_r = ini.spi_r, .mid = ike::MessageId(mid)};
}

TEST(OurRequests, TerminateIsRetransmittedWithBackoffUntilAnswered) {
  Harness h;  // default backoff: 4 s, then x1.8
  Initiator ini(Suite{}, 301, spoke_ep(), hub_ep());
  establish(h, ini);
  ASSERT_EQ(h.dp.sas.size(), 2u);
  Output out = h.r.terminate(h.r.snapshot(h.now).at(0).id, h.now);
  const auto first = h.collect(out, ini);
  // <-- INFORMATIONAL { HDR (mid 0), SK { D(IKE) } }
  auto req = our_request(ini, first);
  EXPECT_EQ(req.header.message_id.value(), 0u);
  EXPECT_EQ(ike::body_of<ike::DeletePayload>(*req.find(PayloadType::kDelete))->protocol, ike::ProtocolId::kIke);
  EXPECT_TRUE(h.dp.sas.empty()) << "Child SAs leave the kernel when the DELETE is sent";
  EXPECT_EQ(state_of(h), "DELETING");
  EXPECT_EQ(h.r.ike_sa_count(), 0u);
  EXPECT_EQ(h.r.deleting_count(), 1u);
  EXPECT_EQ(h.r.next_timer(), h.now + 4s);

  h.now += 3999ms;
  EXPECT_TRUE(tick(h, ini).empty());
  h.now += 1ms;
  EXPECT_EQ(tick(h, ini), first) << "a retransmit is the same datagram";
  h.now += 7199ms;
  EXPECT_TRUE(tick(h, ini).empty());
  h.now += 1ms;
  EXPECT_EQ(tick(h, ini), first);
  EXPECT_EQ(h.r.stats().request_retransmits, 2u);

  // INFORMATIONAL response { HDR (mid 0), SK { } } -->
  Datagram d{.local = ini.peer, .remote = ini.self, .bytes = answer(ini, 0)};
  Output ans = h.r.handle(d, h.now);
  EXPECT_TRUE(ans.send.empty());
  EXPECT_EQ(ans.requests_done, std::vector{key_of(ini, 0)});
  EXPECT_EQ(h.r.deleting_count(), 0u);
  EXPECT_TRUE(h.r.snapshot(h.now).empty());
  EXPECT_EQ(h.r.stats().requests_answered, 1u);
  EXPECT_EQ(h.r.next_timer(), std::nullopt);
}

TEST(OurRequests, NoAnswerGivesUpAndDeletesLocally) {
  Harness h(kHubConf, quick_retransmits());
  Initiator ini(Suite{}, 302, spoke_ep(), hub_ep());
  establish(h, ini);
  Output out = h.r.terminate(h.r.snapshot(h.now).at(0).id, h.now);
  EXPECT_EQ(h.collect(out, ini).size(), 1u);
  int sent = 1;
  Output last;
  for (int s = 1; s <= 7; ++s) {
    h.now += 1s;
    sent += static_cast<int>(tick(h, ini, &last).size());
    if (s < 7) {
      EXPECT_TRUE(last.requests_done.empty()) << "at " << s << " s";
    }
  }
  EXPECT_EQ(sent, 3) << "first send and retransmit_tries = 2 retransmits (at 1 s and 3 s)";
  EXPECT_EQ(last.requests_done, std::vector{key_of(ini, 0)});
  EXPECT_TRUE(h.r.snapshot(h.now).empty());
  EXPECT_EQ(h.r.stats().requests_given_up, 1u);
  EXPECT_EQ(h.r.stats().requests_answered, 0u);
}

TEST(OurRequests, OneOutstandingAndOurMessageIdsCount) {
  Harness h;
  Initiator ini(Suite{}, 303, spoke_ep(), hub_ep());
  auto rec = establish(h, ini);
  const auto ours = esp_spi(*sa_of(rec));
  // A Child SA's hard expire: <-- INFORMATIONAL { HDR (mid 0), SK { D(ESP, our SPI) } }
  Output out = h.r.child_expired(ours, true, h.now);
  auto req = our_request(ini, h.collect(out, ini));
  EXPECT_EQ(req.header.message_id.value(), 0u);
  const auto* d = ike::body_of<ike::DeletePayload>(*req.find(PayloadType::kDelete));
  EXPECT_EQ(d->protocol, ike::ProtocolId::kEsp);
  // The operator terminates while mid 0 is out: D(IKE) waits for the window.
  out = h.r.terminate(h.r.snapshot(h.now).at(0).id, h.now);
  EXPECT_TRUE(h.collect(out, ini).empty());
  // The peer's own request in between uses its counter, not ours.
  auto resp = ini.open(h.send(ini, ini.encrypted(ExchangeType::kInformational, {})));
  ASSERT_TRUE(resp);
  EXPECT_TRUE(resp->header.response());
  // Answer to mid 0 --> then <-- D(IKE) with mid 1.
  Datagram a0{.local = ini.peer, .remote = ini.self, .bytes = answer(ini, 0)};
  out = h.r.handle(a0, h.now);
  EXPECT_EQ(out.requests_done, std::vector{key_of(ini, 0)});
  auto del = our_request(ini, h.collect(out, ini));
  EXPECT_EQ(del.header.message_id.value(), 1u);
  EXPECT_NE(del.find(PayloadType::kDelete), nullptr);
  // A second copy of the answer to mid 0 is outside our window now.
  out = h.r.handle(a0, h.now);
  EXPECT_TRUE(out.send.empty());
  EXPECT_EQ(h.r.stats().unsolicited_responses, 1u);
  EXPECT_EQ(state_of(h), "DELETING");
  Datagram a1{.local = ini.peer, .remote = ini.self, .bytes = answer(ini, 1)};
  out = h.r.handle(a1, h.now);
  EXPECT_EQ(out.requests_done, std::vector{key_of(ini, 1)});
  EXPECT_TRUE(h.r.snapshot(h.now).empty());
  EXPECT_EQ(h.r.stats().requests_sent, 2u);
}

TEST(OurRequests, ForgedOrMisnumberedAnswersAreIgnored) {
  Harness h;
  Initiator ini(Suite{}, 304, spoke_ep(), hub_ep());
  establish(h, ini);
  Output out = h.r.terminate(h.r.snapshot(h.now).at(0).id, h.now);
  h.collect(out, ini);
  Datagram wrong{.local = ini.peer, .remote = ini.self, .bytes = answer(ini, 5)};
  EXPECT_TRUE(h.r.handle(wrong, h.now).requests_done.empty());
  EXPECT_EQ(h.r.stats().unsolicited_responses, 1u);
  Datagram forged{.local = ini.peer, .remote = ini.self, .bytes = answer(ini, 0)};
  forged.bytes.back() ^= 0x01;  // ICV broken
  EXPECT_TRUE(h.r.handle(forged, h.now).requests_done.empty());
  EXPECT_EQ(h.r.stats().decrypt_failed, 1u);
  EXPECT_EQ(state_of(h), "DELETING");
}

TEST(OurRequests, CrossingDeleteFromThePeerIsAnswered) {
  Harness h;
  Initiator ini(Suite{}, 305, spoke_ep(), hub_ep());
  establish(h, ini);
  Output out = h.r.terminate(h.r.snapshot(h.now).at(0).id, h.now);
  h.collect(out, ini);
  // INFORMATIONAL { HDR, SK { D(IKE) } } -->  while ours is out: <-- { HDR, SK { } }
  Datagram d{.local = ini.peer, .remote = ini.self, .bytes = ini.encrypted(ExchangeType::kInformational, {delete_ike()})};
  out = h.r.handle(d, h.now);
  auto resp = ini.open(h.collect(out, ini));
  ASSERT_TRUE(resp);
  EXPECT_TRUE(resp->header.response());
  EXPECT_EQ(out.requests_done, std::vector{key_of(ini, 0)});
  EXPECT_TRUE(h.r.snapshot(h.now).empty());
}

TEST(OurRequests, HardLifetimeDeleteIsRetransmitted) {
  Harness h(kHubConf, quick_retransmits());
  Initiator ini(Suite{}, 306, spoke_ep(), hub_ep());
  establish(h, ini);
  h.now += 4h + 24min;  // rekey_time 4h + 10% over_time
  const auto first = tick(h, ini);
  EXPECT_NE(our_request(ini, first).find(PayloadType::kDelete), nullptr);
  h.now += 1s;
  EXPECT_EQ(tick(h, ini), first);
  Datagram a{.local = ini.peer, .remote = ini.self, .bytes = answer(ini, 0)};
  EXPECT_EQ(h.r.handle(a, h.now).requests_done, std::vector{key_of(ini, 0)});
  EXPECT_TRUE(h.r.snapshot(h.now).empty());
}

TEST(OurRequests, TerminateTwiceRemovesAtOnce) {
  Harness h;
  Initiator ini(Suite{}, 307, spoke_ep(), hub_ep());
  establish(h, ini);
  const auto id = h.r.snapshot(h.now).at(0).id;
  Output out = h.r.terminate(id, h.now);
  h.collect(out, ini);
  EXPECT_TRUE(h.r.has_ike_sa(id));
  out = h.r.terminate(id, h.now);
  EXPECT_TRUE(out.send.empty());
  EXPECT_EQ(out.requests_done, std::vector{key_of(ini, 0)});
  EXPECT_FALSE(h.r.has_ike_sa(id));
}

TEST(OurRequests, ShutdownDeletesEveryEstablishedSaAndDropsHalfOpenOnes) {
  Harness h;
  Initiator a(Suite{}, 308, spoke_ep(10), hub_ep()), b(Suite{}, 309, spoke_ep(11), hub_ep()),
      c(Suite{}, 310, spoke_ep(12), hub_ep());
  establish(h, a);
  establish(h, b, "b.spoke.example");
  do_init(h, c);
  ASSERT_EQ(h.r.ike_sa_count(), 3u);
  Output out = h.r.shutdown(h.now);
  std::size_t deletes = 0;
  for (const auto& s : out.send) {
    const Initiator& to = s.remote == a.self ? a : b;
    auto r = to.open({s.bytes});
    ASSERT_TRUE(r);
    EXPECT_NE(r->find(PayloadType::kDelete), nullptr);
    ++deletes;
    emitted_log().push_back(s.bytes);
  }
  EXPECT_EQ(deletes, 2u);
  EXPECT_EQ(h.r.ike_sa_count(), 0u);
  EXPECT_EQ(h.r.deleting_count(), 2u);
  EXPECT_EQ(h.r.half_open_count(), 0u);
  EXPECT_TRUE(h.dp.sas.empty());
}

}  // namespace
}  // namespace answerd::sa::test
