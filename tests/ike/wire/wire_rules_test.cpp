// The per-exchange payload rules table (rules.h).
#include <gtest/gtest.h>

#include "ike/wire/rules.h"
#include "sample_messages.h"

namespace answerd::ike {
namespace {

std::vector<Payload> without(std::vector<Payload> v, PayloadType t) {
  std::erase_if(v, [t](const Payload& p) { return p.type == t; });
  return v;
}

ParseResult<void> check(ExchangeType x, bool response, const std::vector<Payload>& v, bool inner) {
  return check_payload_rules(x, response, v, inner);
}

TEST(WireRules, IkeSaInit) {
  const auto req = testing::ike_sa_init_request().payloads;
  // IKE_SA_INIT { HDR, SAi1, KEi, Ni, N+, V } -->
  EXPECT_TRUE(check(ExchangeType::kIkeSaInit, false, req, false));
  for (auto t : {PayloadType::kSa, PayloadType::kKe, PayloadType::kNonce}) {
    auto r = check(ExchangeType::kIkeSaInit, false, without(req, t), false);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().notify, NotifyType::kInvalidSyntax);
    EXPECT_NE(r.error().message.find("missing"), std::string::npos) << r.error().message;
  }
  auto two_ke = req;
  two_ke.push_back(req[1]);
  EXPECT_FALSE(check(ExchangeType::kIkeSaInit, false, two_ke, false));
  auto with_auth = req;
  with_auth.push_back(make_payload(AuthPayload{AuthMethod::kSharedKeyMic, Bytes(8, 0)}));
  EXPECT_FALSE(check(ExchangeType::kIkeSaInit, false, with_auth, false));
  // Unknown non-critical payloads are ignored.
  auto with_unknown = req;
  with_unknown.push_back(Payload{static_cast<PayloadType>(200), false, UnknownPayload{}});
  EXPECT_TRUE(check(ExchangeType::kIkeSaInit, false, with_unknown, false));
  // The request's N(COOKIE) does not excuse a missing KE.
  auto cookie = without(req, PayloadType::kKe);
  cookie.insert(cookie.begin(), make_notify(NotifyType::kCookie, Bytes(8, 1)));
  EXPECT_FALSE(check(ExchangeType::kIkeSaInit, false, cookie, false));
}

TEST(WireRules, IkeSaInitResponseErrorNotifyIsSufficient) {
  EXPECT_TRUE(check(ExchangeType::kIkeSaInit, true, testing::ike_sa_init_response().payloads, false));
  // <-- { HDR, N(INVALID_KE_PAYLOAD) }
  std::vector<Payload> invalid_ke{make_notify(NotifyType::kInvalidKePayload, Bytes{0, 19})};
  EXPECT_TRUE(check(ExchangeType::kIkeSaInit, true, invalid_ke, false));
  // <-- { HDR, N(COOKIE) }
  std::vector<Payload> cookie{make_notify(NotifyType::kCookie, Bytes(16, 1))};
  EXPECT_TRUE(check(ExchangeType::kIkeSaInit, true, cookie, false));
  // A status notify alone is not a complete response.
  std::vector<Payload> natd{make_notify(NotifyType::kNatDetectionSourceIp, Bytes(20, 1))};
  EXPECT_FALSE(check(ExchangeType::kIkeSaInit, true, natd, false));
}

TEST(WireRules, EncryptedExchangesOuterAndInner) {
  const auto outer = testing::informational_delete_outer().payloads;
  EXPECT_TRUE(check(ExchangeType::kInformational, false, outer, false));
  EXPECT_TRUE(check(ExchangeType::kIkeAuth, false, outer, false));
  std::vector<Payload> plain_nonce{make_payload(NoncePayload{Bytes(16, 0)})};
  EXPECT_FALSE(check(ExchangeType::kIkeAuth, false, plain_nonce, false));
  EXPECT_FALSE(check(ExchangeType::kIkeAuth, false, {}, false));

  const auto inner = testing::ike_auth_request_inner();
  EXPECT_TRUE(check(ExchangeType::kIkeAuth, false, inner, true));
  EXPECT_FALSE(check(ExchangeType::kIkeAuth, false, without(inner, PayloadType::kTsr), true));
  auto with_ke = inner;
  with_ke.push_back(make_payload(KePayload{DhGroup::kEcp256, Bytes(64, 1)}));
  EXPECT_FALSE(check(ExchangeType::kIkeAuth, false, with_ke, true));
  // IKE_SA_INIT is never encrypted.
  EXPECT_FALSE(check(ExchangeType::kIkeSaInit, false, testing::ike_sa_init_request().payloads, true));
}

TEST(WireRules, CreateChildSaAndInformational) {
  // CREATE_CHILD_SA { SK { N(REKEY_SA), SA, Ni, [KEi], TSi, TSr } } -->
  auto auth = testing::ike_auth_request_inner();
  std::vector<Payload> rekey{make_payload(NotifyPayload{3, {1, 2, 3, 4}, NotifyType::kRekeySa, {}}),
                             *find_payload(auth, PayloadType::kSa), make_payload(NoncePayload{Bytes(32, 1)}),
                             *find_payload(auth, PayloadType::kTsi), *find_payload(auth, PayloadType::kTsr)};
  EXPECT_TRUE(check(ExchangeType::kCreateChildSa, false, rekey, true));
  EXPECT_FALSE(check(ExchangeType::kCreateChildSa, false, without(rekey, PayloadType::kNonce), true));
  // <-- { SK { N(NO_PROPOSAL_CHOSEN) } }
  std::vector<Payload> refused{make_notify(NotifyType::kNoProposalChosen)};
  EXPECT_TRUE(check(ExchangeType::kCreateChildSa, true, refused, true));
  // INFORMATIONAL { SK { D } } and the empty liveness check.
  std::vector<Payload> del{make_payload(DeletePayload{ProtocolId::kIke, 0, {}})};
  EXPECT_TRUE(check(ExchangeType::kInformational, false, del, true));
  EXPECT_TRUE(check(ExchangeType::kInformational, true, {}, true));
  EXPECT_FALSE(check(ExchangeType::kInformational, false, rekey, true));
}

TEST(WireRules, UnsupportedExchange) {
  EXPECT_FALSE(find_rule(ExchangeType::kIkeSessionResume, false));
  EXPECT_FALSE(check(static_cast<ExchangeType>(99), false, {}, false));
}

}  // namespace
}  // namespace answerd::ike
