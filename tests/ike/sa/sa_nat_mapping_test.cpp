// NAT mapping changes (RFC 7296 2.23): when an authenticated request of a peer
// behind a NAT arrives through a new mapping, the responder moves its Child SAs'
// ESP-in-UDP SAs (RFC 3948) there: the new port in the encapsulation, a new
// address in the SAs and the policies' templates. A peer not behind a NAT, a
// retransmission and an undecryptable message move nothing.
#include "informational_peer.h"

namespace answerd::sa::test {
namespace {

using ike::ExchangeType;

struct MovedSa {
  kernel::SaId id;
  std::optional<kernel::UdpEncap> encap;
};

// KernelIpsec that records the SAs (by SPI) with their encapsulation, the moves and
// the policies, so the tests see what the kernel would hold.
class MappingDataplane final : public kernel::KernelIpsec {
 public:
  std::map<std::uint32_t, MovedSa> sas;
  std::vector<std::pair<kernel::PolicyId, kernel::PolicyData>> policies;
  int updates = 0, policy_updates = 0;
  std::uint32_t next_spi = 0xc0000001;

  kernel::IpsecResult<ike::EspSpi> alloc_spi(const kernel::IpAddress&, const kernel::IpAddress&, ike::Reqid) override {
    return ike::EspSpi(next_spi++);
  }
  kernel::IpsecResult<void> add_sa(const kernel::SaId& k, const kernel::SaData& d) override {
    sas[k.spi.value()] = MovedSa{k, d.encap};
    return {};
  }
  kernel::IpsecResult<void> update_sa(const kernel::SaId& k, const kernel::SaId& to,
                                      const kernel::UdpEncap& e) override {
    auto it = sas.find(k.spi.value());
    if (it == sas.end() || it->second.id.dst != k.dst || it->second.id.src != k.src)
      return unexpected(kernel::IpsecError{3, "no such SA"});
    it->second = MovedSa{to, e};
    ++updates;
    return {};
  }
  kernel::IpsecResult<void> del_sa(const kernel::SaId& k) override {
    if (sas.erase(k.spi.value()) == 0) return unexpected(kernel::IpsecError{3, "no such SA"});
    return {};
  }
  kernel::IpsecResult<kernel::SaStats> query_sa(const kernel::SaId&) override { return kernel::SaStats{}; }
  kernel::IpsecResult<void> add_policy(const kernel::PolicyId& k, const kernel::PolicyData& d) override {
    for (auto& p : policies)
      if (p.first.sel == k.sel && p.first.dir == k.dir) {
        if (!d.update) return unexpected(kernel::IpsecError{17, "policy exists"});
        p.second = d;
        ++policy_updates;
        return {};
      }
    if (d.update) return unexpected(kernel::IpsecError{2, "no policy to update"});
    policies.emplace_back(k, d);
    return {};
  }
  kernel::IpsecResult<void> del_policy(const kernel::PolicyId&) override { return {}; }
  kernel::IpsecResult<std::size_t> flush_owned() override { return std::size_t{0}; }
  void set_event_handler(kernel::IpsecEventHandler) override {}
  [[nodiscard]] int event_fd() const override { return -1; }
  void dispatch_events() override {}
  [[nodiscard]] const kernel::Capabilities& capabilities() const override { return caps_; }

 private:
  kernel::Capabilities caps_{};
};

// The Harness of harness.h with the dataplane above.
struct NatHarness {
  NatHarness() : cfg(load_conf(kHubConf)), rng(99), r(cfg, rng, dp, options()) {}
  ~NatHarness() {
    if (::testing::Test::HasFailure())
      for (const auto& l : log) std::cerr << "  engine: " << l << "\n";
  }
  std::shared_ptr<const config::Config> cfg;
  crypto::DeterministicRandom rng;
  MappingDataplane dp;
  std::vector<std::string> log;
  IkeResponder r;
  TimePoint now{std::chrono::hours(1)};

  // `reply_to`: where the answers must go when not back to from.self.
  std::vector<Bytes> send(const Initiator& from, const Bytes& bytes, std::optional<Endpoint> reply_to = {}) {
    Datagram d{.local = from.peer, .remote = from.self, .bytes = bytes};
    Output out = r.handle(d, now);
    if (out.job) {
      auto job = std::move(out.job);
      job->run();
      Output done = r.complete(std::move(job), now);
      for (auto& s : done.send) out.send.push_back(std::move(s));
    }
    std::vector<Bytes> res;
    for (auto& s : out.send) {
      EXPECT_EQ(s.remote, reply_to.value_or(from.self));
      EXPECT_EQ(s.local, from.peer);
      res.push_back(std::move(s.bytes));
    }
    return res;
  }

 private:
  Options options() {
    Options o;
    o.log = [this](std::string_view l) { log.emplace_back(l); };
    return o;
  }
};

const Endpoint kPrivate{ip("10.0.0.5"), 500};  // the initiator's address behind its NAT
const Endpoint kHub4500{ip("192.0.2.1"), 4500};

// IKE_SA_INIT from behind a NAT (NAT_DETECTION_SOURCE_IP hashes the private
// address), then IKE_AUTH with a Child SA from the NAT's public port 4500.
void establish_behind_nat(NatHarness& h, Initiator& ini, bool nat = true) {
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

const MovedSa& outbound(const NatHarness& h) { return h.dp.sas.at(kPeerSpi.value()); }
const MovedSa& inbound(const NatHarness& h) {
  for (const auto& [spi, s] : h.dp.sas)
    if (spi != kPeerSpi.value()) return s;
  return h.dp.sas.begin()->second;
}

// INFORMATIONAL { HDR, SK { } } --> from wherever ini.self is now; <-- answered there.
void liveness_check(NatHarness& h, Initiator& ini) {
  auto resp = h.send(ini, ini.encrypted(ExchangeType::kInformational, {}));
  ASSERT_EQ(resp.size(), 1u);
  EXPECT_TRUE(ini.open(resp).has_value());
}

TEST(NatMapping, NewPortMovesBothEspSasEncapsulation) {
  NatHarness h;
  Initiator ini(Suite{}, 601, spoke_ep(), hub_ep());
  establish_behind_nat(h, ini);
  ASSERT_TRUE(h.r.snapshot(h.now).at(0).nat_remote);
  ASSERT_TRUE(outbound(h).encap.has_value());
  EXPECT_EQ(outbound(h).encap->dst_port, 4500);

  ini.self.port = 31000;  // the NAT forgot the mapping and made a new one
  liveness_check(h, ini);
  EXPECT_EQ(h.r.stats().nat_mapping_updates, 1u);
  EXPECT_EQ(h.dp.updates, 2);
  ASSERT_TRUE(outbound(h).encap.has_value());
  EXPECT_EQ(outbound(h).encap->src_port, 4500);
  EXPECT_EQ(outbound(h).encap->dst_port, 31000);
  EXPECT_EQ(outbound(h).id.dst, ip("198.51.100.10"));
  ASSERT_TRUE(inbound(h).encap.has_value());
  EXPECT_EQ(inbound(h).encap->src_port, 31000);
  EXPECT_EQ(inbound(h).encap->dst_port, 4500);
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
  NatHarness h;
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
  NatHarness h;
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
  NatHarness h;
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
  EXPECT_EQ(outbound(h).encap->dst_port, 4500);
}

}  // namespace
}  // namespace answerd::sa::test
