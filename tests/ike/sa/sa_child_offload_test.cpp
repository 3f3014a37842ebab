// A Child SA with PFS in CREATE_CHILD_SA (RFC 7296 1.3.1, 1.3.3) as a compute job
// (engine.h "Offloading CPU-heavy work"): handle() checks selectors, proposal and KE
// group and returns the DH as a job, with nothing sent and nothing reserved in the
// kernel; after complete() the response carries KEr and the installed SA pair is
// keyed with KEYMAT = prf+(SK_d, g^ir | Ni | Nr) (2.17). The reference here is
// computed with OpenSSL directly (X25519 and HMAC-SHA-256), not with answerd's crypto
// code. A retransmit while the job is out is dropped and counted; terminate,
// shutdown and reload meanwhile make it complete into nothing; a wrong KE group is
// answered with INVALID_KE_PAYLOAD without a job; without KE nothing is a job.
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <memory>

#include "helpers.h"
#include "ike/crypto/key_exchange.h"

namespace answerd::sa::test {
namespace {

using ike::DhGroup;
using ike::ExchangeType;
using ike::NotifyType;
using ike::PayloadType;

// kHubConf with X25519 PFS proposals for the child "net" (MODP-2048 as a second group).
std::string pfs_conf() {
  std::string c = kHubConf;
  const std::string from = "esp_proposals = aes256gcm16, aes128-sha256";
  c.replace(c.find(from), from.size(), "esp_proposals = aes256gcm16-x25519-modp2048, aes256gcm16, aes128-sha256");
  return c;
}

// The initiator's X25519 key pair and g^ir (RFC 8031), with OpenSSL.
class OsslX25519 {
 public:
  OsslX25519() : key_(EVP_PKEY_Q_keygen(nullptr, nullptr, "X25519"), EVP_PKEY_free) {}
  Bytes public_value() const {
    Bytes b(32);
    std::size_t n = b.size();
    EXPECT_EQ(EVP_PKEY_get_raw_public_key(key_.get(), b.data(), &n), 1);
    return b;
  }
  Bytes shared(const Bytes& peer) const {
    std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> p(
        EVP_PKEY_new_raw_public_key(EVP_PKEY_X25519, nullptr, peer.data(), peer.size()), EVP_PKEY_free);
    std::unique_ptr<EVP_PKEY_CTX, decltype(&EVP_PKEY_CTX_free)> ctx(EVP_PKEY_CTX_new(key_.get(), nullptr),
                                                                   EVP_PKEY_CTX_free);
    Bytes s(32);
    std::size_t n = s.size();
    if (!p || !ctx || EVP_PKEY_derive_init(ctx.get()) != 1 || EVP_PKEY_derive_set_peer(ctx.get(), p.get()) != 1 ||
        EVP_PKEY_derive(ctx.get(), s.data(), &n) != 1 || n != 32)
      ADD_FAILURE() << "OpenSSL X25519 derive failed";
    return s;
  }

