// ike-bench Negotiation: every request goes through the wire codec's parser and
// rules table, and a responder written here from the codec and crypto primitives
// (its own keys, its own AUTH checks) completes, rejects or ignores it.
#include "tools/ike-bench/negotiation.h"

#include <gtest/gtest.h>

#include "ike/crypto/psk_auth.h"
#include "ike/wire/message.h"
#include "ike/wire/notify_data.h"
#include "ike/wire/notify_types.h"
#include "ike/wire/rules.h"
#include "ike/wire/sk.h"

namespace answerd::bench {
namespace {

using ike::Payload;
const std::string kPsk = "bench unit test key";

sa::Endpoint ep(const char* a, std::uint16_t port) { return sa::Endpoint{*config::parse_ip(a), port}; }

// A minimal responder: one suite, its own key derivation, strict checks.
struct Responder {
  crypto::DeterministicRandom rng{77};
  ike::IkeSpi spi_i{}, spi_r{0x1122334455667788ULL};
  Bytes ni, nr = Bytes(32, 0x5a), init_request, init_response;
  crypto::IkeSuite suite{};
  crypto::IkeKeys keys{};
  bool childless = false;

  // <-- IKE_SA_INIT { HDR, SAr1, KEr, Nr, [N(CHILDLESS_IKEV2_SUPPORTED)] }
  Bytes answer_init(const Bytes& req) {
    auto m = ike::parse_message(req);
    EXPECT_TRUE(m.has_value());
    EXPECT_TRUE(ike::check_payload_rules(ike::ExchangeType::kIkeSaInit, false, m->payloads, false).has_value());
    init_request = req;
    spi_i = m->header.spi_i;
    const auto& sa = *ike::body_of<ike::SaPayload>(*ike::find_payload(m->payloads, ike::PayloadType::kSa));
    const auto& ke = *ike::body_of<ike::KePayload>(*ike::find_payload(m->payloads, ike::PayloadType::kKe));
    ni = ike::body_of<ike::NoncePayload>(*ike::find_payload(m->payloads, ike::PayloadType::kNonce))->data;
    suite = *chosen_suite(sa);
    auto mine = std::move(*crypto::make_key_exchange(ke.group, rng));
    auto gir = mine->shared_secret(ke.data);
    auto seed = crypto::skeyseed(suite.prf, ni, nr, gir->view());
    keys = std::move(*crypto::derive_ike_keys(suite, seed->view(), ni, nr, spi_i, spi_r));
    ike::Message r;
    r.header = ike::Header{.spi_i = spi_i,
                           .spi_r = spi_r,
                           .exchange = ike::ExchangeType::kIkeSaInit,
                           .flags = ike::kFlagResponse,
                           .message_id = ike::MessageId(0)};
    r.payloads.push_back(ike::make_payload(sa));
    const auto pv = mine->public_value();
    r.payloads.push_back(ike::make_payload(ike::KePayload{ke.group, Bytes(pv.begin(), pv.end())}));
    r.payloads.push_back(ike::make_payload(ike::NoncePayload{nr}));
    if (childless) r.payloads.push_back(ike::make_notify(ike::NotifyType::kChildlessIkev2Supported));
    init_response = *ike::serialize_message(r);
    return init_response;
  }

  std::unique_ptr<crypto::SkCipher> cipher(bool from_initiator) {
    return std::move(*crypto::make_sk_cipher(suite.encr, suite.encr_key_bits, suite.integ,
                                             (from_initiator ? keys.sk_ei : keys.sk_er).view(),
                                             (from_initiator ? keys.sk_ai : keys.sk_ar).view(), rng));
  }

  std::vector<Payload> open_request(const Bytes& d, ike::ExchangeType x) {
    auto v = ike::locate_encrypted(d);
    EXPECT_TRUE(v.has_value());
    auto plain =
        cipher(true)->open(Bytes(v->aad.begin(), v->aad.end()), Bytes(v->encrypted.begin(), v->encrypted.end()));
    EXPECT_TRUE(plain.has_value());
    auto ps = ike::parse_payload_chain(v->first_inner, *plain);
    EXPECT_TRUE(ps.has_value());
    EXPECT_TRUE(ike::check_payload_rules(x, false, *ps, true).has_value());
    return std::move(*ps);
  }

