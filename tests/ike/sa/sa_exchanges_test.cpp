// Child SA selection, INFORMATIONAL, CREATE_CHILD_SA, timers and fragmentation
// against the responder engine, driven by the scripted initiator.
#include "informational_peer.h"

namespace answerd::sa::test {
namespace {

using ike::ExchangeType;
using ike::NotifyType;
using ike::PayloadType;

const Suite kX25519{};

ike::Payload delete_esp(ike::EspSpi spi) {
  const auto b = spi.bytes();
  return ike::make_payload(ike::DeletePayload{ike::ProtocolId::kEsp, 4, {Bytes(b.begin(), b.end())}});
}

TEST(ChildSa, TrafficSelectorsAreNarrowedToTheConfig) {
  Harness h;
  Initiator ini(kX25519, 21, spoke_ep(), hub_ep());
  auto rec = establish(h, ini, "a.spoke.example",
                       child_payloads(default_esp(), {ts4("10.0.0.0", "10.255.255.255", 6, 0, 0xffff)},
                                      {ts4("10.1.5.0", "10.1.5.255"), ts4("10.3.0.0", "10.3.0.255")}));
  EXPECT_EQ(ts_of(rec, PayloadType::kTsi), std::vector{ts4("10.2.0.0", "10.2.255.255", 6, 0, 0xffff)});
  EXPECT_EQ(ts_of(rec, PayloadType::kTsr), std::vector{ts4("10.1.5.0", "10.1.5.255")});
}

TEST(ChildSa, TsUnacceptableKeepsTheIkeSa) {
  Harness h;
  Initiator ini(kX25519, 22, spoke_ep(), hub_ep());
  auto rec = establish(h, ini, "a.spoke.example",
                       child_payloads(default_esp(), {ts4("172.16.0.0", "172.16.255.255")}, {ts4("10.1.0.0", "10.1.0.255")}));
  EXPECT_NE(rec.notify(NotifyType::kTsUnacceptable), nullptr);
  EXPECT_TRUE(ini.verify_responder_auth(kPsk, rec));
  EXPECT_EQ(sa_of(rec), nullptr);
  EXPECT_TRUE(h.dp.sas.empty());
  EXPECT_EQ(h.r.snapshot(h.now).at(0).state, "ESTABLISHED");
  EXPECT_EQ(h.r.stats().ts_unacceptable, 1u);
}

TEST(ChildSa, NoEspProposalChosenKeepsTheIkeSa) {
  Harness h;
  Initiator ini(kX25519, 23, spoke_ep(), hub_ep());
  auto rec = establish(h, ini, "a.spoke.example",
                       child_payloads(esp_offer(kPeerSpi, ike::EncrId::kAesCbc, 192, ike::IntegId::kHmacSha1_96),
                                      {ts4("10.2.0.0", "10.2.0.255")}, {ts4("10.1.0.0", "10.1.0.255")}));
  EXPECT_NE(rec.notify(NotifyType::kNoProposalChosen), nullptr);
  EXPECT_EQ(h.r.ike_sa_count(), 1u);
}

TEST(ChildSa, TransportModeWhenBothSidesWantIt) {
  Harness h;
  Initiator ini(kX25519, 24, spoke_ep(), hub_ep());
  auto child = child_payloads(esp_offer(kPeerSpi, ike::EncrId::kAesGcm16, 128), {ts4("198.51.100.10", "198.51.100.10", 17, 1701, 1701)},
                              {ts4("192.0.2.1", "192.0.2.1", 17, 1701, 1701)});
  auto rec = establish(h, ini, "a.spoke.example", child, {ike::make_notify(NotifyType::kUseTransportMode)});
  EXPECT_NE(rec.notify(NotifyType::kUseTransportMode), nullptr);
  ASSERT_NE(sa_of(rec), nullptr);
  const auto spi = esp_spi(*sa_of(rec));
  EXPECT_EQ(h.dp.sas.at(spi.value()).data.mode, kernel::IpsecMode::kTransport);
  EXPECT_EQ(h.dp.policies.size(), 2u);  // no forward policy in transport mode
  EXPECT_EQ(h.r.snapshot(h.now).at(0).child_sas.at(0).name, "host");
}

TEST(ChildSa, ChildlessIkeAuth) {
  Harness h;
  Initiator ini(kX25519, 25, spoke_ep(), hub_ep());
  // IKE_AUTH { HDR, SK { IDi, AUTH } } -->  (RFC 6023)
  auto rec = establish(h, ini, "a.spoke.example", {});
  EXPECT_TRUE(ini.verify_responder_auth(kPsk, rec));
  EXPECT_EQ(sa_of(rec), nullptr);
  EXPECT_TRUE(h.dp.sas.empty());
  EXPECT_EQ(h.r.stats().childless, 1u);
}

TEST(Informational, DeleteChildAnswersWithOurSpi) {
  Harness h;
  Initiator ini(kX25519, 26, spoke_ep(), hub_ep());
  auto rec = establish(h, ini);
  const auto ours = esp_spi(*sa_of(rec));
  // INFORMATIONAL { HDR, SK { D(ESP, SPI of the peer) } } -->
  auto resp = ini.open(h.send(ini, ini.encrypted(ExchangeType::kInformational, {delete_esp(kPeerSpi)})));
  ASSERT_TRUE(resp);
  // <-- { HDR, SK { D(ESP, our SPI) } }
  const auto* d = ike::body_of<ike::DeletePayload>(*resp->find(PayloadType::kDelete));
  ASSERT_EQ(d->spis.size(), 1u);
  EXPECT_EQ(ike::EspSpi::from_wire(std::span<const std::uint8_t, 4>(d->spis[0].data(), 4)), ours);
  EXPECT_TRUE(h.dp.sas.empty());
  EXPECT_TRUE(h.dp.policies.empty());
  EXPECT_EQ(h.r.ike_sa_count(), 1u);
}

TEST(Informational, DeleteIkeSaRemovesEverything) {
  Harness h;
  Initiator ini(kX25519, 27, spoke_ep(), hub_ep());
  establish(h, ini);
  // INFORMATIONAL { HDR, SK { D(IKE) } } -->  <-- { HDR, SK { } }
  auto resp = ini.open(h.send(ini, ini.encrypted(ExchangeType::kInformational,
                                                 {ike::make_payload(ike::DeletePayload{ike::ProtocolId::kIke, 0, {}})})));
  ASSERT_TRUE(resp);
  EXPECT_TRUE(resp->payloads.empty());
  EXPECT_EQ(h.r.ike_sa_count(), 0u);
  EXPECT_TRUE(h.dp.sas.empty());
  EXPECT_TRUE(h.dp.policies.empty());
  // Anything later on that SA is unknown.
  EXPECT_TRUE(h.send(ini, ini.encrypted(ExchangeType::kInformational, {})).empty());
  EXPECT_EQ(h.r.stats().unknown_spi, 1u);
}

TEST(Informational, LivenessCheckGetsAnEmptyAnswer) {
  Harness h;
  Initiator ini(kX25519, 28, spoke_ep(), hub_ep());
  establish(h, ini);
  for (int i = 0; i < 3; ++i) {
    auto resp = ini.open(h.send(ini, ini.encrypted(ExchangeType::kInformational, {})));
    ASSERT_TRUE(resp);
    EXPECT_TRUE(resp->payloads.empty());
    EXPECT_TRUE(resp->header.response());
    EXPECT_EQ(resp->header.message_id.value(), 2u + static_cast<unsigned>(i));
  }
}

TEST(IkeAuth, InitialContactDeletesTheOldSasOfThatIdentity) {
  Harness h;
  Initiator old(kX25519, 29, spoke_ep(), hub_ep());
  establish(h, old);
  Initiator other(kX25519, 30, spoke_ep(20), hub_ep());
  establish(h, other, "b.spoke.example", {});
  ASSERT_EQ(h.dp.sas.size(), 2u);
  Initiator fresh(kX25519, 31, spoke_ep(), hub_ep());
  auto rec = establish(h, fresh, "a.spoke.example", {}, {ike::make_notify(NotifyType::kInitialContact)});
  EXPECT_TRUE(fresh.verify_responder_auth(kPsk, rec));
  EXPECT_EQ(h.r.ike_sa_count(), 2u);  // b.spoke and the fresh a.spoke
  EXPECT_TRUE(h.dp.sas.empty());      // the old a.spoke Child SA went with its IKE SA
  EXPECT_EQ(h.r.stats().initial_contact_deleted, 1u);
}

TEST(Timers, HalfOpenSaTimesOut) {
  Harness h;
  Initiator ini(kX25519, 32, spoke_ep(), hub_ep());
  do_init(h, ini);
  EXPECT_EQ(h.r.half_open_count(), 1u);
  ASSERT_TRUE(h.r.next_timer());
  EXPECT_EQ(*h.r.next_timer(), h.now + std::chrono::seconds(30));
  h.now += std::chrono::seconds(29);
  EXPECT_TRUE(h.r.on_timer(h.now).send.empty());
  EXPECT_EQ(h.r.ike_sa_count(), 1u);
  h.now += std::chrono::seconds(1);
  EXPECT_TRUE(h.r.on_timer(h.now).send.empty());
  EXPECT_EQ(h.r.ike_sa_count(), 0u);
  EXPECT_EQ(h.r.half_open_count(), 0u);
  EXPECT_EQ(h.r.stats().half_open_timeouts, 1u);
  // The late IKE_AUTH finds nothing.
  EXPECT_TRUE(h.send(ini, ini.encrypted(ExchangeType::kIkeAuth, auth_request(ini, "a.spoke.example", kPsk, {}, {}))).empty());
}

TEST(Timers, HardLifetimeSendsDeleteRequest) {
  Harness h;
  Initiator ini(kX25519, 33, spoke_ep(), hub_ep());
  establish(h, ini);
  h.now += std::chrono::hours(4) + std::chrono::minutes(24);  // rekey_time 4h + 10% over_time
  Output out = h.r.on_timer(h.now);
  auto sent = h.collect(out, ini);
  ASSERT_EQ(sent.size(), 1u);
  auto req = ini.open(sent);
  ASSERT_TRUE(req);
  // <-- INFORMATIONAL { HDR (request, I flag clear), SK { D(IKE) } }
  EXPECT_FALSE(req->header.response());
  EXPECT_FALSE(req->header.initiator());
  EXPECT_EQ(req->header.exchange, ExchangeType::kInformational);
  EXPECT_EQ(ike::body_of<ike::DeletePayload>(*req->find(PayloadType::kDelete))->protocol, ike::ProtocolId::kIke);
  EXPECT_EQ(h.r.ike_sa_count(), 0u);
  EXPECT_TRUE(h.dp.sas.empty());
}

TEST(Terminate, OperatorTerminateSendsDelete) {
  Harness h;
  Initiator ini(kX25519, 34, spoke_ep(), hub_ep());
  establish(h, ini);
  const auto id = h.r.snapshot(h.now).at(0).id;
  Output out = h.r.terminate(id, h.now);
  auto req = ini.open(h.collect(out, ini));
  ASSERT_TRUE(req);
  EXPECT_NE(req->find(PayloadType::kDelete), nullptr);
  EXPECT_EQ(h.r.ike_sa_count(), 0u);
}

TEST(Fragments, FragmentedIkeAuthIsReassembled) {
  Harness h;
  Initiator ini(kX25519, 35, spoke_ep(), hub_ep());
  do_init(h, ini);
  // IKE_AUTH { HDR, SKF(1/n) { ... } } ... { HDR, SKF(n/n) } -->
  auto frags = ini.fragments(ExchangeType::kIkeAuth, auth_request(ini, "a.spoke.example", kPsk, {}, default_child()), 60);
  ASSERT_GE(frags.size(), 3u);
  std::vector<Bytes> resp;
  for (std::size_t i = 0; i + 1 < frags.size(); ++i) EXPECT_TRUE(h.send(ini, frags[i]).empty());
  resp = h.send(ini, frags.back());
  auto rec = ini.open(resp);
  ASSERT_TRUE(rec);
  EXPECT_TRUE(ini.verify_responder_auth(kPsk, *rec));
  EXPECT_EQ(h.r.stats().fragments_received, frags.size());
  // A retransmitted first fragment gets the cached response; other fragments nothing.
  EXPECT_EQ(h.send(ini, frags[0]), resp);
  EXPECT_TRUE(h.send(ini, frags[1]).empty());
}

TEST(Fragments, LargeResponseIsFragmentedAndResentWhole) {
  Options o;
  o.fragment_size = 200;
  Harness h(kHubConf, o);
  Initiator ini(kX25519, 36, spoke_ep(), hub_ep());
  do_init(h, ini);
  const Bytes auth = ini.encrypted(ExchangeType::kIkeAuth, auth_request(ini, "a.spoke.example", kPsk, {}, default_child()));
  auto resp = h.send(ini, auth);
  ASSERT_GE(resp.size(), 2u);
  for (const auto& f : resp) EXPECT_LE(f.size(), 200u);
  auto rec = ini.open(resp);
  ASSERT_TRUE(rec);
  EXPECT_TRUE(ini.verify_responder_auth(kPsk, *rec));
  EXPECT_EQ(h.send(ini, auth), resp);  // every fragment, byte for byte
}

TEST(Fragments, NoFragmentationUnlessThePeerOffersIt) {
  Options o;
  o.fragment_size = 200;
  Harness h(kHubConf, o);
  Initiator ini(kX25519, 37, spoke_ep(), hub_ep());
  ini.offer_fragmentation = false;
  auto r = h.send(ini, ini.init());
  EXPECT_EQ(ike::find_notify(ike::parse_message(r.at(0))->payloads, NotifyType::kIkev2FragmentationSupported), nullptr);
  ASSERT_TRUE(ini.accept_init(r[0]));
  auto resp = h.send(ini, ini.encrypted(ExchangeType::kIkeAuth, auth_request(ini, "a.spoke.example", kPsk, {}, default_child())));
  EXPECT_EQ(resp.size(), 1u);
}

}  // namespace
}  // namespace answerd::sa::test