 private:
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key_;
};

// RFC 7296 2.13 prf+ with PRF_HMAC_SHA2_256: T1 = prf(K, S | 0x01), Tn = prf(K, Tn-1 | S | n).
Bytes prf_plus_sha256(std::span<const std::uint8_t> k, const Bytes& s, std::size_t len) {
  Bytes out, t;
  for (std::uint8_t n = 1; out.size() < len; ++n) {
    Bytes in = t;
    in.insert(in.end(), s.begin(), s.end());
    in.push_back(n);
    t.assign(32, 0);
    unsigned tl = 32;
    EXPECT_NE(HMAC(EVP_sha256(), k.data(), static_cast<int>(k.size()), in.data(), in.size(), t.data(), &tl), nullptr);
    out.insert(out.end(), t.begin(), t.end());
  }
  out.resize(len);
  return out;
}

Bytes cat(std::initializer_list<const Bytes*> parts) {
  Bytes r;
  for (const auto* p : parts) r.insert(r.end(), p->begin(), p->end());
  return r;
}

Bytes nonce(Initiator& ini) {
  Bytes n(32);
  ini.rng.fill(n);
  return n;
}

// CREATE_CHILD_SA { HDR, SK { [N(REKEY_SA),] SA, Ni, KEi, TSi, TSr } }
Bytes pfs_request(Initiator& ini, ike::SaPayload sa, const Bytes& ni, DhGroup group, const Bytes& kei,
                  std::optional<ike::EspSpi> rekey = {}) {
  std::vector<ike::Payload> ps;
  if (rekey) ps.push_back(ike::make_child_sa_notify(NotifyType::kRekeySa, ike::ProtocolId::kEsp, *rekey));
  ps.push_back(ike::make_payload(std::move(sa)));
  ps.push_back(ike::make_payload(ike::NoncePayload{ni}));
  ps.push_back(ike::make_payload(ike::KePayload{group, kei}));
  ps.push_back(ike::make_payload(PayloadType::kTsi, ike::TsPayload{{ts4("10.2.0.0", "10.2.255.255")}}));
  ps.push_back(ike::make_payload(PayloadType::kTsr, ike::TsPayload{{ts4("10.1.0.0", "10.1.255.255")}}));
  return ini.encrypted(ExchangeType::kCreateChildSa, ps);
}

const Bytes& data_of(const Received& r, PayloadType t) {
  const auto* p = r.find(t);
  static const Bytes none;
  if (p == nullptr) return none;
  if (t == PayloadType::kKe) return ike::body_of<ike::KePayload>(*p)->data;
  return ike::body_of<ike::NoncePayload>(*p)->data;
}

TEST(ChildOffload, ChildRekeyWithPfsIsAJobAndInstallsTheRfcKeymat) {
  Harness h(pfs_conf());
  Initiator ini(Suite{}, 61, spoke_ep(), hub_ep());
  auto first = establish(h, ini);
  const auto old_ours = esp_spi(*sa_of(first));
  const auto spis_before = h.dp.next_spi;
  const ike::EspSpi peer2{0x22220011};
  const OsslX25519 x;
  const Bytes ni = nonce(ini);
  // CREATE_CHILD_SA { HDR, SK { N(REKEY_SA), SA(PFS X25519), Ni, KEi, TSi, TSr } } -->
  const Bytes req = pfs_request(ini, esp_offer(peer2, ike::EncrId::kAesGcm16, 256, ike::IntegId::kNone, DhGroup::kCurve25519),
                                ni, DhGroup::kCurve25519, x.public_value(), kPeerSpi);
  Output out = h.start(ini, req);
  // A job; nothing sent, no SPI reserved, nothing installed yet.
  ASSERT_TRUE(out.job);
  EXPECT_TRUE(out.send.empty());
  EXPECT_EQ(h.dp.next_spi, spis_before);
  EXPECT_EQ(h.dp.sas.size(), 2u);
  // The peer retransmits while the job is out: dropped and counted, no second job.
  Output again = h.start(ini, req);
  EXPECT_FALSE(again.job);
  EXPECT_TRUE(again.send.empty());
  EXPECT_EQ(h.r.stats().job_in_progress_dropped, 1u);
  EXPECT_EQ(h.r.stats().create_child_sa, 1u);
  // <-- { HDR, SK { SA(PFS X25519), Nr, KEr, TSi, TSr } }
  const auto resp = h.finish(ini, out);
  ASSERT_EQ(resp.size(), 1u);
  auto rec = ini.open(resp);
  ASSERT_TRUE(rec);
  ASSERT_NE(sa_of(*rec), nullptr);
  EXPECT_EQ(transform_id(*sa_of(*rec), ike::TransformType::kDh), static_cast<std::uint16_t>(DhGroup::kCurve25519));
  const Bytes& nr = data_of(*rec, PayloadType::kNonce);
  const Bytes& ker = data_of(*rec, PayloadType::kKe);
  ASSERT_EQ(ker.size(), 32u);
  // RFC 7296 2.17: KEYMAT = prf+(SK_d, g^ir (new) | Ni | Nr); AES-GCM-256 takes 36
  // octets (key and salt, RFC 4106 8.1) per direction, initiator to responder first.
  const Bytes g_ir = x.shared(ker);
  const Bytes keymat = prf_plus_sha256(ini.keys.sk_d.view(), cat({&g_ir, &ni, &nr}), 72);
  const auto ours = esp_spi(*sa_of(*rec));
  EXPECT_NE(ours, old_ours);
  ASSERT_TRUE(h.dp.sas.contains(ours.value()));
  ASSERT_TRUE(h.dp.sas.contains(peer2.value()));
  EXPECT_EQ(h.dp.sas.at(ours.value()).encr_key, Bytes(keymat.begin(), keymat.begin() + 36));
  EXPECT_EQ(h.dp.sas.at(peer2.value()).encr_key, Bytes(keymat.begin() + 36, keymat.end()));
  // Without g^ir the keys would differ: PFS really went in.
  const Bytes no_pfs = prf_plus_sha256(ini.keys.sk_d.view(), cat({&ni, &nr}), 72);
  EXPECT_NE(h.dp.sas.at(ours.value()).encr_key, Bytes(no_pfs.begin(), no_pfs.begin() + 36));
  EXPECT_EQ(h.dp.sas.size(), 4u);
  EXPECT_EQ(h.dp.policies.size(), 3u);  // the rekeyed pair shares the old pair's policies
  EXPECT_EQ(h.r.stats().child_rekeyed, 1u);
  // `sa list`: the rekeyed Child SA names its PFS group, the IKE_AUTH one has none.
  const auto snap = h.r.snapshot(h.now).at(0);
  ASSERT_EQ(snap.child_sas.size(), 2u);
  for (const auto& c : snap.child_sas)
    EXPECT_EQ(c.dh_group, c.spi_in == ours.value() ? "CURVE_25519" : "NONE") << std::hex << c.spi_in;
  EXPECT_EQ(std::count_if(snap.child_sas.begin(), snap.child_sas.end(),
                          [&](const auto& c) { return c.spi_in == ours.value(); }),
            1);
  // A retransmit now is answered from the window with the same bytes, no job.
  Output cached = h.start(ini, req);
  EXPECT_FALSE(cached.job);
  ASSERT_EQ(cached.send.size(), 1u);
  EXPECT_EQ(cached.send[0].bytes, resp[0]);
  EXPECT_EQ(h.r.stats().retransmits_answered, 1u);
}

TEST(ChildOffload, AdditionalChildWithPfsInTheKeGroupOfThePeer) {
  Harness h(pfs_conf());
  Initiator ini(Suite{}, 62, spoke_ep(), hub_ep());
  establish(h, ini);
  const ike::EspSpi peer2{0x22220012};
  // The peer offers X25519 and MODP-2048 and sends KEi of MODP-2048, which we also
  // accept: no INVALID_KE_PAYLOAD round trip, and SA and KEr name MODP-2048.
  auto offer = esp_offer(peer2, ike::EncrId::kAesGcm16, 256, ike::IntegId::kNone, DhGroup::kCurve25519);
  offer.proposals[0].transforms.insert(offer.proposals[0].transforms.end() - 1,
                                       ike::make_transform(ike::TransformType::kDh, static_cast<std::uint16_t>(DhGroup::kModp2048)));
  auto ke = std::move(*crypto::make_key_exchange(DhGroup::kModp2048, ini.rng));
  const auto pv = ke->public_value();
  const Bytes ni = nonce(ini);
  Output out = h.start(ini, pfs_request(ini, offer, ni, DhGroup::kModp2048, Bytes(pv.begin(), pv.end())));
  ASSERT_TRUE(out.job);
  EXPECT_TRUE(out.send.empty());
  auto rec = ini.open(h.finish(ini, out));
  ASSERT_TRUE(rec);
  ASSERT_NE(sa_of(*rec), nullptr);
  EXPECT_EQ(transform_id(*sa_of(*rec), ike::TransformType::kDh), static_cast<std::uint16_t>(DhGroup::kModp2048));
  const auto* ker = rec->find(PayloadType::kKe);
  ASSERT_NE(ker, nullptr);
  EXPECT_EQ(ike::body_of<ike::KePayload>(*ker)->group, DhGroup::kModp2048);
  auto gir = ke->shared_secret(ike::body_of<ike::KePayload>(*ker)->data);
  ASSERT_TRUE(gir);
  const auto keys = ini.child_keys({.encr = ike::EncrId::kAesGcm16, .encr_key_bits = 256, .integ = ike::IntegId::kNone},
                                   gir->view(), ni, data_of(*rec, PayloadType::kNonce));
  const auto ours = esp_spi(*sa_of(*rec));
  EXPECT_TRUE(keys.encr_i2r.equals(h.dp.sas.at(ours.value()).encr_key));
  EXPECT_TRUE(keys.encr_r2i.equals(h.dp.sas.at(peer2.value()).encr_key));
  // A new Child SA: a new reqid with its own policies (in, out, fwd).
  EXPECT_EQ(h.dp.sas.size(), 4u);
  EXPECT_EQ(h.dp.policies.size(), 6u);
  EXPECT_EQ(h.r.stats().child_rekeyed, 0u);
  EXPECT_EQ(h.r.stats().child_installed, 2u);
  // The group of the peer's KEi, not our first choice, is the one `sa list` shows.
  const auto snap = h.r.snapshot(h.now).at(0);
  ASSERT_EQ(snap.child_sas.size(), 2u);
  for (const auto& c : snap.child_sas)
    EXPECT_EQ(c.dh_group, c.spi_in == ours.value() ? "MODP_2048" : "NONE") << std::hex << c.spi_in;
}

TEST(ChildOffload, WrongKeGroupIsInvalidKePayloadWithoutAJob) {
  Harness h(pfs_conf());
  Initiator ini(Suite{}, 63, spoke_ep(), hub_ep());
  establish(h, ini);
  const auto spis_before = h.dp.next_spi;
  // SA(PFS X25519) with a KEi of MODP-2048: answered at once, naming X25519.
  Output out = h.start(ini, pfs_request(ini, esp_offer(ike::EspSpi(0x22220013), ike::EncrId::kAesGcm16, 256,
                                                        ike::IntegId::kNone, DhGroup::kCurve25519),
                                         nonce(ini), DhGroup::kModp2048, Bytes(256, 0x42)));
  EXPECT_FALSE(out.job);
  auto rec = ini.open(h.collect(out, ini));
  ASSERT_TRUE(rec);
  ASSERT_NE(rec->notify(NotifyType::kInvalidKePayload), nullptr);
  EXPECT_EQ(ike::parse_invalid_ke_payload(rec->notify(NotifyType::kInvalidKePayload)->data), DhGroup::kCurve25519);
  EXPECT_EQ(h.r.stats().invalid_ke, 1u);
  EXPECT_EQ(h.dp.next_spi, spis_before);
  EXPECT_EQ(h.dp.sas.size(), 2u);
  // A bad public value (all zeros: a low-order X25519 point) goes through the job
  // and is answered INVALID_SYNTAX (RFC 8031 2.3), nothing installed.
  Output bad = h.start(ini, pfs_request(ini, esp_offer(ike::EspSpi(0x22220014), ike::EncrId::kAesGcm16, 256,
                                                        ike::IntegId::kNone, DhGroup::kCurve25519),
                                         nonce(ini), DhGroup::kCurve25519, Bytes(32, 0)));
  ASSERT_TRUE(bad.job);
  auto rec2 = ini.open(h.finish(ini, bad));
  ASSERT_TRUE(rec2);
  EXPECT_NE(rec2->notify(NotifyType::kInvalidSyntax), nullptr);
  EXPECT_EQ(h.dp.next_spi, spis_before);
  EXPECT_EQ(h.dp.sas.size(), 2u);
}

TEST(ChildOffload, ChildWithoutKeIsAnsweredInline) {
  Harness h(pfs_conf());
  Initiator ini(Suite{}, 64, spoke_ep(), hub_ep());
  establish(h, ini);
  std::vector<ike::Payload> ps = child_payloads(esp_offer(ike::EspSpi(0x22220015), ike::EncrId::kAesGcm16, 256),
                                                {ts4("10.2.0.0", "10.2.255.255")}, {ts4("10.1.0.0", "10.1.255.255")});
  ps.insert(ps.begin() + 1, ike::make_payload(ike::NoncePayload{nonce(ini)}));
  Output out = h.start(ini, ini.encrypted(ExchangeType::kCreateChildSa, ps));
  EXPECT_FALSE(out.job);
  auto rec = ini.open(h.collect(out, ini));
  ASSERT_TRUE(rec);
  EXPECT_EQ(rec->find(PayloadType::kKe), nullptr);
  EXPECT_EQ(h.dp.sas.size(), 4u);
}

TEST(ChildOffload, TerminateAndShutdownDuringChildJobInstallNothing) {
  for (const bool shutdown : {false, true}) {
    Harness h(pfs_conf());
    Initiator ini(Suite{}, 65, spoke_ep(), hub_ep());
    establish(h, ini);
    const auto spis_before = h.dp.next_spi;
    const OsslX25519 x;
    Output out = h.start(ini, pfs_request(ini, esp_offer(ike::EspSpi(0x22220016), ike::EncrId::kAesGcm16, 256,
                                                          ike::IntegId::kNone, DhGroup::kCurve25519),
                                           nonce(ini), DhGroup::kCurve25519, x.public_value(), kPeerSpi));
    ASSERT_TRUE(out.job);
    const auto id = h.r.snapshot(h.now).at(0).id;
    Output del = shutdown ? h.r.shutdown(h.now) : h.r.terminate(id, h.now);
    EXPECT_EQ(h.collect(del, ini).size(), 1u);  // our DELETE
    EXPECT_TRUE(h.dp.sas.empty());
    // The job completes into nothing: no response, no SA, no SPI reserved.
    EXPECT_TRUE(h.finish(ini, out).empty());
    EXPECT_TRUE(h.dp.sas.empty());
    EXPECT_TRUE(h.dp.policies.empty());
    EXPECT_EQ(h.dp.next_spi, spis_before);
    EXPECT_EQ(h.r.stats().child_installed, 1u);
    EXPECT_EQ(h.r.stats().child_rekeyed, 0u);
    EXPECT_TRUE(h.r.terminate(id, h.now).send.empty());
    EXPECT_FALSE(h.r.has_ike_sa(id));
  }
}

TEST(ChildOffload, ReloadDuringChildJobThenTheRetransmitInstalls) {
  Harness h(pfs_conf());
  Initiator ini(Suite{}, 66, spoke_ep(), hub_ep());
  establish(h, ini);
  const OsslX25519 x;
  const Bytes req = pfs_request(ini, esp_offer(ike::EspSpi(0x22220017), ike::EncrId::kAesGcm16, 256, ike::IntegId::kNone,
                                               DhGroup::kCurve25519),
                                nonce(ini), DhGroup::kCurve25519, x.public_value());
  Output out = h.start(ini, req);
  ASSERT_TRUE(out.job);
  EXPECT_TRUE(h.r.reload(load_conf(pfs_conf()), h.now).send.empty());  // the IKE SA is kept
  // Planned with the old configuration: completes into nothing.
  EXPECT_TRUE(h.finish(ini, out).empty());
  EXPECT_EQ(h.dp.sas.size(), 2u);
  // The peer's retransmit starts it again under the new configuration.
  Output again = h.start(ini, req);
  ASSERT_TRUE(again.job);
  auto rec = ini.open(h.finish(ini, again));
  ASSERT_TRUE(rec);
  ASSERT_NE(rec->find(PayloadType::kKe), nullptr);
  EXPECT_EQ(h.dp.sas.size(), 4u);
  EXPECT_EQ(h.r.stats().job_in_progress_dropped, 0u);
}

}  // namespace
}  // namespace answerd::sa::test
