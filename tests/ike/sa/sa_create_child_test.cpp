// CREATE_CHILD_SA (RFC 7296 1.3) started by the peer: an additional Child SA, a
// Child SA rekey with and without PFS, and an IKE SA rekey whose new keys the
// initiator derives on its own (RFC 7296 2.18) and then uses.
#include "helpers.h"

namespace answerd::sa::test {
namespace {

using ike::ExchangeType;
using ike::NotifyType;
using ike::PayloadType;

const Suite kX25519{};

Bytes nonce(Initiator& ini) {
  Bytes n(32);
  ini.rng.fill(n);
  return n;
}

Bytes nonce_of(const Received& r) { return ike::body_of<ike::NoncePayload>(*r.find(PayloadType::kNonce))->data; }

std::vector<ike::Payload> create_child_request(ike::SaPayload sa, const Bytes& ni, std::vector<ike::Payload> extra = {}) {
  std::vector<ike::Payload> ps = std::move(extra);
  ps.push_back(ike::make_payload(std::move(sa)));
  ps.push_back(ike::make_payload(ike::NoncePayload{ni}));
  ps.push_back(ike::make_payload(ike::PayloadType::kTsi, ike::TsPayload{{ts4("10.2.0.0", "10.2.255.255")}}));
  ps.push_back(ike::make_payload(ike::PayloadType::kTsr, ike::TsPayload{{ts4("10.1.0.0", "10.1.255.255")}}));
  return ps;
}

TEST(CreateChildSa, AdditionalChildSa) {
  Harness h;
  Initiator ini(kX25519, 51, spoke_ep(), hub_ep());
  establish(h, ini);
  const ike::EspSpi peer2{0x22220002};
  const Bytes ni = nonce(ini);
  // CREATE_CHILD_SA { HDR, SK { SA, Ni, TSi, TSr } } -->
  auto rec = ini.open(h.send(ini, ini.encrypted(ExchangeType::kCreateChildSa,
                                               create_child_request(esp_offer(peer2, ike::EncrId::kAesGcm16, 256), ni))));
  ASSERT_TRUE(rec);
  // <-- { HDR, SK { SA, Nr, TSi, TSr } }
  ASSERT_NE(sa_of(*rec), nullptr);
  const auto ours = esp_spi(*sa_of(*rec));
  EXPECT_EQ(h.dp.sas.size(), 4u);
  const auto keys = ini.child_keys({.encr = ike::EncrId::kAesGcm16, .encr_key_bits = 256, .integ = ike::IntegId::kNone}, {},
                                   ni, nonce_of(*rec));
  EXPECT_TRUE(keys.encr_i2r.equals(h.dp.sas.at(ours.value()).encr_key));
  EXPECT_TRUE(keys.encr_r2i.equals(h.dp.sas.at(peer2.value()).encr_key));
  EXPECT_EQ(h.r.snapshot(h.now).at(0).child_sas.size(), 2u);
}

TEST(CreateChildSa, ChildRekeyThenDeleteOfTheOldKeepsPolicies) {
  Harness h;
  Initiator ini(kX25519, 52, spoke_ep(), hub_ep());
  auto first = establish(h, ini);
  const auto old_ours = esp_spi(*sa_of(first));
  const ike::EspSpi peer2{0x22220003};
  // CREATE_CHILD_SA { HDR, SK { N(REKEY_SA), SA, Ni, TSi, TSr } } -->
  auto rec = ini.open(h.send(
      ini, ini.encrypted(ExchangeType::kCreateChildSa,
                         create_child_request(esp_offer(peer2, ike::EncrId::kAesGcm16, 256), nonce(ini),
                                              {ike::make_child_sa_notify(NotifyType::kRekeySa, ike::ProtocolId::kEsp, kPeerSpi)}))));
  ASSERT_TRUE(rec);
  ASSERT_NE(sa_of(*rec), nullptr);
  EXPECT_EQ(h.r.stats().child_rekeyed, 1u);
  EXPECT_EQ(h.dp.sas.size(), 4u);
  EXPECT_EQ(h.dp.policies.size(), 3u);  // shared by old and new
  // INFORMATIONAL { HDR, SK { D(ESP, old) } } -->  <-- { D(ESP, our old SPI) }
  const auto b = kPeerSpi.bytes();
  auto del = ini.open(h.send(ini, ini.encrypted(ExchangeType::kInformational,
                                                {ike::make_payload(ike::DeletePayload{ike::ProtocolId::kEsp, 4, {Bytes(b.begin(), b.end())}})})));
  ASSERT_TRUE(del);
  const auto* d = ike::body_of<ike::DeletePayload>(*del->find(PayloadType::kDelete));
  const auto old_bytes = old_ours.bytes();
  EXPECT_EQ(d->spis.at(0), Bytes(old_bytes.begin(), old_bytes.end()));
  EXPECT_EQ(h.dp.sas.size(), 2u);
  EXPECT_EQ(h.dp.policies.size(), 3u);
}

TEST(CreateChildSa, RekeyOfAnUnknownChildIsChildSaNotFound) {
  Harness h;
  Initiator ini(kX25519, 53, spoke_ep(), hub_ep());
  establish(h, ini);
  auto rec = ini.open(h.send(
      ini, ini.encrypted(ExchangeType::kCreateChildSa,
                         create_child_request(esp_offer(ike::EspSpi(0x33330001), ike::EncrId::kAesGcm16, 256), nonce(ini),
                                              {ike::make_child_sa_notify(NotifyType::kRekeySa, ike::ProtocolId::kEsp,
                                                                         ike::EspSpi(0x99999999))}))));
  ASSERT_TRUE(rec);
  EXPECT_NE(rec->notify(NotifyType::kChildSaNotFound), nullptr);
  EXPECT_EQ(h.dp.sas.size(), 2u);
}

TEST(CreateChildSa, ChildWithPfs) {
  Harness h;
  Initiator ini(kX25519, 54, spoke_ep(), hub_ep());
  establish(h, ini);
  const ike::EspSpi peer2{0x22220004};
  const Bytes ni = nonce(ini);
  auto ke = std::move(*crypto::make_key_exchange(ike::DhGroup::kModp2048, ini.rng));
  const auto pv = ke->public_value();
  // CREATE_CHILD_SA { HDR, SK { SA(PFS MODP-2048), Ni, KEi, TSi, TSr } } -->
  auto req = create_child_request(esp_offer(peer2, ike::EncrId::kAesGcm16, 256, ike::IntegId::kNone, ike::DhGroup::kModp2048), ni);
  req.insert(req.begin() + 2, ike::make_payload(ike::KePayload{ike::DhGroup::kModp2048, Bytes(pv.begin(), pv.end())}));
  auto rec = ini.open(h.send(ini, ini.encrypted(ExchangeType::kCreateChildSa, req)));
  ASSERT_TRUE(rec);
  // <-- { HDR, SK { SA, Nr, KEr, TSi, TSr } }
  const auto* ker = rec->find(PayloadType::kKe);
  ASSERT_NE(ker, nullptr);
  auto gir = ke->shared_secret(ike::body_of<ike::KePayload>(*ker)->data);
  ASSERT_TRUE(gir);
  const auto ours = esp_spi(*sa_of(*rec));
  const auto keys = ini.child_keys({.encr = ike::EncrId::kAesGcm16, .encr_key_bits = 256, .integ = ike::IntegId::kNone},
                                   gir->view(), ni, nonce_of(*rec));
  EXPECT_TRUE(keys.encr_i2r.equals(h.dp.sas.at(ours.value()).encr_key));
  // The wrong group gets INVALID_KE_PAYLOAD naming the one we want.
  auto ke2 = std::move(*crypto::make_key_exchange(ike::DhGroup::kCurve25519, ini.rng));
  const auto pv2 = ke2->public_value();
  auto bad = create_child_request(esp_offer(ike::EspSpi(0x22220005), ike::EncrId::kAesGcm16, 256, ike::IntegId::kNone,
                                            ike::DhGroup::kModp2048), nonce(ini));
  bad.insert(bad.begin() + 2, ike::make_payload(ike::KePayload{ike::DhGroup::kCurve25519, Bytes(pv2.begin(), pv2.end())}));
  auto rec2 = ini.open(h.send(ini, ini.encrypted(ExchangeType::kCreateChildSa, bad)));
  ASSERT_TRUE(rec2);
  ASSERT_NE(rec2->notify(NotifyType::kInvalidKePayload), nullptr);
  EXPECT_EQ(ike::parse_invalid_ke_payload(rec2->notify(NotifyType::kInvalidKePayload)->data), ike::DhGroup::kModp2048);
}

TEST(CreateChildSa, IkeSaRekeyMovesChildrenAndUsesNewKeys) {
  Harness h;
  Initiator ini(kX25519, 55, spoke_ep(), hub_ep());
  establish(h, ini);
  Initiator n(kX25519, 56, spoke_ep(), hub_ep());  // the new IKE SA, initiator side
  auto offer = n.ike_offer({kX25519});
  const auto spi = n.spi_i.bytes();
  offer.proposals[0].spi = Bytes(spi.begin(), spi.end());
  n.ke = std::move(*crypto::make_key_exchange(ike::DhGroup::kCurve25519, n.rng));
  n.ni = nonce(n);
  const auto pv = n.ke->public_value();
  // CREATE_CHILD_SA { HDR, SK { SA(SPI new), Ni, KEi } } -->
  auto rec = ini.open(h.send(ini, ini.encrypted(ExchangeType::kCreateChildSa,
                                               {ike::make_payload(offer), ike::make_payload(ike::NoncePayload{n.ni}),
                                                ike::make_payload(ike::KePayload{ike::DhGroup::kCurve25519, Bytes(pv.begin(), pv.end())})})));
  ASSERT_TRUE(rec);
  // <-- { HDR, SK { SA(SPI new), Nr, KEr } }
  const auto* sar = sa_of(*rec);
  ASSERT_NE(sar, nullptr);
  ASSERT_EQ(sar->proposals.at(0).spi.size(), 8u);
  n.spi_r = ike::IkeSpi::from_wire(std::span<const std::uint8_t, 8>(sar->proposals[0].spi.data(), 8));
  n.nr = nonce_of(*rec);
  auto gir = n.ke->shared_secret(ike::body_of<ike::KePayload>(*rec->find(PayloadType::kKe))->data);
  ASSERT_TRUE(gir);
  // RFC 7296 2.18: SKEYSEED = prf(SK_d (old), g^ir (new) | Ni | Nr)
  auto seed = crypto::rekey_skeyseed(ini.suite.prf, ini.keys.sk_d.view(), gir->view(), n.ni, n.nr);
  n.keys = std::move(*crypto::derive_ike_keys({}, seed->view(), n.ni, n.nr, n.spi_i, n.spi_r));
  n.to_r = std::move(*crypto::make_sk_cipher(ike::EncrId::kAesGcm16, 256, ike::IntegId::kNone, n.keys.sk_ei.view(), {}, n.rng));
  n.from_r = std::move(*crypto::make_sk_cipher(ike::EncrId::kAesGcm16, 256, ike::IntegId::kNone, n.keys.sk_er.view(), {}, n.rng));
  n.next_mid = 0;
  EXPECT_EQ(h.r.ike_sa_count(), 2u);
  // The old IKE SA is deleted by the initiator; the children live on the new one.
  auto del = ini.open(h.send(ini, ini.encrypted(ExchangeType::kInformational,
                                                {ike::make_payload(ike::DeletePayload{ike::ProtocolId::kIke, 0, {}})})));
  ASSERT_TRUE(del);
  EXPECT_EQ(h.r.ike_sa_count(), 1u);
  EXPECT_EQ(h.dp.sas.size(), 2u);
  // INFORMATIONAL on the new SA, message ID 0, with the new keys.
  auto live = n.open(h.send(n, n.encrypted(ExchangeType::kInformational, {})));
  ASSERT_TRUE(live);
  EXPECT_EQ(live->header.spi_r, n.spi_r);
  const auto snap = h.r.snapshot(h.now);
  ASSERT_EQ(snap.size(), 1u);
  EXPECT_EQ(snap[0].child_sas.size(), 1u);
  EXPECT_EQ(snap[0].remote_id, "a.spoke.example");
  EXPECT_EQ(h.r.stats().ike_rekeyed, 1u);
  // The rekeyed SA keeps the identity (unique = no): INITIAL_CONTACT from a new IKE SA
  // of it removes the rekeyed one.
  Initiator fresh(Suite{}, 57, spoke_ep(), hub_ep());
  establish(h, fresh, "a.spoke.example", {}, {ike::make_notify(NotifyType::kInitialContact)});
  EXPECT_EQ(h.r.ike_sa_count(), 1u);
  EXPECT_EQ(h.r.stats().initial_contact_deleted, 1u);
  ASSERT_EQ(h.r.snapshot(h.now).size(), 1u);
  EXPECT_NE(h.r.snapshot(h.now).at(0).spi_r, n.spi_r.value());
}

}  // namespace
}  // namespace answerd::sa::test
