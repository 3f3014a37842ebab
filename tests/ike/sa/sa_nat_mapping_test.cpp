// NAT mapping changes (RFC 7296 2.23): when an authenticated request of a peer
// behind a NAT arrives through a new mapping, the responder moves its Child SAs'
// ESP-in-UDP SAs (RFC 3948) there: the new port in the encapsulation, a new
// address in the SAs and the policies' templates. A peer not behind a NAT, a
// retransmission and an undecryptable message move nothing.
#include "informational_peer.h"

namespace answerd::sa::test {
namespace {

using ike::ExchangeType;

const Endpoint kPrivate{ip("10.0.0.5"), 500};  // the initiator's address behind its NAT
const Endpoint kHub4500{ip("192.0.2.1"), 4500};

// IKE_SA_INIT from behind a NAT (NAT_DETECTION_SOURCE_IP hashes the private
// address), then IKE_AUTH with a Child SA from the NAT's public port 4500.
void establish_behind_nat(Harness& h, Initiator& ini, bool nat = true) {
  if (nat) ini.self = kPrivate;
  const auto init = ini.init();
  ini.self = spoke_ep(10, 500);
  auto r = h.send(ini, init);
  ASSERT_EQ(r.size(), 1u);
  ASSERT_TRUE(ini.accept_init(r[0]));
  ini.self = spoke_ep(10, 4500);
  ini.peer = kHub4500;
  auto resp = h.send(ini, ini.encrypted(ExchangeType::kIkeAuth,
                                        auth_request(ini, "a.spoke.example", kPsk, {}, default_child())));
  ASSERT_TRUE(ini.open(resp).has_value());
  ASSERT_EQ(h.dp.sas.size(), 2u);
}

const InstalledSa& outbound(const Harness& h) { return h.dp.sas.at(kPeerSpi.value()); }
const InstalledSa& inbound(const Harness& h) {
  for (const auto& [spi, s] : h.dp.sas)
    if (spi != kPeerSpi.value()) return s;
  return h.dp.sas.begin()->second;
}

// INFORMATIONAL { HDR, SK { } } --> from wherever ini.self is now; <-- answered there.
void liveness_check(Harness& h, Initiator& ini) {
  auto resp = h.send(ini, ini.encrypted(ExchangeType::kInformational, {}));
  ASSERT_EQ(resp.size(), 1u);
  EXPECT_TRUE(ini.open(resp).has_value());
}

TEST(NatMapping, NewPortMovesBothEspSasEncapsulation) {
  Harness h;
  Initiator ini(Suite{}, 601, spoke_ep(), hub_ep());
  establish_behind_nat(h, ini);
  ASSERT_TRUE(h.r.snapshot(h.now).at(0).nat_remote);
  ASSERT_TRUE(outbound(h).data.encap.has_value());
  EXPECT_EQ(outbound(h).data.encap->dst_port, 4500);

  ini.self.port = 31000;  // the NAT forgot the mapping and made a new one
  liveness_check(h, ini);
  EXPECT_EQ(h.r.stats().nat_mapping_updates, 1u);
  EXPECT_EQ(h.dp.updates, 2);
  ASSERT_TRUE(outbound(h).data.encap.has_value());
  EXPECT_EQ(outbound(h).data.encap->src_port, 4500);
  EXPECT_EQ(outbound(h).data.encap->dst_port, 31000);
  EXPECT_EQ(outbound(h).id.dst, ip("198.51.100.10"));
  ASSERT_TRUE(inbound(h).data.encap.has_value());
  EXPECT_EQ(inbound(h).data.encap->src_port, 31000);
  EXPECT_EQ(inbound(h).data.encap->dst_port, 4500);
  EXPECT_EQ(h.dp.policy_updates, 0) << "same addresses: the templates stay";
  EXPECT_EQ(h.r.stats().dataplane_errors, 0u);
  const bool logged = std::any_of(h.log.begin(), h.log.end(), [](const std::string& l) {
    return l.find("behind NAT, mapping moved from 198.51.100.10:4500 to 198.51.100.10:31000") != std::string::npos;
  });
  EXPECT_TRUE(logged);

  // The same mapping again moves nothing.
  liveness_check(h, ini);
  EXPECT_EQ(h.r.stats().nat_mapping_updates, 1u);
  EXPECT_EQ(h.dp.updates, 2);
}

TEST(NatMapping, NewAddressMovesSasAndPolicyTemplates) {
  Harness h;
  Initiator ini(Suite{}, 602, spoke_ep(), hub_ep());
  establish_behind_nat(h, ini);
  const auto before = h.dp.policies.size();
  ASSERT_GT(before, 0u);
  ini.self = Endpoint{ip("198.51.100.77"), 4500};
  liveness_check(h, ini);
  EXPECT_EQ(h.r.stats().nat_mapping_updates, 1u);
  EXPECT_EQ(outbound(h).id.dst, ip("198.51.100.77"));
  EXPECT_EQ(outbound(h).id.src, ip("192.0.2.1"));
  EXPECT_EQ(inbound(h).id.src, ip("198.51.100.77"));
  EXPECT_EQ(h.dp.policy_updates, static_cast<int>(before));
  EXPECT_EQ(h.dp.policies.size(), before);
  for (const auto& [id, d] : h.dp.policies) {
    const auto peer = id.dir == kernel::PolicyDir::kOut ? d.sa.dst : d.sa.src;
    EXPECT_EQ(peer, ip("198.51.100.77"));
  }
  // The Child SA is deleted at its new address (the SaIds followed the move).
  auto resp = h.send(ini, ini.encrypted(ExchangeType::kInformational, {delete_ike()}));
  EXPECT_EQ(resp.size(), 1u);
  EXPECT_TRUE(h.dp.sas.empty());
}

TEST(NatMapping, PeerNotBehindNatMovesNothing) {
  Harness h;
  Initiator ini(Suite{}, 603, spoke_ep(), hub_ep());
  ini.self = spoke_ep(10, 500);
  establish_behind_nat(h, ini, /*nat=*/false);
  EXPECT_FALSE(h.r.snapshot(h.now).at(0).nat_remote);
  ini.self.port = 31000;
  liveness_check(h, ini);
  EXPECT_EQ(h.r.stats().nat_mapping_updates, 0u);
  EXPECT_EQ(h.dp.updates, 0);
}

TEST(NatMapping, RetransmissionOrForgeryFromANewPortMovesNothing) {
  Harness h;
  Initiator ini(Suite{}, 604, spoke_ep(), hub_ep());
  establish_behind_nat(h, ini);
  const auto req = ini.encrypted(ExchangeType::kInformational, {});
  ASSERT_EQ(h.send(ini, req).size(), 1u);
  // The same request again (RFC 7296 2.3: a retransmission) through another port:
  // answered through the mapping the SA knows.
  ini.self.port = 31001;
  EXPECT_EQ(h.send(ini, req, spoke_ep(10, 4500)).size(), 1u);
  // A new message ID whose integrity check fails (RFC 7296 2.21.1: dropped).
  auto forged = ini.encrypted(ExchangeType::kInformational, {});
  forged.back() ^= 0x01;
  EXPECT_TRUE(h.send(ini, forged).empty());
  EXPECT_EQ(h.r.stats().nat_mapping_updates, 0u);
  EXPECT_EQ(h.dp.updates, 0);
  EXPECT_EQ(outbound(h).data.encap->dst_port, 4500);
}

}  // namespace
}  // namespace answerd::sa::test
