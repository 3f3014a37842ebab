// ike-bench flood: each kind's datagram has the header the XDP verdict it aims at
// looks for (DESIGN.md "XDP verdicts"), and parses where it should.
#include "tools/ike-bench/flood.h"

#include <gtest/gtest.h>

#include "ike/wire/message.h"
#include "ike/wire/rules.h"

namespace answerd::bench {
namespace {

FloodConfig config_of(FloodKind k) {
  FloodConfig c;
  c.kind = k;
  c.ike = *config::parse_ike_proposal("aes256gcm16-prfsha256-x25519");
  return c;
}

TEST(FloodDatagram, InitIsAValidIkeSaInitRequestWithAFreshSpiEachTime) {
  crypto::DeterministicRandom rng(3);
  const auto cfg = config_of(FloodKind::kInit);
  const auto a = flood_datagram(cfg, 0, rng), b = flood_datagram(cfg, 1, rng);
  auto m = ike::parse_message(a);
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->header.exchange, ike::ExchangeType::kIkeSaInit);
  EXPECT_TRUE(m->header.initiator());
  EXPECT_FALSE(m->header.response());
  EXPECT_TRUE(m->header.spi_r.is_zero());
  EXPECT_EQ(m->header.message_id.value(), 0u);
  EXPECT_TRUE(ike::check_payload_rules(ike::ExchangeType::kIkeSaInit, false, m->payloads, false).has_value());
  EXPECT_NE(ike::parse_header(b)->spi_i, m->header.spi_i);
}

TEST(FloodDatagram, RetransmitRepeatsTheSameOctets) {
  crypto::DeterministicRandom rng(4);
  const auto cfg = config_of(FloodKind::kRetransmit);
  const auto a = flood_datagram(cfg, 0, rng);
  EXPECT_EQ(a, flood_datagram(cfg, 1, rng));
  EXPECT_TRUE(ike::parse_message(a).has_value());
}

TEST(FloodDatagram, RoleViolationAndUnsolicitedResponseFlags) {
  crypto::DeterministicRandom rng(5);
  const auto rv = flood_datagram(config_of(FloodKind::kRoleViolation), 0, rng);
  auto h = ike::parse_header(rv);
  ASSERT_TRUE(h.has_value());
  EXPECT_FALSE(h->initiator());  // "we" would have been the original initiator
  EXPECT_FALSE(h->response());
  EXPECT_EQ(h->length, rv.size());
  const auto ur = flood_datagram(config_of(FloodKind::kUnsolicitedResponse), 0, rng);
  h = ike::parse_header(ur);
  ASSERT_TRUE(h.has_value());
  EXPECT_TRUE(h->initiator());
  EXPECT_TRUE(h->response());
  EXPECT_EQ(h->exchange, ike::ExchangeType::kInformational);
}

TEST(FloodKindNames, ParseTheCliWordsOnly) {
  EXPECT_EQ(parse_flood_kind("init"), FloodKind::kInit);
  EXPECT_EQ(parse_flood_kind("retransmit"), FloodKind::kRetransmit);
  EXPECT_EQ(parse_flood_kind("role-violation"), FloodKind::kRoleViolation);
  EXPECT_EQ(parse_flood_kind("unsolicited-response"), FloodKind::kUnsolicitedResponse);
  EXPECT_FALSE(parse_flood_kind("INIT").has_value());
}

}  // namespace
}  // namespace answerd::bench
