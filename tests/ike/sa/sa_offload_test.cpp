// Compute jobs beyond IKE_SA_INIT (engine.h "Offloading CPU-heavy work"): IKE_AUTH
// with a PSK and with certificates, and an IKE SA rekey, each come back from
// handle() as a job and no response; the response after complete() is a correct one
// (the initiator opens it, checks our AUTH or derives the new keys and uses them);
// a retransmit while the job is out is dropped and counted; terminate, reload and
// shutdown between handle() and complete() make the job complete into nothing.
#include "helpers.h"
#include "ike/crypto/key_exchange.h"
#include "pubkey_support.h"

namespace answerd::sa::test {
namespace {

using ike::ExchangeType;
using ike::NotifyType;
using ike::PayloadType;

Bytes psk_auth_bytes(Initiator& ini) {
  return ini.encrypted(ExchangeType::kIkeAuth, auth_request(ini, "a.spoke.example", kPsk, {}, default_child()));
}

// CREATE_CHILD_SA { HDR, SK { SA(SPI new), Ni, KEi } } for an IKE SA rekey; `n` is
// the new IKE SA on the initiator's side.
Bytes rekey_bytes(Initiator& ini, Initiator& n) {
  auto offer = n.ike_offer({Suite{}});
  const auto spi = n.spi_i.bytes();
  offer.proposals[0].spi = Bytes(spi.begin(), spi.end());
  n.ke = std::move(*crypto::make_key_exchange(ike::DhGroup::kCurve25519, n.rng));
  n.ni = Bytes(32);
  n.rng.fill(n.ni);
  const auto pv = n.ke->public_value();
  return ini.encrypted(ExchangeType::kCreateChildSa,
                       {ike::make_payload(offer), ike::make_payload(ike::NoncePayload{n.ni}),
                        ike::make_payload(ike::KePayload{ike::DhGroup::kCurve25519, Bytes(pv.begin(), pv.end())})});
}

TEST(Offload, PskIkeAuthIsAJobAndRetransmitsAreDropped) {
  Harness h;
  Initiator ini(Suite{}, 81, spoke_ep(), hub_ep());
  do_init(h, ini);
  const Bytes req = psk_auth_bytes(ini);
  // IKE_AUTH --> : a job, nothing sent, nothing established yet.
  Output out = h.start(ini, req);
  ASSERT_TRUE(out.job);
  EXPECT_TRUE(out.send.empty());
  EXPECT_EQ(h.r.stats().ike_established, 0u);
  // The peer retransmits while the job is out: dropped and counted, no second job.
  Output again = h.start(ini, req);
  EXPECT_FALSE(again.job);
  EXPECT_TRUE(again.send.empty());
  EXPECT_EQ(h.r.stats().job_in_progress_dropped, 1u);
  EXPECT_EQ(h.r.stats().ike_auth, 1u);
  // <-- IKE_AUTH { IDr, AUTH, N(AUTH_LIFETIME), SAr2, TSi, TSr } after complete().
  const auto resp = h.finish(ini, out);
  ASSERT_EQ(resp.size(), 1u);
  auto rec = ini.open(resp);
  ASSERT_TRUE(rec);
  EXPECT_EQ(rec->notify(NotifyType::kAuthenticationFailed), nullptr);
  EXPECT_TRUE(ini.verify_responder_auth(kPsk, *rec));
  EXPECT_NE(sa_of(*rec), nullptr);
  EXPECT_EQ(h.r.snapshot(h.now).at(0).state, "ESTABLISHED");
  EXPECT_EQ(h.dp.sas.size(), 2u);
  // A retransmit now is answered from the window with the same bytes.
  Output cached = h.start(ini, req);
  EXPECT_FALSE(cached.job);
  ASSERT_EQ(cached.send.size(), 1u);
  EXPECT_EQ(cached.send[0].bytes, resp[0]);
  EXPECT_EQ(h.r.stats().retransmits_answered, 1u);
}

TEST(Offload, CertificateIkeAuthIsAJob) {
  auto& p = TestPki::get();
  ASSERT_TRUE(p.ok()) << "openssl could not make the test PKI";
  Harness h(pubkey_conf("p256"));
  add_pubkey(h);
  Initiator ini(Suite{}, 82, spoke_ep(), hub_ep());
  ini.sig_hashes = {ike::HashAlgorithm::kSha2_256, ike::HashAlgorithm::kSha2_384, ike::HashAlgorithm::kSha2_512};
  do_init(h, ini);
  const auto idi = fqdn("a.spoke.example");
  std::vector<ike::Payload> ps{ike::make_payload(PayloadType::kIdi, idi), cert_payload(p.cert("spoke-p256")),
                               certreq_for(p.cert("ca")),
                               ike::make_payload(sig_auth(ini, p.key("spoke-p256"), idi,
                                                          {ike::AuthMethod::kDigitalSignature, pki::SignatureScheme::kEcdsaSha256}))};
  for (auto& x : default_child()) ps.push_back(std::move(x));
  const Bytes req = ini.encrypted(ExchangeType::kIkeAuth, ps);
  Output out = h.start(ini, req);
  ASSERT_TRUE(out.job);
  EXPECT_TRUE(out.send.empty());
  EXPECT_TRUE(h.start(ini, req).send.empty());
  EXPECT_EQ(h.r.stats().job_in_progress_dropped, 1u);
  auto rec = ini.open(h.finish(ini, out));
  ASSERT_TRUE(rec);
  ASSERT_EQ(rec->notify(NotifyType::kAuthenticationFailed), nullptr) << h.log.back();
  const auto certs = certs_in(*rec);
  ASSERT_EQ(certs.size(), 1u);
  EXPECT_TRUE(verify_responder_sig(ini, *rec, certs[0].public_key()));
  EXPECT_EQ(h.r.snapshot(h.now).at(0).auth, "pubkey");
}

TEST(Offload, IkeRekeyIsAJobAndTheNewSaWorks) {
  Harness h;
  Initiator ini(Suite{}, 83, spoke_ep(), hub_ep());
  establish(h, ini);
  Initiator n(Suite{}, 84, spoke_ep(), hub_ep());
  const Bytes req = rekey_bytes(ini, n);
  Output out = h.start(ini, req);
  ASSERT_TRUE(out.job);
  EXPECT_TRUE(out.send.empty());
  EXPECT_EQ(h.r.ike_sa_count(), 1u);
  EXPECT_TRUE(h.start(ini, req).send.empty());
  EXPECT_EQ(h.r.stats().job_in_progress_dropped, 1u);
  // <-- { HDR, SK { SA(SPI new), Nr, KEr } }: the initiator derives the same keys.
  auto rec = ini.open(h.finish(ini, out));
  ASSERT_TRUE(rec);
  const auto* sar = sa_of(*rec);
  ASSERT_NE(sar, nullptr);
  ASSERT_EQ(sar->proposals.at(0).spi.size(), 8u);
  n.spi_r = ike::IkeSpi::from_wire(std::span<const std::uint8_t, 8>(sar->proposals[0].spi.data(), 8));
  n.nr = ike::body_of<ike::NoncePayload>(*rec->find(PayloadType::kNonce))->data;
  auto gir = n.ke->shared_secret(ike::body_of<ike::KePayload>(*rec->find(PayloadType::kKe))->data);
  ASSERT_TRUE(gir);
  auto seed = crypto::rekey_skeyseed(ini.suite.prf, ini.keys.sk_d.view(), gir->view(), n.ni, n.nr);
  n.keys = std::move(*crypto::derive_ike_keys({}, seed->view(), n.ni, n.nr, n.spi_i, n.spi_r));
  n.to_r = std::move(*crypto::make_sk_cipher(ike::EncrId::kAesGcm16, 256, ike::IntegId::kNone, n.keys.sk_ei.view(), {}, n.rng));
  n.from_r = std::move(*crypto::make_sk_cipher(ike::EncrId::kAesGcm16, 256, ike::IntegId::kNone, n.keys.sk_er.view(), {}, n.rng));
  n.next_mid = 0;
  EXPECT_EQ(h.r.ike_sa_count(), 2u);
  EXPECT_EQ(h.r.stats().ike_rekeyed, 1u);
  // INFORMATIONAL on the new IKE SA with the new keys is answered.
  auto live = n.open(h.send(n, n.encrypted(ExchangeType::kInformational, {})));
  ASSERT_TRUE(live);
  EXPECT_EQ(live->header.spi_r, n.spi_r);
}

TEST(Offload, TerminateDuringIkeAuthJob) {
  Harness h;
  Initiator ini(Suite{}, 85, spoke_ep(), hub_ep());
  do_init(h, ini);
  Output out = h.start(ini, psk_auth_bytes(ini));
  ASSERT_TRUE(out.job);
  const auto id = h.r.snapshot(h.now).at(0).id;
  EXPECT_TRUE(h.r.terminate(id, h.now).send.empty());  // half-open: removed at once
  EXPECT_FALSE(h.r.has_ike_sa(id));
  EXPECT_TRUE(h.finish(ini, out).empty());
  EXPECT_EQ(h.r.ike_sa_count(), 0u);
  EXPECT_EQ(h.r.half_open_count(), 0u);
  EXPECT_TRUE(h.dp.sas.empty());
  EXPECT_EQ(h.r.stats().ike_established, 0u);
}

TEST(Offload, ReloadDuringIkeAuthJobThenTheRetransmitEstablishes) {
  Harness h;
  Initiator ini(Suite{}, 86, spoke_ep(), hub_ep());
  do_init(h, ini);
  const Bytes req = psk_auth_bytes(ini);
  Output out = h.start(ini, req);
  ASSERT_TRUE(out.job);
  EXPECT_TRUE(h.r.reload(load_conf(kHubConf), h.now).send.empty());
  // The job was computed with the old configuration: it completes into nothing.
  EXPECT_TRUE(h.finish(ini, out).empty());
  EXPECT_EQ(h.r.half_open_count(), 1u);
  // The peer's retransmit starts it again under the new configuration.
  Output again = h.start(ini, req);
  ASSERT_TRUE(again.job);
  auto rec = ini.open(h.finish(ini, again));
  ASSERT_TRUE(rec);
  EXPECT_TRUE(ini.verify_responder_auth(kPsk, *rec));
  EXPECT_EQ(h.r.snapshot(h.now).at(0).state, "ESTABLISHED");
}

TEST(Offload, ReloadRemovingTheConnectionDuringIkeAuthJob) {
  Harness h;
  Initiator ini(Suite{}, 87, spoke_ep(), hub_ep());
  do_init(h, ini);
  Output out = h.start(ini, psk_auth_bytes(ini));
  ASSERT_TRUE(out.job);
  EXPECT_TRUE(h.r.reload(load_conf("answerd {\n dataplane = none\n}\n"), h.now).send.empty());
  EXPECT_EQ(h.r.ike_sa_count(), 0u);
  EXPECT_TRUE(h.finish(ini, out).empty());
  EXPECT_EQ(h.r.ike_sa_count(), 0u);
  EXPECT_EQ(h.r.half_open_count(), 0u);
}

TEST(Offload, TerminateAndShutdownDuringRekeyJob) {
  for (const bool shutdown : {false, true}) {
    Harness h;
    Initiator ini(Suite{}, 88, spoke_ep(), hub_ep());
    establish(h, ini);
    Initiator n(Suite{}, 89, spoke_ep(), hub_ep());
    Output out = h.start(ini, rekey_bytes(ini, n));
    ASSERT_TRUE(out.job);
    const auto id = h.r.snapshot(h.now).at(0).id;
    // Our DELETE goes out (a request), the SA is DELETING.
    Output del = shutdown ? h.r.shutdown(h.now) : h.r.terminate(id, h.now);
    EXPECT_EQ(h.collect(del, ini).size(), 1u);
    EXPECT_EQ(h.r.deleting_count(), 1u);
    // The rekey job completes into nothing: no response, no new IKE SA.
    EXPECT_TRUE(h.finish(ini, out).empty());
    EXPECT_EQ(h.r.ike_sa_count(), 0u);
    EXPECT_EQ(h.r.deleting_count(), 1u);
    EXPECT_EQ(h.r.stats().ike_rekeyed, 0u);
    // A second terminate removes it at once; nothing is left.
    EXPECT_TRUE(h.r.terminate(id, h.now).send.empty());
    EXPECT_FALSE(h.r.has_ike_sa(id));
  }
}

TEST(Offload, JobHandedBackWithoutRunCompletesIntoNothing) {
  Harness h;
  Initiator ini(Suite{}, 90, spoke_ep(), hub_ep());
  establish(h, ini);
  Initiator n(Suite{}, 91, spoke_ep(), hub_ep());
  const Bytes req = rekey_bytes(ini, n);
  Output out = h.start(ini, req);
  ASSERT_TRUE(out.job);
  // The daemon's pool refused it: completed unrun, the SA is free for the retransmit.
  EXPECT_TRUE(h.r.complete(std::move(out.job), h.now).send.empty());
  EXPECT_EQ(h.r.ike_sa_count(), 1u);
  Output again = h.start(ini, req);
  ASSERT_TRUE(again.job);
  EXPECT_EQ(h.finish(ini, again).size(), 1u);
  EXPECT_EQ(h.r.ike_sa_count(), 2u);
}

}  // namespace
}  // namespace answerd::sa::test