  Bytes seal(ike::ExchangeType x, std::uint32_t mid, const std::vector<Payload>& ps) {
    const ike::Header h{
        .spi_i = spi_i, .spi_r = spi_r, .exchange = x, .flags = ike::kFlagResponse, .message_id = ike::MessageId(mid)};
    auto inner = *ike::serialize_payload_chain(ps);
    auto c = cipher(false);
    auto layout = *ike::build_sk_message(h, ike::chain_first_type(ps), c->sealed_size(inner.size()));
    auto sealed = *c->seal(layout.aad(), inner);
    std::copy(sealed.begin(), sealed.end(), layout.encrypted().begin());
    return layout.message;
  }

  // RFC 7296 2.15: checks the initiator's AUTH, answers with ours (and the Child SA).
  Bytes answer_auth(const Bytes& req, std::vector<Payload>* seen = nullptr) {
    auto ps = open_request(req, ike::ExchangeType::kIkeAuth);
    if (seen != nullptr) *seen = ps;
    const auto* idi = ike::find_payload(ps, ike::PayloadType::kIdi);
    const auto* auth = ike::body_of<ike::AuthPayload>(*ike::find_payload(ps, ike::PayloadType::kAuth));
    const auto sk_pi = keys.sk_pi.view();
    const bool ok =
        crypto::verify_psk_auth(suite.prf, Bytes(kPsk.begin(), kPsk.end()),
                                {init_request, nr, Bytes(sk_pi.begin(), sk_pi.end()), *ike::serialize_body(idi->body)},
                                auth->data)
            .has_value();
    if (!ok) return seal(ike::ExchangeType::kIkeAuth, 1, {ike::make_notify(ike::NotifyType::kAuthenticationFailed)});
    const ike::IdPayload idr{ike::IdType::kFqdn, Bytes{'h', 'u', 'b'}};
    const auto sk_pr = keys.sk_pr.view();
    auto mac = crypto::psk_auth(suite.prf, Bytes(kPsk.begin(), kPsk.end()),
                                {init_response, ni, Bytes(sk_pr.begin(), sk_pr.end()), *ike::serialize_body(idr)});
    std::vector<Payload> out{ike::make_payload(ike::PayloadType::kIdr, idr),
                             ike::make_payload(ike::AuthPayload{ike::AuthMethod::kSharedKeyMic, *mac})};
    for (auto t : {ike::PayloadType::kSa, ike::PayloadType::kTsi, ike::PayloadType::kTsr})
      if (const auto* p = ike::find_payload(ps, t)) out.push_back(*p);
    return seal(ike::ExchangeType::kIkeAuth, 1, out);
  }
};

struct NegotiationTest : ::testing::Test {
  InitiatorConfig cfg{.ike = *config::parse_ike_proposal("aes256gcm16-prfsha256-x25519-ecp256"),
                      .esp = *config::parse_esp_proposal("aes256gcm16"),
                      .child = ChildMode::kChild,
                      .psk = kPsk,
                      .remote_id = "hub.example",
                      .tsi = {},
                      .tsr = {},
                      .send_delete = false,
                      .verify_responder_auth = true,
                      .retransmit_base = std::chrono::milliseconds(100),
                      .retransmit_tries = 3};
  crypto::DeterministicRandom rng{1};
  Clock::time_point t0{};
  Responder resp;
  std::unique_ptr<Negotiation> n;
  void make() {
    n = std::make_unique<Negotiation>(cfg, rng, "spoke-1.example", ep("192.0.2.1", 500), ep("192.0.2.2", 500));
  }
  void SetUp() override { make(); }
};

TEST_F(NegotiationTest, FullHandshakeWithChildSaPassesParserAndRules) {
  // IKE_SA_INIT { HDR, SAi1, KEi, Ni, N(NAT_DETECTION_*), N(FRAG_SUP) } -->
  const auto init = n->start(t0);
  auto m = ike::parse_message(init);
  ASSERT_TRUE(m.has_value());
  EXPECT_TRUE(m->header.initiator());
  EXPECT_NE(ike::find_notify(m->payloads, ike::NotifyType::kNatDetectionSourceIp), nullptr);
  EXPECT_NE(ike::find_notify(m->payloads, ike::NotifyType::kIkev2FragmentationSupported), nullptr);
  EXPECT_EQ(ike::body_of<ike::KePayload>(*ike::find_payload(m->payloads, ike::PayloadType::kKe))->group,
            ike::DhGroup::kCurve25519);
  // <-- IKE_SA_INIT; IKE_AUTH { HDR, SK { IDi, N(INITIAL_CONTACT), IDr, AUTH, SAi2, TSi, TSr } } -->
  auto auth = n->on_datagram(resp.answer_init(init), t0 + std::chrono::milliseconds(3));
  ASSERT_EQ(auth.size(), 1u);
  EXPECT_EQ(n->state(), State::kAuth);
  std::vector<Payload> seen;
  const auto reply = resp.answer_auth(auth[0], &seen);
  ASSERT_NE(ike::find_payload(seen, ike::PayloadType::kSa), nullptr);
  ASSERT_NE(ike::find_payload(seen, ike::PayloadType::kTsi), nullptr);
  EXPECT_NE(ike::find_notify(seen, ike::NotifyType::kInitialContact), nullptr);
  // <-- IKE_AUTH { HDR, SK { IDr, AUTH, SAr2, TSi, TSr } }
  EXPECT_TRUE(n->on_datagram(reply, t0 + std::chrono::milliseconds(8)).empty());
  EXPECT_EQ(n->state(), State::kDone) << n->failure();
  EXPECT_TRUE(n->child_created());
  EXPECT_EQ(n->latency(), std::chrono::milliseconds(8));
}

TEST_F(NegotiationTest, ChildRekeysDeleteTheOldChildThenTheIkeSa) {
  cfg.child_rekeys = 2;
  cfg.send_delete = true;
  make();
  auto auth = n->on_datagram(resp.answer_init(n->start(t0)), t0);
  ASSERT_EQ(auth.size(), 1u);
  std::vector<Payload> seen;
  auto next = n->on_datagram(resp.answer_auth(auth[0], &seen), t0);
  auto old_spi = ike::body_of<ike::SaPayload>(*ike::find_payload(seen, ike::PayloadType::kSa))->proposals[0].spi;
  for (std::uint32_t round = 0; round < 2; ++round) {
    const std::uint32_t mid = 2 + 2 * round;
    // CREATE_CHILD_SA { HDR, SK { N(REKEY_SA), SA, Ni, TSi, TSr } } -->
    ASSERT_EQ(next.size(), 1u);
    EXPECT_EQ(n->state(), State::kRekeyChild);
    EXPECT_EQ(ike::parse_header(next[0])->message_id.value(), mid);
    const auto req = resp.open_request(next[0], ike::ExchangeType::kCreateChildSa);
    const auto* rekey = ike::find_notify(req, ike::NotifyType::kRekeySa);
    ASSERT_NE(rekey, nullptr);
    EXPECT_EQ(rekey->spi, old_spi);
    const auto* sa = ike::find_payload(req, ike::PayloadType::kSa);
    const auto new_spi = ike::body_of<ike::SaPayload>(*sa)->proposals[0].spi;
    EXPECT_NE(new_spi, old_spi);
    // <-- CREATE_CHILD_SA { SA, Nr, TSi, TSr }; INFORMATIONAL { D(ESP, old SPI) } -->
    next = n->on_datagram(
        resp.seal(ike::ExchangeType::kCreateChildSa, mid,
                  {*sa, ike::make_payload(ike::NoncePayload{Bytes(32, 1)}),
                   *ike::find_payload(req, ike::PayloadType::kTsi), *ike::find_payload(req, ike::PayloadType::kTsr)}),
        t0);
    ASSERT_EQ(next.size(), 1u);
    const auto del = resp.open_request(next[0], ike::ExchangeType::kInformational);
    const auto* d = ike::body_of<ike::DeletePayload>(*ike::find_payload(del, ike::PayloadType::kDelete));
    EXPECT_EQ(d->protocol, ike::ProtocolId::kEsp);
    ASSERT_EQ(d->spis.size(), 1u);
    EXPECT_EQ(d->spis[0], old_spi);
    next = n->on_datagram(resp.seal(ike::ExchangeType::kInformational, mid + 1, {}), t0);
    old_spi = new_spi;
  }
  EXPECT_EQ(n->child_rekeys_done(), 2);
  // INFORMATIONAL { D(IKE) } --> with message ID 6.
  ASSERT_EQ(next.size(), 1u);
  EXPECT_EQ(n->state(), State::kDelete);
  EXPECT_EQ(ike::parse_header(next[0])->message_id.value(), 6u);
  EXPECT_TRUE(n->on_datagram(resp.seal(ike::ExchangeType::kInformational, 6, {}), t0).empty());
  EXPECT_EQ(n->state(), State::kDone) << n->failure();
}

TEST_F(NegotiationTest, RekeyRefusedIsCountedByName) {
  cfg.child_rekeys = 1;
  make();
  auto auth = n->on_datagram(resp.answer_init(n->start(t0)), t0);
  auto next = n->on_datagram(resp.answer_auth(auth.at(0)), t0);
  ASSERT_EQ(next.size(), 1u);
  (void)n->on_datagram(
      resp.seal(ike::ExchangeType::kCreateChildSa, 2, {ike::make_notify(ike::NotifyType::kNoProposalChosen)}), t0);
  EXPECT_EQ(n->failure(), "rekey: NO_PROPOSAL_CHOSEN");
}

TEST_F(NegotiationTest, ChildlessOmitsSa2AndTsWhenTheResponderSupportsIt) {
  cfg.child = ChildMode::kChildless;
  cfg.send_delete = true;
  make();
  resp.childless = true;
  auto auth = n->on_datagram(resp.answer_init(n->start(t0)), t0);
  ASSERT_EQ(auth.size(), 1u);
  std::vector<Payload> seen;
  const auto reply = resp.answer_auth(auth[0], &seen);
  EXPECT_EQ(ike::find_payload(seen, ike::PayloadType::kSa), nullptr);
  EXPECT_EQ(ike::find_payload(seen, ike::PayloadType::kTsr), nullptr);
  // INFORMATIONAL { HDR, SK { D(IKE) } } -->
  auto del = n->on_datagram(reply, t0);
  ASSERT_EQ(del.size(), 1u);
  EXPECT_EQ(n->state(), State::kDelete);
  const auto d = resp.open_request(del[0], ike::ExchangeType::kInformational);
  const auto* dp = ike::body_of<ike::DeletePayload>(*ike::find_payload(d, ike::PayloadType::kDelete));
  EXPECT_EQ(dp->protocol, ike::ProtocolId::kIke);
  EXPECT_TRUE(n->on_datagram(resp.seal(ike::ExchangeType::kInformational, 2, {}), t0).empty());
  EXPECT_EQ(n->state(), State::kDone);
}

TEST_F(NegotiationTest, ChildlessFailsWithoutTheResponderNotify) {
  cfg.child = ChildMode::kChildless;
  make();
  EXPECT_TRUE(n->on_datagram(resp.answer_init(n->start(t0)), t0).empty());
  EXPECT_EQ(n->failure(), "CHILDLESS_IKEV2_SUPPORTED missing");
}

TEST_F(NegotiationTest, CookieIsEchoedFirstWithTheSameNonce) {
  const auto first = n->start(t0);
  ike::Message c;
  c.header = ike::Header{.spi_i = n->spi_i(),
                         .spi_r = ike::IkeSpi(0),
                         .exchange = ike::ExchangeType::kIkeSaInit,
                         .flags = ike::kFlagResponse,
                         .message_id = ike::MessageId(0)};
  c.payloads.push_back(ike::make_notify(ike::NotifyType::kCookie, Bytes(20, 0xc0)));
  auto again = n->on_datagram(*ike::serialize_message(c), t0);
  ASSERT_EQ(again.size(), 1u);
  auto m = *ike::parse_message(again[0]);
  ASSERT_TRUE(ike::check_payload_rules(ike::ExchangeType::kIkeSaInit, false, m.payloads, false).has_value());
  ASSERT_EQ(m.payloads.front().type, ike::PayloadType::kNotify);
  EXPECT_EQ(ike::body_of<ike::NotifyPayload>(m.payloads.front())->data, Bytes(20, 0xc0));
  const auto nonce = [](const Bytes& d) {
    auto x = *ike::parse_message(d);
    return ike::body_of<ike::NoncePayload>(*ike::find_payload(x.payloads, ike::PayloadType::kNonce))->data;
  };
  EXPECT_EQ(nonce(first), nonce(again[0]));
  EXPECT_EQ(n->init_retries(), 1);
  // The exchange completes on the cookie'd request.
  auto auth = n->on_datagram(resp.answer_init(again[0]), t0);
  ASSERT_EQ(auth.size(), 1u);
  (void)n->on_datagram(resp.answer_auth(auth[0]), t0);
  EXPECT_EQ(n->state(), State::kDone) << n->failure();
}

TEST_F(NegotiationTest, InvalidKePayloadSwitchesToAnOfferedGroup) {
  (void)n->start(t0);
  ike::Message r;
  r.header = ike::Header{.spi_i = n->spi_i(),
                         .spi_r = ike::IkeSpi(0),
                         .exchange = ike::ExchangeType::kIkeSaInit,
                         .flags = ike::kFlagResponse,
                         .message_id = ike::MessageId(0)};
  r.payloads.push_back(ike::make_invalid_ke_payload(ike::DhGroup::kEcp256));
  auto again = n->on_datagram(*ike::serialize_message(r), t0);
  ASSERT_EQ(again.size(), 1u);
  auto m = *ike::parse_message(again[0]);
  EXPECT_EQ(ike::body_of<ike::KePayload>(*ike::find_payload(m.payloads, ike::PayloadType::kKe))->group,
            ike::DhGroup::kEcp256);
  auto auth = n->on_datagram(resp.answer_init(again[0]), t0);
  ASSERT_EQ(auth.size(), 1u);
  (void)n->on_datagram(resp.answer_auth(auth[0]), t0);
  EXPECT_EQ(n->state(), State::kDone) << n->failure();
  // A group we never offered ends the negotiation by name.
  make();
  (void)n->start(t0);
  r.header.spi_i = n->spi_i();
  r.payloads = {ike::make_invalid_ke_payload(ike::DhGroup::kModp2048)};
  EXPECT_TRUE(n->on_datagram(*ike::serialize_message(r), t0).empty());
  EXPECT_EQ(n->failure(), "INVALID_KE_PAYLOAD");
}

TEST_F(NegotiationTest, WrongPskIsAuthenticationFailed) {
  cfg.psk = "not the key";
  make();
  auto auth = n->on_datagram(resp.answer_init(n->start(t0)), t0);
  ASSERT_EQ(auth.size(), 1u);
  (void)n->on_datagram(resp.answer_auth(auth[0]), t0);
  EXPECT_EQ(n->state(), State::kFailed);
  EXPECT_EQ(n->failure(), "AUTHENTICATION_FAILED");
}

TEST_F(NegotiationTest, RetransmitsWithBackoffThenTimesOut) {
  const auto first = n->start(t0);
  using std::chrono::milliseconds;
  EXPECT_TRUE(n->on_timer(t0 + milliseconds(99)).empty());
  auto r1 = n->on_timer(t0 + milliseconds(100));
  ASSERT_EQ(r1.size(), 1u);
  EXPECT_EQ(r1[0], first);                                   // the same octets (RFC 7296 2.1)
  EXPECT_TRUE(n->on_timer(t0 + milliseconds(299)).empty());  // waits 200 ms now
  EXPECT_EQ(n->on_timer(t0 + milliseconds(300)).size(), 1u);
  EXPECT_TRUE(n->on_timer(t0 + milliseconds(700)).empty());
  EXPECT_EQ(n->failure(), "timeout");
  EXPECT_EQ(n->retransmissions(), 2);
}

TEST_F(NegotiationTest, IgnoresForeignAndForgedDatagrams) {
  const auto init = n->start(t0);
  auto resp_init = resp.answer_init(init);
  auto other = resp_init;
  other[0] ^= 0xff;  // another SPIi
  EXPECT_TRUE(n->on_datagram(other, t0).empty());
  EXPECT_EQ(n->state(), State::kInit);
  EXPECT_TRUE(n->on_datagram(init, t0).empty());  // our own request reflected
  auto auth = n->on_datagram(resp_init, t0);
  ASSERT_EQ(auth.size(), 1u);
  auto reply = resp.answer_auth(auth[0]);
  reply.back() ^= 1;  // broken ICV: ignored, not a failure
  EXPECT_TRUE(n->on_datagram(reply, t0).empty());
  EXPECT_EQ(n->state(), State::kAuth);
}

}  // namespace
}  // namespace answerd::bench
