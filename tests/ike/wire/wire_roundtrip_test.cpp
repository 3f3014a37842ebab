// Round trip of every payload type and of whole messages, and the RFC 7296 octet
// layouts of the header and of a few payloads written out by hand.
#include <gtest/gtest.h>

#include "ike/wire/message.h"
#include "ike/wire/names.h"
#include "sample_messages.h"

namespace answerd::ike {
namespace {

using testing::every_payload;

TEST(WireRoundTrip, EveryPayloadTypeAlone) {
  for (const Payload& p : every_payload()) {
    SCOPED_TRACE(to_string(p.type));
    std::vector<Payload> one{p};
    auto bytes = serialize_payload_chain(one);
    ASSERT_TRUE(bytes) << bytes.error().message;
    auto back = parse_payload_chain(p.type, *bytes);
    ASSERT_TRUE(back) << back.error().to_string();
    ASSERT_EQ(back->size(), 1u);
    EXPECT_EQ((*back)[0], p);
    auto again = serialize_payload_chain(*back);
    ASSERT_TRUE(again);
    EXPECT_EQ(*again, *bytes);
  }
}

TEST(WireRoundTrip, WholeChainAndMessage) {
  Message m = testing::ike_sa_init_request();
  m.payloads = every_payload();
  auto bytes = serialize_message(m);
  ASSERT_TRUE(bytes);
  auto back = parse_message(*bytes);
  ASSERT_TRUE(back) << back.error().to_string();
  EXPECT_EQ(back->payloads, m.payloads);
  EXPECT_EQ(back->header.length, bytes->size());
  EXPECT_EQ(back->header.next_payload, PayloadType::kSa);
  EXPECT_EQ(back->header.spi_i, m.header.spi_i);
  EXPECT_EQ(back->header.message_id, m.header.message_id);
  EXPECT_TRUE(back->header.initiator());
  EXPECT_FALSE(back->header.response());
}

TEST(WireRoundTrip, CriticalBitOfKnownPayloadIsKept) {
  Payload p = make_payload(NoncePayload{Bytes(16, 1)});
  p.critical = true;
  std::vector<Payload> v{p};
  auto bytes = serialize_payload_chain(v);
  ASSERT_TRUE(bytes);
  EXPECT_EQ((*bytes)[1], 0x80);
  auto back = parse_payload_chain(PayloadType::kNonce, *bytes);
  ASSERT_TRUE(back);
  EXPECT_TRUE((*back)[0].critical);
}

TEST(WireRoundTrip, KeyLengthAttribute) {
  const auto all = every_payload();
  const auto& sa = std::get<SaPayload>(all[0].body);
  EXPECT_EQ(sa.proposals[0].transforms[0].key_length(), 256);
  EXPECT_EQ(sa.proposals[0].transforms[1].key_length(), std::nullopt);
}

// RFC 7296 3.1 header and 3.10 Notify (COOKIE) written out octet by octet.
TEST(WireLayout, HeaderAndNotifyOctets) {
  Message m;
  m.header.spi_i = IkeSpi(0x0102030405060708ull);
  m.header.exchange = ExchangeType::kIkeSaInit;
  m.header.flags = kFlagInitiator;
  m.payloads.push_back(make_notify(NotifyType::kCookie, Bytes{0xaa, 0xbb}));
  auto bytes = serialize_message(m);
  ASSERT_TRUE(bytes);
  const Bytes expected{
      1, 2, 3, 4, 5, 6, 7, 8,  // IKE SA Initiator's SPI
      0, 0, 0, 0, 0, 0, 0, 0,  // IKE SA Responder's SPI
      41,                      // Next Payload: N
      0x20,                    // MjVer 2, MnVer 0
      34,                      // Exchange Type: IKE_SA_INIT
      0x08,                    // Flags: Initiator
      0, 0, 0, 0,              // Message ID
      0, 0, 0, 38,             // Length
      0, 0, 0, 10,             // N: Next Payload none, C=0, Payload Length 10
      0, 0, 0x40, 0x06,        // Protocol ID 0, SPI Size 0, Notify Type 16390 (COOKIE)
      0xaa, 0xbb};
  EXPECT_EQ(*bytes, expected);
}

// RFC 7296 3.3: an SA with one IKE proposal holding ENCR_AES_CBC/256 (TV key length).
TEST(WireLayout, SaProposalTransformOctets) {
  Proposal p{1, ProtocolId::kIke, {}, {make_transform(TransformType::kEncr, 12, 256)}};
  std::vector<Payload> v{make_payload(SaPayload{{p}})};
  auto bytes = serialize_payload_chain(v);
  ASSERT_TRUE(bytes);
  const Bytes expected{
      0, 0, 0, 24,         // SA generic header, length 24
      0, 0, 0, 20,         // Last Substruc 0, Proposal Length 20
      1, 1, 0, 1,          // Proposal Num 1, Protocol IKE, SPI Size 0, 1 transform
      0, 0, 0, 12,         // Last Substruc 0, Transform Length 12
      1, 0, 0, 12,         // Transform Type ENCR, Transform ID 12 (AES_CBC)
      0x80, 14, 1, 0};     // AF=1 Key Length = 256
  EXPECT_EQ(*bytes, expected);
}

// RFC 7296 3.13.1 TS_IPV4_ADDR_RANGE layout.
TEST(WireLayout, TrafficSelectorOctets) {
  TrafficSelector ts{TsType::kIpv4AddrRange, 17, 500, 4500, {10, 0, 0, 1}, {10, 0, 0, 9}, {}};
  std::vector<Payload> v{make_payload(PayloadType::kTsi, TsPayload{{ts}})};
  auto bytes = serialize_payload_chain(v);
  ASSERT_TRUE(bytes);
  const Bytes expected{0, 0, 0, 24, 1, 0, 0, 0, 7, 17, 0, 16, 0x01, 0xf4, 0x11, 0x94,
                       10, 0, 0, 1, 10, 0, 0, 9};
  EXPECT_EQ(*bytes, expected);
}

// RFC 7383 2.5 Encrypted Fragment payload: Fragment Number and Total Fragments
// follow the generic header.
TEST(WireLayout, SkfOctets) {
  std::vector<Payload> v{make_payload(SkfPayload{PayloadType::kIdi, 2, 3, Bytes{9, 9}})};
  auto bytes = serialize_payload_chain(v);
  ASSERT_TRUE(bytes);
  const Bytes expected{35, 0, 0, 10, 0, 2, 0, 3, 9, 9};
  EXPECT_EQ(*bytes, expected);
}

TEST(WireSerialize, RejectsMismatchedBodyAndSkNotLast) {
  std::vector<Payload> bad{Payload{PayloadType::kKe, false, NoncePayload{Bytes(16, 0)}}};
  EXPECT_FALSE(serialize_payload_chain(bad));
  std::vector<Payload> sk_first{make_payload(SkPayload{PayloadType::kNone, Bytes(4, 0)}),
                                make_payload(NoncePayload{Bytes(16, 0)})};
  EXPECT_FALSE(serialize_payload_chain(sk_first));
  std::vector<Payload> oversize{make_payload(VendorIdPayload{Bytes(70000, 0)})};
  EXPECT_FALSE(serialize_payload_chain(oversize));
}

}  // namespace
}  // namespace answerd::ike
