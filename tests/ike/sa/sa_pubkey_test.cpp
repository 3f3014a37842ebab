// Certificate authentication in IKE_AUTH (RFC 7296 2.15, 3.6-3.8, RFC 7427) against
// the responder engine: every key type on both sides, the classic methods, CERTREQ
// in IKE_SA_INIT and send_cert, a fragmented certificate chain, and every reason
// for AUTHENTICATION_FAILED (foreign CA, identity, signature, missing or expired
// certificate). Loading errors of the credentials name file, line and path.
#include <fstream>

#include "helpers.h"
#include "pubkey_support.h"

namespace answerd::sa::test {
namespace {

using ike::ExchangeType;
using ike::NotifyType;
using ike::PayloadType;

struct KeyCase {
  const char* name;
  const char* spoke;       // spoke-<kind>
  const char* hub;         // hub-<kind>
  bool peer_hashes;        // the initiator sends SIGNATURE_HASH_ALGORITHMS (else classic methods)
  pki::SignatureChoice choice;
  ike::AuthMethod hub_method;  // what the responder must answer with
};

// IKE_SA_INIT --> <-- ; IKE_AUTH { IDi, CERT..., CERTREQ, AUTH, SAi2, TSi, TSr } -->
std::vector<Bytes> cert_auth(Harness& h, Initiator& ini, const pki::PrivateKey& key, pki::SignatureChoice choice,
                             std::vector<ike::Payload> certs, const std::string& id = "a.spoke.example",
                             bool certreq = true) {
  do_init(h, ini);
  const auto idi = fqdn(id);
  std::vector<ike::Payload> ps{ike::make_payload(PayloadType::kIdi, idi)};
  for (auto& c : certs) ps.push_back(std::move(c));
  if (certreq) ps.push_back(certreq_for(TestPki::get().cert("ca")));
  ps.push_back(ike::make_payload(sig_auth(ini, key, idi, choice)));
  for (auto& c : default_child()) ps.push_back(std::move(c));
  return h.send(ini, ini.encrypted(ExchangeType::kIkeAuth, ps));
}

class PubkeyHandshake : public ::testing::TestWithParam<KeyCase> {};

TEST_P(PubkeyHandshake, EstablishesWithCertificates) {
  const auto& c = GetParam();
  auto& p = TestPki::get();
  ASSERT_TRUE(p.ok()) << "openssl could not make the test PKI";
  Harness h(pubkey_conf(c.hub));
  add_pubkey(h);
  Initiator ini(Suite{}, 7, spoke_ep(), hub_ep());
  // As strongSwan announces them: Ed25519 needs the Identity "hash" (RFC 8420).
  ini.sig_hashes = {ike::HashAlgorithm::kSha2_256, ike::HashAlgorithm::kSha2_384, ike::HashAlgorithm::kSha2_512,
                    ike::HashAlgorithm::kIdentity};
  if (!c.peer_hashes) {
    // Without SIGNATURE_HASH_ALGORITHMS the responder must fall back to methods 1/9/10.
    ini.init();
    auto m = *ike::parse_message(ini.init_request);
    std::erase_if(m.payloads, [](const ike::Payload& x) {
      const auto* n = ike::body_of<ike::NotifyPayload>(x);
      return n != nullptr && n->type == NotifyType::kSignatureHashAlgorithms;
    });
    ini.init_request = *ike::serialize_message(m);
    auto r = h.send(ini, ini.init_request);
    ASSERT_EQ(r.size(), 1u);
    ASSERT_TRUE(ini.accept_init(r[0]));
  } else {
    // <-- IKE_SA_INIT { ..., CERTREQ(SHA-1 of ca's key) }
    auto r = h.send(ini, ini.init());
    ASSERT_EQ(r.size(), 1u);
    auto m = ike::parse_message(r[0]);
    ASSERT_TRUE(m);
    const auto* cr = ike::find_payload(m->payloads, PayloadType::kCertreq);
    ASSERT_NE(cr, nullptr);
    const auto want = p.cert("ca").key_hash();
    EXPECT_EQ(ike::body_of<ike::CertPayload>(*cr)->data, Bytes(want.begin(), want.end()));
    // RFC 7427 4 / RFC 8420: our hashes include Identity, or an Ed25519 peer cannot sign.
    const auto* sh = ike::find_notify(m->payloads, NotifyType::kSignatureHashAlgorithms);
    ASSERT_NE(sh, nullptr);
    EXPECT_EQ(ike::parse_signature_hash_algorithms(sh->data),
              (std::vector{ike::HashAlgorithm::kSha2_256, ike::HashAlgorithm::kSha2_384, ike::HashAlgorithm::kSha2_512,
                           ike::HashAlgorithm::kIdentity}));
    ASSERT_TRUE(ini.accept_init(r[0]));
  }
  // IKE_AUTH { IDi, CERT, CERTREQ, AUTH, SAi2, TSi, TSr } -->
  const auto idi = fqdn("a.spoke.example");
  std::vector<ike::Payload> ps{ike::make_payload(PayloadType::kIdi, idi), cert_payload(p.cert(c.spoke)),
                               certreq_for(p.cert("ca")),
                               ike::make_payload(sig_auth(ini, p.key(c.spoke), idi, c.choice))};
  for (auto& x : default_child()) ps.push_back(std::move(x));
  auto resp = h.send(ini, ini.encrypted(ExchangeType::kIkeAuth, ps));
  auto rec = ini.open(resp);
  ASSERT_TRUE(rec);
  ASSERT_EQ(rec->notify(NotifyType::kAuthenticationFailed), nullptr) << h.log.back();
  // <-- IKE_AUTH { IDr, CERT(hub), AUTH, N(AUTH_LIFETIME), SAr2, TSi, TSr }
  const auto certs = certs_in(*rec);
  ASSERT_EQ(certs.size(), 1u);  // the peer trusts ca: only our end-entity certificate
  EXPECT_TRUE(std::ranges::equal(certs[0].der(), p.cert(std::string("hub-") + c.hub).der()));
  EXPECT_EQ(ike::body_of<ike::AuthPayload>(*rec->find(PayloadType::kAuth))->method, c.hub_method);
  EXPECT_TRUE(verify_responder_sig(ini, *rec, certs[0].public_key()));
  EXPECT_NE(sa_of(*rec), nullptr);
  const auto snap = h.r.snapshot(h.now);
  ASSERT_EQ(snap.size(), 1u);
  EXPECT_EQ(snap[0].state, "ESTABLISHED");
  EXPECT_EQ(snap[0].auth, "pubkey");
  EXPECT_EQ(snap[0].remote_id, "a.spoke.example");
  EXPECT_EQ(h.r.stats().auth_failed, 0u);
}

using S = pki::SignatureScheme;
using M = ike::AuthMethod;
INSTANTIATE_TEST_SUITE_P(
    Keys, PubkeyHandshake,
    ::testing::Values(
        KeyCase{"rsa_pkcs1", "spoke-rsa", "p256", true, {M::kDigitalSignature, S::kRsaPkcs1Sha256}, M::kDigitalSignature},
        KeyCase{"rsa_pss", "spoke-rsa", "rsa", true, {M::kDigitalSignature, S::kRsaPssSha256}, M::kDigitalSignature},
        KeyCase{"ecdsa_p256", "spoke-p256", "p256", true, {M::kDigitalSignature, S::kEcdsaSha256}, M::kDigitalSignature},
        KeyCase{"ecdsa_p384", "spoke-p384", "p384", true, {M::kDigitalSignature, S::kEcdsaSha384}, M::kDigitalSignature},
        KeyCase{"ed25519", "spoke-ed25519", "ed25519", true, {M::kDigitalSignature, S::kEd25519}, M::kDigitalSignature},
        KeyCase{"classic_rsa", "spoke-rsa", "rsa", false, {M::kRsaSig, S::kRsaPkcs1Sha1}, M::kRsaSig},
        KeyCase{"classic_ecdsa256", "spoke-p256", "p256", false, {M::kEcdsa256, S::kEcdsaSha256}, M::kEcdsa256},
        KeyCase{"classic_ecdsa384", "spoke-p384", "p384", false, {M::kEcdsa384, S::kEcdsaSha384}, M::kEcdsa384}),
    [](const auto& param_info) { return std::string(param_info.param.name); });

const pki::SignatureChoice kP256{M::kDigitalSignature, S::kEcdsaSha256};

// Every failure: AUTHENTICATION_FAILED, counted, logged with the reason, no SA.
void expect_rejected(Harness& h, Initiator& ini, const std::vector<Bytes>& resp, const std::string& reason) {
  auto rec = ini.open(resp);
  ASSERT_TRUE(rec);
  EXPECT_NE(rec->notify(NotifyType::kAuthenticationFailed), nullptr);
  EXPECT_EQ(rec->find(PayloadType::kAuth), nullptr);
  EXPECT_EQ(h.r.stats().auth_failed, 1u);
  EXPECT_EQ(h.r.ike_sa_count(), 0u);
  EXPECT_EQ(h.dp.sas.size(), 0u);
  bool logged = false;
  for (const auto& l : h.log) logged = logged || (l.find("authentication failed") != std::string::npos &&
                                                  l.find(reason) != std::string::npos);
  EXPECT_TRUE(logged) << "no log line with '" << reason << "'";
}

TEST(PubkeyReject, CertificateOfAnotherCa) {
  auto& p = TestPki::get();
  Harness h(pubkey_conf("p256"));
  add_pubkey(h);
  Initiator ini(Suite{}, 11, spoke_ep(), hub_ep());
  auto r = cert_auth(h, ini, p.key("spoke-foreign"), kP256, {cert_payload(p.cert("spoke-foreign"))});
  expect_rejected(h, ini, r, "unable to get local issuer certificate");
}

TEST(PubkeyReject, IdentityNotInCertificate) {
  auto& p = TestPki::get();
  Harness h(pubkey_conf("p256"));
  add_pubkey(h);
  Initiator ini(Suite{}, 12, spoke_ep(), hub_ep());
  // b.spoke.example fits the connection's *.spoke.example but not the certificate.
  auto r = cert_auth(h, ini, p.key("spoke-p256"), kP256, {cert_payload(p.cert("spoke-p256"))}, "b.spoke.example");
  expect_rejected(h, ini, r, "peer ID not in certificate");
}

TEST(PubkeyReject, IdentityOfNoConnection) {
  auto& p = TestPki::get();
  Harness h(pubkey_conf("p256", "", "a.spoke.example"));
  add_pubkey(h);
  Initiator ini(Suite{}, 13, spoke_ep(), hub_ep());
  auto r = cert_auth(h, ini, p.key("spoke-p256"), kP256, {cert_payload(p.cert("spoke-p256"))}, "c.spoke.example");
  expect_rejected(h, ini, r, "no connection for identity 'c.spoke.example'");
}

TEST(PubkeyReject, SignatureByAnotherKey) {
  auto& p = TestPki::get();
  Harness h(pubkey_conf("p256"));
  add_pubkey(h);
  Initiator ini(Suite{}, 14, spoke_ep(), hub_ep());
  // The certificate is good, the AUTH is signed with the foreign certificate's key.
  auto r = cert_auth(h, ini, p.key("spoke-foreign"), kP256, {cert_payload(p.cert("spoke-p256"))});
  expect_rejected(h, ini, r, "AUTH method 14");
}

TEST(PubkeyReject, NoCertificate) {
  auto& p = TestPki::get();
  Harness h(pubkey_conf("p256"));
  add_pubkey(h);
  Initiator ini(Suite{}, 15, spoke_ep(), hub_ep());
  auto r = cert_auth(h, ini, p.key("spoke-p256"), kP256, {});
  expect_rejected(h, ini, r, "no certificate");
}

TEST(PubkeyReject, ExpiredAtTheWallClock) {
  auto& p = TestPki::get();
  Harness h(pubkey_conf("p256"));
  add_pubkey(h, [] { return std::chrono::system_clock::now() + std::chrono::hours(24 * 400); });
  Initiator ini(Suite{}, 16, spoke_ep(), hub_ep());
  auto r = cert_auth(h, ini, p.key("spoke-p256"), kP256, {cert_payload(p.cert("spoke-p256"))});
  expect_rejected(h, ini, r, "expired");
}

TEST(PubkeyReject, PskAuthOnAPubkeyConnection) {
  auto& p = TestPki::get();
  Harness h(pubkey_conf("p256"));
  add_pubkey(h);
  Initiator ini(Suite{}, 17, spoke_ep(), hub_ep());
  do_init(h, ini);
  std::vector<ike::Payload> ps{ike::make_payload(PayloadType::kIdi, fqdn("a.spoke.example")),
                               cert_payload(p.cert("spoke-p256")),
                               ike::make_payload(ini.psk_auth("whatever", fqdn("a.spoke.example")))};
  auto r = h.send(ini, ini.encrypted(ExchangeType::kIkeAuth, ps));
  expect_rejected(h, ini, r, "where a signature is expected");
}

TEST(PubkeyReject, OurEd25519KeyButNoIdentityHashAnnounced) {
  auto& p = TestPki::get();
  Harness h(pubkey_conf("ed25519"));
  add_pubkey(h);
  Initiator ini(Suite{}, 21, spoke_ep(), hub_ep());  // announces SHA2-256 only
  auto r = cert_auth(h, ini, p.key("spoke-p256"), kP256, {cert_payload(p.cert("spoke-p256"))});
  expect_rejected(h, ini, r, "no signature scheme for our Ed25519 key");
}

// Chain through an intermediate the peer sends; our RSA answer fragmented (RFC 7383).
TEST(PubkeyChain, IntermediateFromThePeerAndFragmentedResponse) {
  auto& p = TestPki::get();
  Options o;
  o.fragment_size = 400;
  Harness h(pubkey_conf("rsa", "  send_cert = always\n"), o);
  add_pubkey(h);
  Initiator ini(Suite{}, 18, spoke_ep(), hub_ep());
  auto r = cert_auth(h, ini, p.key("spoke-chain"), {M::kDigitalSignature, S::kRsaPssSha256},
                     {cert_payload(p.cert("spoke-chain")), cert_payload(p.cert("sub"))}, "a.spoke.example", false);
  EXPECT_GT(r.size(), 2u);
  EXPECT_EQ(h.r.stats().fragments_sent, r.size());
  auto rec = ini.open(r);
  ASSERT_TRUE(rec);
  ASSERT_EQ(rec->notify(NotifyType::kAuthenticationFailed), nullptr) << h.log.back();
  const auto certs = certs_in(*rec);
  ASSERT_EQ(certs.size(), 1u);  // send_cert = always without CERTREQ: ours (ca is a root)
  EXPECT_TRUE(verify_responder_sig(ini, *rec, certs[0].public_key()));
  // The peer signed with PSS: our RSA key answers with PSS too.
  auto sig = pki::parse_digital_signature(ike::body_of<ike::AuthPayload>(*rec->find(PayloadType::kAuth))->data);
  ASSERT_TRUE(sig);
  EXPECT_EQ(sig->params.scheme, S::kRsaPssSha256);
  EXPECT_EQ(h.r.ike_sa_count(), 1u);
}

TEST(PubkeySendCert, IfAskedNeverAndWithoutCertreq) {
  auto& p = TestPki::get();
  for (const auto& [extra, certreq, want] : {std::tuple{"", false, 0u}, std::tuple{"", true, 1u},
                                             std::tuple{"  send_cert = never\n", true, 0u},
                                             std::tuple{"  send_certreq = no\n", true, 1u}}) {
    Harness h(pubkey_conf("p256", extra));
    add_pubkey(h);
    Initiator ini(Suite{}, 19, spoke_ep(), hub_ep());
    auto r = cert_auth(h, ini, p.key("spoke-p256"), kP256, {cert_payload(p.cert("spoke-p256"))}, "a.spoke.example",
                       certreq);
    auto rec = ini.open(r);
    ASSERT_TRUE(rec);
    EXPECT_EQ(certs_in(*rec).size(), want) << extra << " certreq " << certreq;
    // Without our CERT the initiator checks with the certificate it has configured.
    EXPECT_TRUE(verify_responder_sig(ini, *rec, p.cert("hub-p256").public_key()));
    // send_certreq = no: no CERTREQ in IKE_SA_INIT.
    auto init = ike::parse_message(ini.init_response);
    EXPECT_EQ(ike::find_payload(init->payloads, PayloadType::kCertreq) == nullptr,
              std::string(extra).find("send_certreq") != std::string::npos);
  }
}

TEST(PubkeyIdentity, DistinguishedNames) {
  auto& p = TestPki::get();
  // Both sides %any / a DN: our IDr is our subject DN, the peer's DN is matched RDN by RDN.
  std::string conf = pubkey_conf("p256", "", "\"C=CH, O=answerd test, CN=a.spoke.example\"");
  conf.replace(conf.find("id = hub.example"), 16, "id = %any");
  Harness h(conf);
  add_pubkey(h);
  Initiator ini(Suite{}, 20, spoke_ep(), hub_ep());
  do_init(h, ini);
  const auto subject = p.cert("spoke-p256").subject_der();
  const ike::IdPayload idi{ike::IdType::kDerAsn1Dn, Bytes(subject.begin(), subject.end())};
  std::vector<ike::Payload> ps{ike::make_payload(PayloadType::kIdi, idi), cert_payload(p.cert("spoke-p256")),
                               ike::make_payload(sig_auth(ini, p.key("spoke-p256"), idi, kP256))};
  auto rec = ini.open(h.send(ini, ini.encrypted(ExchangeType::kIkeAuth, ps)));
  ASSERT_TRUE(rec);
  ASSERT_EQ(rec->notify(NotifyType::kAuthenticationFailed), nullptr) << h.log.back();
  const auto* idr = ike::body_of<ike::IdPayload>(*rec->find(PayloadType::kIdr));
  EXPECT_EQ(idr->id_type, ike::IdType::kDerAsn1Dn);
  const auto hub_subject = p.cert("hub-p256").subject_der();
  EXPECT_EQ(idr->data, Bytes(hub_subject.begin(), hub_subject.end()));
  const auto snap = h.r.snapshot(h.now);
  ASSERT_EQ(snap.size(), 1u);
  EXPECT_EQ(snap[0].remote_id, "C=CH, O=answerd test, CN=a.spoke.example");
}

// remote certs (pinned) and pubkeys (raw keys) instead of a CA.
TEST(PubkeyPinned, PinnedCertificateAndRawPublicKey) {
  auto& p = TestPki::get();
  crypto::test::ScratchDir d;
  ASSERT_TRUE(crypto::test::sh(d.path(), "openssl pkey -in " + p.path("spoke-p384.key").string() + " -pubout -out raw.pub"));
  for (const bool raw : {false, true}) {
    std::string conf = pubkey_conf("p256");
    const std::string ca = "cacerts = " + p.path("ca.pem").string();
    conf.replace(conf.find(ca), ca.size(),
                 raw ? "pubkeys = " + (d / "raw.pub").string() : "certs = " + p.path("spoke-foreign.pem").string());
    Harness h(conf);
    add_pubkey(h);
    // The foreign CA's certificate is trusted because it is pinned; the raw key without any CERT.
    const std::string who = raw ? "spoke-p384" : "spoke-foreign";
    const pki::SignatureChoice choice{M::kDigitalSignature, raw ? S::kEcdsaSha384 : S::kEcdsaSha256};
    Initiator ini(Suite{}, 22, spoke_ep(), hub_ep());
    auto r = cert_auth(h, ini, p.key(who), choice, raw ? std::vector<ike::Payload>{}
                                                        : std::vector<ike::Payload>{cert_payload(p.cert(who))});
    auto rec = ini.open(r);
    ASSERT_TRUE(rec);
    EXPECT_EQ(rec->notify(NotifyType::kAuthenticationFailed), nullptr) << h.log.back();
    EXPECT_EQ(h.r.ike_sa_count(), 1u);
    // No CERTREQ without CAs; another key is refused.
    EXPECT_EQ(ike::find_payload(ike::parse_message(ini.init_response)->payloads, PayloadType::kCertreq), nullptr);
    Initiator bad(Suite{}, 23, spoke_ep(11), hub_ep());
    auto rb = cert_auth(h, bad, p.key("spoke-p256"), kP256, raw ? std::vector<ike::Payload>{}
                                                                : std::vector<ike::Payload>{cert_payload(p.cert("spoke-p256"))});
    auto recb = bad.open(rb);
    ASSERT_TRUE(recb);
    EXPECT_NE(recb->notify(NotifyType::kAuthenticationFailed), nullptr) << (raw ? "raw" : "pinned");
  }
}

TEST(PubkeyLoad, ErrorsNameFileLineAndPath) {
  auto& p = TestPki::get();
  // Our key does not belong to our certificate.
  std::string conf = pubkey_conf("p256");
  conf.replace(conf.find(p.path("hub-p256.key").string()), p.path("hub-p256.key").string().size(),
               p.path("spoke-p256.key").string());
  auto cfg = load_conf(conf);
  auto a = PubkeyAuthenticator::load(cfg);
  ASSERT_FALSE(a);
  ASSERT_EQ(a.error().size(), 1u);
  EXPECT_NE(a.error()[0].find("test.conf:"), std::string::npos) << a.error()[0];
  EXPECT_NE(a.error()[0].find("connections.hub.local"), std::string::npos) << a.error()[0];
  EXPECT_NE(a.error()[0].find("no private key for this certificate"), std::string::npos) << a.error()[0];

  // Our id is not in our certificate; a CA file that is a leaf.
  conf = pubkey_conf("p256");
  conf.replace(conf.find("id = hub.example"), 16, "id = gw.example");
  conf.replace(conf.find(p.path("ca.pem").string()), p.path("ca.pem").string().size(),
               p.path("spoke-p256.pem").string());
  a = PubkeyAuthenticator::load(load_conf(conf));
  ASSERT_FALSE(a);
  ASSERT_EQ(a.error().size(), 2u);
  EXPECT_NE(a.error()[0].find("id 'gw.example' is not in our certificate"), std::string::npos) << a.error()[0];
  EXPECT_NE(a.error()[1].find("connections.hub.remote: cacerts:"), std::string::npos) << a.error()[1];

  // A file that is no certificate.
  crypto::test::ScratchDir d;
  std::ofstream(d / "junk.pem") << "not a certificate\n";
  conf = pubkey_conf("p256");
  conf.replace(conf.find(p.path("hub-p256.pem").string()), p.path("hub-p256.pem").string().size(),
               (d / "junk.pem").string());
  a = PubkeyAuthenticator::load(load_conf(conf));
  ASSERT_FALSE(a);
  EXPECT_NE(a.error()[0].find((d / "junk.pem").string()), std::string::npos) << a.error()[0];
}

}  // namespace
}  // namespace answerd::sa::test
