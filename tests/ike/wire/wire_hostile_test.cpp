// Hostile input: every truncation of valid messages, inconsistent lengths and
// counts, critical unknown payloads, bad versions. Each must be a typed ParseError
// with the notify a responder would send, never a crash or an out-of-bounds read
// (the sanitizer build checks the latter).
#include <gtest/gtest.h>

#include "ike/wire/message.h"
#include "sample_messages.h"

namespace answerd::ike {
namespace {

Bytes serialize(const Message& m) {
  auto b = serialize_message(m);
  EXPECT_TRUE(b);
  return b ? *b : Bytes{};
}

void set_length(Bytes& b) {
  const auto n = static_cast<std::uint32_t>(b.size());
  for (int i = 0; i < 4; ++i) b[24 + static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(n >> (24 - 8 * i));
}

std::vector<Bytes> valid_messages() {
  Message all = testing::ike_sa_init_request();
  all.payloads = testing::every_payload();
  return {serialize(testing::ike_sa_init_request()), serialize(testing::ike_sa_init_response()),
          serialize(testing::informational_delete_outer()), serialize(all)};
}

TEST(WireHostile, EveryTruncationFailsCleanly) {
  for (const Bytes& full : valid_messages()) {
    ASSERT_TRUE(parse_message(full));
    for (std::size_t n = 0; n < full.size(); ++n) {
      Bytes cut(full.begin(), full.begin() + static_cast<std::ptrdiff_t>(n));
      auto as_is = parse_message(cut);
      ASSERT_FALSE(as_is) << "truncated to " << n;
      EXPECT_EQ(as_is.error().notify, NotifyType::kInvalidSyntax);
      if (n < kIkeHeaderLen) continue;
      // With the header length made consistent the payload chain must catch it.
      set_length(cut);
      auto fixed = parse_message(cut);
      if (n == kIkeHeaderLen) continue;  // a bare header names a payload that is absent
      ASSERT_FALSE(fixed) << "truncated to " << n;
      EXPECT_EQ(fixed.error().notify, NotifyType::kInvalidSyntax);
      EXPECT_LE(fixed.error().offset, n);
    }
  }
}

TEST(WireHostile, EveryLengthOctetCorruptedNeverCrashes) {
  for (const Bytes& full : valid_messages()) {
    for (std::size_t i = kIkeHeaderLen; i < full.size(); ++i) {
      for (std::uint8_t v : {std::uint8_t{0}, std::uint8_t{3}, std::uint8_t{0xff}}) {
        Bytes b = full;
        b[i] = v;
        auto m = parse_message(b);
        if (!m) {
          EXPECT_FALSE(m.error().message.empty());
          EXPECT_LE(m.error().offset, b.size());
        }
      }
    }
  }
}

TEST(WireHostile, HeaderChecks) {
  Bytes b = serialize(testing::ike_sa_init_request());
  Bytes v1 = b;
  v1[17] = 0x10;  // IKEv1
  auto r = parse_message(v1);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().notify, NotifyType::kInvalidMajorVersion);
  EXPECT_EQ(r.error().detail, 1);
  Bytes v3 = b;
  v3[17] = 0x30;
  EXPECT_EQ(parse_message(v3).error().detail, 3);
  Bytes minor = b;
  minor[17] = 0x21;  // minor version is ignored (RFC 7296 2.5)
  EXPECT_TRUE(parse_message(minor));
  Bytes longer = b;
  longer.push_back(0);  // datagram longer than the Length field
  EXPECT_FALSE(parse_message(longer));
  Bytes trailing = b;
  trailing.push_back(0);
  set_length(trailing);  // octets after the last payload
  EXPECT_FALSE(parse_message(trailing));
  EXPECT_FALSE(parse_header(Bytes(27, 0)));
}

Bytes chain_of(std::vector<Payload> v) {
  auto b = serialize_payload_chain(v);
  EXPECT_TRUE(b);
  return *b;
}

TEST(WireHostile, UnknownPayloads) {
  Payload unknown{static_cast<PayloadType>(200), false, UnknownPayload{Bytes{1, 2, 3}}};
  Payload nonce = make_payload(NoncePayload{Bytes(16, 4)});
  Bytes ok = chain_of({unknown, nonce});
  auto skipped = parse_payload_chain(static_cast<PayloadType>(200), ok);
  ASSERT_TRUE(skipped);
  ASSERT_EQ(skipped->size(), 2u);
  EXPECT_EQ((*skipped)[1].type, PayloadType::kNonce);

  unknown.critical = true;
  Bytes crit = chain_of({nonce, unknown});
  auto r = parse_payload_chain(PayloadType::kNonce, crit);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().notify, NotifyType::kUnsupportedCriticalPayload);
  EXPECT_EQ(r.error().detail, 200);
  EXPECT_EQ(r.error().offset, 20u);
}

TEST(WireHostile, PayloadLengthBelowHeaderOrBeyondData) {
  Bytes b = chain_of({make_payload(NoncePayload{Bytes(16, 4)})});
  b[3] = 3;
  EXPECT_FALSE(parse_payload_chain(PayloadType::kNonce, b));
  b[3] = 21;
  EXPECT_FALSE(parse_payload_chain(PayloadType::kNonce, b));
}

struct BadBody {
  const char* name;
  PayloadType type;
  Bytes body;  // without the generic header
};

TEST(WireHostile, InconsistentBodies) {
  const std::vector<BadBody> cases = {
      {"SA without proposals", PayloadType::kSa, {}},
      {"proposal length below 8", PayloadType::kSa, {0, 0, 0, 7, 1, 1, 0, 0}},
      {"proposal Last Substruc 1", PayloadType::kSa, {1, 0, 0, 8, 1, 1, 0, 0}},
      {"more proposals announced", PayloadType::kSa, {2, 0, 0, 16, 1, 1, 0, 1, 0, 0, 0, 8, 1, 0, 0, 12}},
      {"transform count mismatch", PayloadType::kSa, {0, 0, 0, 16, 1, 1, 0, 2, 0, 0, 0, 8, 1, 0, 0, 12}},
      {"transform length 4", PayloadType::kSa, {0, 0, 0, 12, 1, 1, 0, 1, 0, 0, 0, 4}},
      {"transform beyond proposal", PayloadType::kSa, {0, 0, 0, 16, 1, 1, 0, 1, 0, 0, 0, 12, 1, 0, 0, 12}},
      {"TLV attribute beyond transform", PayloadType::kSa,
       {0, 0, 0, 20, 1, 1, 0, 1, 0, 0, 0, 12, 1, 0, 0, 12, 0, 14, 0, 9}},
      {"ESP SPI size 8", PayloadType::kSa, {0, 0, 0, 16, 1, 3, 8, 0, 1, 2, 3, 4, 5, 6, 7, 8}},
      {"KE without data", PayloadType::kKe, {0, 31, 0, 0}},
      {"ID_IPV4_ADDR of 5 octets", PayloadType::kIdi, {1, 0, 0, 0, 1, 2, 3, 4, 5}},
      {"AUTH without data", PayloadType::kAuth, {2, 0, 0, 0}},
      {"nonce of 15 octets", PayloadType::kNonce, Bytes(15, 1)},
      {"nonce of 257 octets", PayloadType::kNonce, Bytes(257, 1)},
      {"notify SPI beyond payload", PayloadType::kNotify, {3, 4, 0x40, 0x09, 1, 2}},
      {"delete count mismatch", PayloadType::kDelete, {3, 4, 0, 2, 1, 2, 3, 4}},
      {"delete IKE with SPI size 4", PayloadType::kDelete, {1, 4, 0, 1, 1, 2, 3, 4}},
      {"TS count 0", PayloadType::kTsi, {0, 0, 0, 0}},
      {"TS count 2, one present", PayloadType::kTsi, {2, 0, 0, 0, 7, 0, 0, 16, 0, 0, 0xff, 0xff, 0, 0, 0, 0, 1, 1, 1, 1}},
      {"TS IPv4 of length 40", PayloadType::kTsi, {1, 0, 0, 0, 7, 0, 0, 40, 0, 0, 0xff, 0xff, 0, 0, 0, 0, 1, 1, 1, 1}},
      {"CP attribute beyond payload", PayloadType::kCp, {1, 0, 0, 0, 0, 1, 0, 4, 10, 0}},
      {"EAP length mismatch", PayloadType::kEap, {2, 1, 0, 9, 1, 'a'}},
      {"SK empty", PayloadType::kSk, {}},
      {"SKF fragment 0", PayloadType::kSkf, {0, 0, 0, 2, 1}},
      {"SKF fragment 3 of 2", PayloadType::kSkf, {0, 3, 0, 2, 1}},
  };
  for (const auto& c : cases) {
    Bytes b;
    b.reserve(4 + c.body.size());  // also keeps g++ 12's -Wstringop-overflow quiet
    ByteWriter w(b);
    w.u16(0);  // Next Payload none, C=0
    w.u16(static_cast<std::uint16_t>(4 + c.body.size()));
    w.bytes(c.body);
    auto r = parse_payload_chain(c.type, b);
    ASSERT_FALSE(r) << c.name;
    EXPECT_EQ(r.error().notify, NotifyType::kInvalidSyntax) << c.name;
  }
}

TEST(WireHostile, NothingAfterEncryptedPayload) {
  Bytes b = chain_of({make_payload(SkPayload{PayloadType::kIdi, Bytes(20, 1)})});
  b[3] = 20;  // SK shorter than the data: the remaining 4 octets trail it
  EXPECT_FALSE(parse_payload_chain(PayloadType::kSk, b));
}

}  // namespace
}  // namespace answerd::ike