namespace answerd::sa::test {
namespace {

std::string with_unique(const std::string& value) {
  std::string c = kHubConf;
  c.replace(c.find("    rekey_time = 4h\n"), 19, "    rekey_time = 4h\n    unique = " + value + "\n");
  return c;
}

TEST(Unique, KeepRejectsTheNewSa) {
  Harness h(with_unique("keep"));
  Initiator a(Suite{}, 70, spoke_ep(), hub_ep());
  establish(h, a, "a.spoke.example", {});
  Initiator b(Suite{}, 71, spoke_ep(), hub_ep());
  auto rec = establish(h, b, "a.spoke.example", {});
  EXPECT_NE(rec.notify(ike::NotifyType::kAuthenticationFailed), nullptr);
  EXPECT_EQ(h.r.ike_sa_count(), 1u);
  EXPECT_EQ(h.r.stats().duplicates_resolved, 1u);
}

// The datagrams in `sent` that belong to `ini`'s IKE SA.
std::vector<Bytes> of_sa(const std::vector<Bytes>& sent, const Initiator& ini) {
  std::vector<Bytes> mine;
  for (const auto& d : sent)
    if (auto hdr = ike::parse_header(d); hdr && hdr->spi_i == ini.spi_i) mine.push_back(d);
  return mine;
}

TEST(Unique, ReplaceWithoutInitialContactDeletesTheOldSaAtItsPeer) {
  Harness h(with_unique("replace"));
  Initiator a(Suite{}, 72, spoke_ep(), hub_ep());
  establish(h, a, "a.spoke.example", {});
  Initiator b(Suite{}, 73, spoke_ep(), hub_ep());
  do_init(h, b);
  auto sent = h.send(b, b.encrypted(ExchangeType::kIkeAuth, auth_request(b, "a.spoke.example", kPsk, {}, {})));
  ASSERT_EQ(sent.size(), 2u);
  auto rec = b.open(of_sa(sent, b));
  ASSERT_TRUE(rec.has_value());
  EXPECT_TRUE(b.verify_responder_auth(kPsk, *rec));
  // <-- INFORMATIONAL { D(IKE) } to the replaced SA's peer, a request of ours.
  auto del = our_request(a, of_sa(sent, a));
  const auto* d = del.find(ike::PayloadType::kDelete);
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(ike::body_of<ike::DeletePayload>(*d)->protocol, ike::ProtocolId::kIke);
  EXPECT_EQ(h.r.ike_sa_count(), 1u);  // the old one is DELETING until a answers
  EXPECT_EQ(h.r.stats().duplicates_resolved, 1u);
  EXPECT_EQ(h.r.stats().initial_contact_deleted, 0u);
  EXPECT_TRUE(h.send(a, answer(a, del.header.message_id.value())).empty());
  EXPECT_EQ(h.r.snapshot(h.now).size(), 1u);
}

TEST(Unique, InitialContactRemovesSilentlyAndNeverKeepsBoth) {
  Harness h(with_unique("no"));
  Initiator a(Suite{}, 76, spoke_ep(), hub_ep());
  establish(h, a, "a.spoke.example", {});
  Initiator b(Suite{}, 77, spoke_ep(), hub_ep());
  do_init(h, b);
  auto sent = h.send(b, b.encrypted(ExchangeType::kIkeAuth,
                                    auth_request(b, "a.spoke.example", kPsk,
                                                 {ike::make_notify(ike::NotifyType::kInitialContact)}, {})));
  EXPECT_EQ(sent.size(), 1u);  // the response only: no DELETE to a peer that has rebooted
  EXPECT_EQ(h.r.snapshot(h.now).size(), 1u);
  EXPECT_EQ(h.r.stats().initial_contact_deleted, 1u);
  Harness n(with_unique("never"));
  Initiator c(Suite{}, 74, spoke_ep(), hub_ep());
  establish(n, c, "a.spoke.example", {});
  Initiator d(Suite{}, 75, spoke_ep(), hub_ep());
  establish(n, d, "a.spoke.example", {}, {ike::make_notify(ike::NotifyType::kInitialContact)});
  EXPECT_EQ(n.r.ike_sa_count(), 2u);
}

TEST(HalfOpen, PerSourceLimitDropsFurtherInits) {
  std::string conf = kHubConf;
  conf.replace(conf.find("  cookie_threshold = 50\n"), 23, "  cookie_threshold = 50\n  half_open_per_source = 2\n");
  Harness h(conf);
  for (std::uint64_t i = 0; i < 2; ++i) {
    Initiator ini(Suite{}, 80 + i, spoke_ep(), hub_ep());
    EXPECT_EQ(h.send(ini, ini.init()).size(), 1u);
  }
  Initiator third(Suite{}, 90, spoke_ep(), hub_ep());
  EXPECT_TRUE(h.send(third, third.init()).empty());
  Initiator other(Suite{}, 91, spoke_ep(30), hub_ep());
  EXPECT_EQ(h.send(other, other.init()).size(), 1u);
  EXPECT_EQ(h.r.stats().half_open_limited, 1u);
}

}  // namespace
}  // namespace answerd::sa::test

