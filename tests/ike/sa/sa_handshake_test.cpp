// IKE_SA_INIT and IKE_AUTH against the responder engine: full PSK handshakes with
// three suites, proposal order, INVALID_KE_PAYLOAD, NO_PROPOSAL_CHOSEN, cookies,
// retransmission and window, authentication failures.
#include "helpers.h"

namespace answerd::sa::test {
namespace {

using ike::ExchangeType;
using ike::NotifyType;
using ike::PayloadType;

struct SuiteCase {
  const char* name;
  Suite ike;
  ike::EncrId esp_encr;
  std::uint16_t esp_bits;
  ike::IntegId esp_integ;
};

class FullHandshake : public ::testing::TestWithParam<SuiteCase> {};

TEST_P(FullHandshake, PskEstablishesIkeAndChildSa) {
  const auto& c = GetParam();
  Harness h;
  Initiator ini(c.ike, 1, spoke_ep(), hub_ep());
  // IKE_SA_INIT { HDR, SAi1, KEi, Ni, N(NAT_D*), N(FRAG_SUP), N(SIG_HASH) } -->
  auto r1 = h.send(ini, ini.init());
  ASSERT_EQ(r1.size(), 1u);
  // <-- IKE_SA_INIT { HDR, SAr1, KEr, Nr, N(NAT_D*), N(FRAG_SUP), N(SIG_HASH), N(CHILDLESS) }
  auto m = ike::parse_message(r1[0]);
  ASSERT_TRUE(m);
  EXPECT_TRUE(m->header.response());
  EXPECT_FALSE(m->header.initiator());
  EXPECT_FALSE(m->header.spi_r.is_zero());
  Received init{m->header, m->payloads};
  const auto* sa = sa_of(init);
  ASSERT_NE(sa, nullptr);
  EXPECT_EQ(transform_id(*sa, ike::TransformType::kEncr), static_cast<std::uint16_t>(c.ike.encr));
  EXPECT_EQ(transform_id(*sa, ike::TransformType::kPrf), static_cast<std::uint16_t>(c.ike.prf));
  EXPECT_EQ(transform_id(*sa, ike::TransformType::kDh), static_cast<std::uint16_t>(c.ike.group));
  for (auto n : {NotifyType::kNatDetectionSourceIp, NotifyType::kNatDetectionDestinationIp,
                 NotifyType::kIkev2FragmentationSupported, NotifyType::kSignatureHashAlgorithms,
                 NotifyType::kChildlessIkev2Supported})
    EXPECT_NE(init.notify(n), nullptr) << ike::to_string(n);
  // No NAT here: the responder's NAT_DETECTION_DESTINATION_IP hashes our address.
  EXPECT_EQ(init.notify(NotifyType::kNatDetectionDestinationIp)->data,
            nat_detection_hash(ini.spi_i, m->header.spi_r, ini.self));
  ASSERT_TRUE(ini.accept_init(r1[0]));
  EXPECT_EQ(h.r.half_open_count(), 1u);

  // IKE_AUTH { HDR, SK { IDi, AUTH, SAi2, TSi, TSr } } -->
  auto child = child_payloads(esp_offer(kPeerSpi, c.esp_encr, c.esp_bits, c.esp_integ), {ts4("10.2.0.0", "10.2.255.255")},
                              {ts4("10.1.0.0", "10.1.255.255")});
  auto resp = h.send(ini, ini.encrypted(ExchangeType::kIkeAuth, auth_request(ini, "a.spoke.example", kPsk, {}, child)));
  ASSERT_EQ(resp.size(), 1u);
  // <-- IKE_AUTH { HDR, SK { IDr, AUTH, N(AUTH_LIFETIME), SAr2, TSi, TSr } }
  auto rec = ini.open(resp);
  ASSERT_TRUE(rec);
  EXPECT_TRUE(ini.verify_responder_auth(kPsk, *rec));
  EXPECT_EQ(ike::body_of<ike::IdPayload>(*rec->find(PayloadType::kIdr))->data, fqdn("hub.example").data);
  ASSERT_NE(rec->notify(NotifyType::kAuthLifetime), nullptr);
  EXPECT_EQ(ike::parse_auth_lifetime(rec->notify(NotifyType::kAuthLifetime)->data), 4u * 3600u);
  const auto* sar = sa_of(*rec);
  ASSERT_NE(sar, nullptr);
  EXPECT_EQ(transform_id(*sar, ike::TransformType::kEncr), static_cast<std::uint16_t>(c.esp_encr));
  EXPECT_EQ(ts_of(*rec, PayloadType::kTsi), std::vector{ts4("10.2.0.0", "10.2.255.255")});
  EXPECT_EQ(ts_of(*rec, PayloadType::kTsr), std::vector{ts4("10.1.0.0", "10.1.255.255")});

  // Both ESP SAs are installed with the KEYMAT the initiator derives (RFC 7296 2.17).
  const auto our_spi = esp_spi(*sar);
  ASSERT_TRUE(h.dp.sas.contains(our_spi.value()));
  ASSERT_TRUE(h.dp.sas.contains(kPeerSpi.value()));
  const auto keys = ini.child_keys({.encr = c.esp_encr, .encr_key_bits = c.esp_bits, .integ = c.esp_integ}, {}, ini.ni, ini.nr);
  EXPECT_TRUE(keys.encr_i2r.equals(h.dp.sas[our_spi.value()].encr_key));
  EXPECT_TRUE(keys.integ_i2r.equals(h.dp.sas[our_spi.value()].integ_key));
  EXPECT_TRUE(keys.encr_r2i.equals(h.dp.sas[kPeerSpi.value()].encr_key));
  EXPECT_TRUE(h.dp.sas[our_spi.value()].data.inbound);
  EXPECT_EQ(h.dp.policies.size(), 3u);  // out, in, fwd

  const auto snap = h.r.snapshot(h.now);
  ASSERT_EQ(snap.size(), 1u);
  EXPECT_EQ(snap[0].state, "ESTABLISHED");
  EXPECT_EQ(snap[0].role, "responder");
  EXPECT_FALSE(snap[0].rekey);
  EXPECT_EQ(snap[0].remote_id, "a.spoke.example");
  EXPECT_EQ(snap[0].local_id, "hub.example");
  EXPECT_EQ(snap[0].spi_i, ini.spi_i.value());
  EXPECT_EQ(snap[0].auth, "psk");
  ASSERT_EQ(snap[0].child_sas.size(), 1u);
  EXPECT_EQ(snap[0].child_sas[0].name, "net");
  EXPECT_EQ(snap[0].child_sas[0].spi_in, our_spi.value());
  EXPECT_EQ(h.r.half_open_count(), 0u);
  EXPECT_EQ(h.r.stats().ike_established, 1u);
}

INSTANTIATE_TEST_SUITE_P(
    Suites, FullHandshake,
    ::testing::Values(
        SuiteCase{"x25519_aesgcm256", {ike::EncrId::kAesGcm16, 256, ike::PrfId::kHmacSha2_256, ike::IntegId::kNone, ike::DhGroup::kCurve25519},
                  ike::EncrId::kAesGcm16, 256, ike::IntegId::kNone},
        SuiteCase{"modp2048_aescbc_sha256", {ike::EncrId::kAesCbc, 128, ike::PrfId::kHmacSha2_256, ike::IntegId::kHmacSha2_256_128, ike::DhGroup::kModp2048},
                  ike::EncrId::kAesCbc, 128, ike::IntegId::kHmacSha2_256_128},
        SuiteCase{"ecp384_chacha20poly1305", {ike::EncrId::kChacha20Poly1305, 0, ike::PrfId::kHmacSha2_384, ike::IntegId::kNone, ike::DhGroup::kEcp384},
                  ike::EncrId::kChacha20Poly1305, 0, ike::IntegId::kNone}),
    [](const auto& param_info) { return std::string(param_info.param.name); });

const Suite kX25519{};
const Suite kModp{ike::EncrId::kAesCbc, 128, ike::PrfId::kHmacSha2_256, ike::IntegId::kHmacSha2_256_128, ike::DhGroup::kModp2048};

TEST(IkeSaInit, SelectsOurFirstProposalNotThePeers) {
  Harness h;
  Initiator ini(kModp, 2, spoke_ep(), hub_ep());
  // The peer prefers MODP-2048 but also offers our first choice: we pick ours.
  auto offer = ini.ike_offer({kModp, kX25519});
  auto r = h.send(ini, ini.init(ike::DhGroup::kCurve25519, {}, offer));
  ASSERT_EQ(r.size(), 1u);
  auto m = ike::parse_message(r[0]);
  Received rec{m->header, m->payloads};
  EXPECT_EQ(transform_id(*sa_of(rec), ike::TransformType::kDh), static_cast<std::uint16_t>(ike::DhGroup::kCurve25519));
  EXPECT_EQ(sa_of(rec)->proposals[0].number, 2);
}

TEST(IkeSaInit, InvalidKePayloadThenRetry) {
  Harness h;
  Initiator ini(kX25519, 3, spoke_ep(), hub_ep());
  // SAi1 offers {AES-GCM-256, PRF-SHA256, ECP-256 or X25519}, KEi is ECP-256 -->
  auto offer = ini.ike_offer({kX25519});
  offer.proposals[0].transforms.insert(offer.proposals[0].transforms.begin() + 2,
                                       ike::make_transform(ike::TransformType::kDh, 19));
  auto r = h.send(ini, ini.init(ike::DhGroup::kEcp256, {}, offer));
  ASSERT_EQ(r.size(), 1u);
  // <-- HDR, N(INVALID_KE_PAYLOAD, X25519)
  auto m = ike::parse_message(r[0]);
  const auto* n = ike::find_notify(m->payloads, NotifyType::kInvalidKePayload);
  ASSERT_NE(n, nullptr);
  EXPECT_EQ(ike::parse_invalid_ke_payload(n->data), ike::DhGroup::kCurve25519);
  EXPECT_EQ(h.r.ike_sa_count(), 0u);
  EXPECT_EQ(h.r.stats().invalid_ke, 1u);
  // Retry with KEi for the group we asked for --> full response.
  r = h.send(ini, ini.init(ike::DhGroup::kCurve25519, {}, offer));
  ASSERT_EQ(r.size(), 1u);
  ASSERT_TRUE(ini.accept_init(r[0]));
  EXPECT_EQ(h.r.ike_sa_count(), 1u);
}

TEST(IkeSaInit, NoProposalChosen) {
  Harness h;
  Suite weak{ike::EncrId::k3Des, 0, ike::PrfId::kHmacSha1, ike::IntegId::kHmacSha1_96, ike::DhGroup::kModp1024};
  Initiator ini(weak, 4, spoke_ep(), hub_ep());
  auto r = h.send(ini, ini.init(ike::DhGroup::kModp2048));
  ASSERT_EQ(r.size(), 1u);
  auto m = ike::parse_message(r[0]);
  ASSERT_TRUE(m);
  EXPECT_NE(ike::find_notify(m->payloads, NotifyType::kNoProposalChosen), nullptr);
  EXPECT_EQ(m->payloads.size(), 1u);
  EXPECT_EQ(h.r.ike_sa_count(), 0u);
}

TEST(IkeSaInit, UnknownPeerAddressGetsNoProposalChosen) {
  Harness h;
  Initiator ini(kX25519, 5, Endpoint{ip("203.0.113.7"), 500}, hub_ep());
  auto r = h.send(ini, ini.init());
  ASSERT_EQ(r.size(), 1u);
  EXPECT_NE(ike::find_notify(ike::parse_message(r[0])->payloads, NotifyType::kNoProposalChosen), nullptr);
}

std::string with_cookie_threshold(int n) {
  std::string c = kHubConf;
  c.replace(c.find("cookie_threshold = 50"), 21, "cookie_threshold = " + std::to_string(n));
  return c;
}

TEST(IkeSaInit, CookieRoundTrip) {
  Harness h(with_cookie_threshold(1));
  Initiator first(kX25519, 6, spoke_ep(11), hub_ep());
  do_init(h, first);  // one half-open SA: from now on cookies are required
  Initiator ini(kX25519, 7, spoke_ep(), hub_ep());
  // IKE_SA_INIT { HDR, SAi1, KEi, Ni } -->  <-- { HDR(SPIr=0), N(COOKIE) }
  auto r = h.send(ini, ini.init());
  ASSERT_EQ(r.size(), 1u);
  auto m = ike::parse_message(r[0]);
  ASSERT_EQ(m->payloads.size(), 1u);
  const auto* cookie = ike::find_notify(m->payloads, NotifyType::kCookie);
  ASSERT_NE(cookie, nullptr);
  EXPECT_TRUE(m->header.spi_r.is_zero());
  EXPECT_EQ(h.r.ike_sa_count(), 1u);
  // A forged cookie gets a fresh cookie, no state.
  Bytes forged = cookie->data;
  forged.back() ^= 1;
  r = h.send(ini, ini.init(std::nullopt, forged));
  EXPECT_NE(ike::find_notify(ike::parse_message(r[0])->payloads, NotifyType::kCookie), nullptr);
  EXPECT_EQ(h.r.stats().cookies_bad, 1u);
  // IKE_SA_INIT { HDR, N(COOKIE), SAi1, KEi, Ni } --> the real answer.
  const Bytes good = cookie->data;
  h.now += std::chrono::seconds(290);
  r = h.send(ini, ini.init(std::nullopt, good));
  ASSERT_EQ(r.size(), 1u);
  EXPECT_TRUE(ini.accept_init(r[0]));
  EXPECT_EQ(h.r.ike_sa_count(), 2u);
}

TEST(IkeSaInit, CookieOfPreviousSecretAcceptedThenExpires) {
  Harness h(with_cookie_threshold(0));
  Initiator ini(kX25519, 8, spoke_ep(), hub_ep());
  auto r = h.send(ini, ini.init());
  const Bytes cookie = ike::find_notify(ike::parse_message(r[0])->payloads, NotifyType::kCookie)->data;
  Initiator other(kX25519, 9, spoke_ep(12), hub_ep());
  (void)h.send(other, other.init());  // the jar rotates on use
  h.now += std::chrono::seconds(301);  // one rotation: previous secret still valid
  (void)h.send(other, other.init());
  r = h.send(ini, ini.init(std::nullopt, cookie));
  EXPECT_TRUE(ini.accept_init(r.at(0)));
  Initiator late(kX25519, 10, spoke_ep(13), hub_ep());
  r = h.send(late, late.init());
  const Bytes c2 = ike::find_notify(ike::parse_message(r[0])->payloads, NotifyType::kCookie)->data;
  h.now += std::chrono::seconds(700);  // two periods later the cookie is stale
  r = h.send(late, late.init(std::nullopt, c2));
  EXPECT_NE(ike::find_notify(ike::parse_message(r.at(0))->payloads, NotifyType::kCookie), nullptr);
}

TEST(Window, RetransmittedRequestsGetTheIdenticalCachedResponse) {
  Harness h;
  Initiator ini(kX25519, 11, spoke_ep(), hub_ep());
  const Bytes init = ini.init();
  auto r1 = h.send(ini, init);
  auto r1b = h.send(ini, init);  // IKE_SA_INIT retransmit
  ASSERT_EQ(r1b.size(), 1u);
  EXPECT_EQ(r1b[0], r1[0]);
  EXPECT_EQ(h.r.ike_sa_count(), 1u);
  ASSERT_TRUE(ini.accept_init(r1[0]));
  const Bytes auth = ini.encrypted(ExchangeType::kIkeAuth, auth_request(ini, "a.spoke.example", kPsk, {}, default_child()));
  auto r2 = h.send(ini, auth);
  auto r2b = h.send(ini, auth);  // IKE_AUTH retransmit
  ASSERT_EQ(r2.size(), 1u);
  ASSERT_EQ(r2b.size(), 1u);
  EXPECT_EQ(r2b[0], r2[0]);
  EXPECT_EQ(h.dp.sas.size(), 2u);  // processed once
  EXPECT_EQ(h.r.stats().retransmits_answered, 2u);
}

TEST(Window, OutOfWindowRequestsAreDroppedAndCounted) {
  Harness h;
  Initiator ini(kX25519, 12, spoke_ep(), hub_ep());
  establish(h, ini);
  EXPECT_TRUE(h.send(ini, ini.encrypted(ExchangeType::kInformational, {}, 7)).empty());
  EXPECT_TRUE(h.send(ini, ini.encrypted(ExchangeType::kInformational, {}, 0)).empty());
  EXPECT_EQ(h.r.stats().out_of_window, 2u);
  // The expected ID still works.
  EXPECT_EQ(h.send(ini, ini.encrypted(ExchangeType::kInformational, {}, 2)).size(), 1u);
}

TEST(Window, TamperedRequestIsDroppedSilently) {
  Harness h;
  Initiator ini(kX25519, 13, spoke_ep(), hub_ep());
  do_init(h, ini);
  Bytes auth = ini.encrypted(ExchangeType::kIkeAuth, auth_request(ini, "a.spoke.example", kPsk, {}, default_child()));
  auth[auth.size() - 3] ^= 0x40;
  EXPECT_TRUE(h.send(ini, auth).empty());
  EXPECT_EQ(h.r.stats().decrypt_failed, 1u);
}

TEST(IkeAuth, WrongPskIsAuthenticationFailed) {
  Harness h;
  Initiator ini(kX25519, 14, spoke_ep(), hub_ep());
  auto rec = establish(h, ini, "a.spoke.example", default_child(), {}, "not the key");
  // <-- IKE_AUTH { HDR, SK { N(AUTHENTICATION_FAILED) } }
  EXPECT_NE(rec.notify(NotifyType::kAuthenticationFailed), nullptr);
  EXPECT_EQ(rec.find(PayloadType::kAuth), nullptr);
  EXPECT_EQ(h.r.ike_sa_count(), 0u);
  EXPECT_EQ(h.r.half_open_count(), 0u);
  EXPECT_TRUE(h.dp.sas.empty());
  EXPECT_EQ(h.r.stats().auth_failed, 1u);
}

// Authentication failures go to Options::warn (the daemon logs them at warning, the
// default level shows them); the rest of the handshake stays on Options::log.
TEST(IkeAuth, AuthenticationFailureIsAWarning) {
  std::vector<std::string> warned;
  Options o;
  o.warn = [&warned](std::string_view l) { warned.emplace_back(l); };
  Harness h(kHubConf, std::move(o));
  Initiator bad(kX25519, 18, spoke_ep(), hub_ep());
  (void)establish(h, bad, "a.spoke.example", default_child(), {}, "not the key");
  ASSERT_EQ(warned.size(), 1u);
  EXPECT_NE(warned[0].find("authentication failed"), std::string::npos) << warned[0];
  EXPECT_EQ(warned[0].find("not the key"), std::string::npos) << warned[0];
  for (const auto& l : h.log) EXPECT_EQ(l.find("authentication failed: "), std::string::npos) << l;
  Initiator ok(kX25519, 19, spoke_ep(), hub_ep());
  EXPECT_TRUE(ok.verify_responder_auth(kPsk, establish(h, ok, "a.spoke.example")));
  EXPECT_EQ(warned.size(), 1u);
}

TEST(IkeAuth, UnknownIdentityIsAuthenticationFailed) {
  Harness h;
  Initiator ini(kX25519, 15, spoke_ep(), hub_ep());
  auto rec = establish(h, ini, "intruder.example");
  EXPECT_NE(rec.notify(NotifyType::kAuthenticationFailed), nullptr);
  EXPECT_EQ(h.r.ike_sa_count(), 0u);
}

TEST(IkeAuth, IdentityWithoutSecretIsAuthenticationFailed) {
  // Secrets are looked up as strongSwan does: without the hub's id in the secret,
  // only the listed spokes have a PSK.
  std::string conf = kHubConf;
  conf.erase(conf.find("    id-hub = hub.example\n"), 25);
  Harness h(conf);
  Initiator ini(kX25519, 16, spoke_ep(), hub_ep());
  auto rec = establish(h, ini, "c.spoke.example");  // matches the connection, no PSK for it
  EXPECT_NE(rec.notify(NotifyType::kAuthenticationFailed), nullptr);
  Initiator ok(kX25519, 17, spoke_ep(), hub_ep());
  EXPECT_TRUE(ok.verify_responder_auth(kPsk, establish(h, ok, "a.spoke.example")));
}

}  // namespace
}  // namespace answerd::sa::test

namespace answerd::sa::test {
namespace {

TEST(IkeSaInit, HeaderOnlyAndGarbageAreDroppedAndCounted) {
  Harness h;
  Initiator ini(Suite{}, 60, spoke_ep(), hub_ep());
  Bytes hdr = {1, 2, 3, 4, 5, 6, 7, 8, 0, 0, 0, 0, 0, 0, 0, 0, 0x21, 0x20, 34, 0x08, 0, 0, 0, 0, 0, 0, 0, 28};
  EXPECT_TRUE(h.send(ini, hdr).empty());
  hdr[16] = 0;  // no payloads at all
  EXPECT_TRUE(h.send(ini, hdr).empty());
  EXPECT_TRUE(h.send(ini, Bytes{0xff, 0}).empty());
  EXPECT_EQ(h.r.stats().malformed, 3u);
  EXPECT_EQ(h.r.ike_sa_count(), 0u);
}

}  // namespace
}  // namespace answerd::sa::test