namespace answerd::sa::test {
namespace {

TEST(KernelEvents, HardExpireDeletesTheChildAndTellsThePeer) {
  Harness h;
  Initiator ini(Suite{}, 95, spoke_ep(), hub_ep());
  auto rec = establish(h, ini);
  const auto ours = esp_spi(*sa_of(rec));
  EXPECT_TRUE(h.r.child_expired(ours, false, h.now).send.empty());
  EXPECT_EQ(h.r.stats().child_soft_expired, 1u);
  EXPECT_EQ(h.dp.sas.size(), 2u);
  Output out = h.r.child_expired(ours, true, h.now);
  auto req = ini.open(h.collect(out, ini));
  ASSERT_TRUE(req);
  // <-- INFORMATIONAL { HDR (request), SK { D(ESP, our inbound SPI) } }
  EXPECT_FALSE(req->header.response());
  EXPECT_EQ(req->header.message_id.value(), 0u);
  const auto* d = ike::body_of<ike::DeletePayload>(*req->find(ike::PayloadType::kDelete));
  const auto b = ours.bytes();
  EXPECT_EQ(d->spis.at(0), Bytes(b.begin(), b.end()));
  EXPECT_TRUE(h.dp.sas.empty());
  EXPECT_TRUE(h.r.snapshot(h.now).at(0).child_sas.empty());
  EXPECT_TRUE(h.r.child_expired(ike::EspSpi(0x1234), true, h.now).send.empty());  // unknown SPI
}

}  // namespace
}  // namespace answerd::sa::test
