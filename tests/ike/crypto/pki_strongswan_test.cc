// Certificate authentication checked against real strongSwan 5.9.8 sessions
// (tests/data/captures/cert-*.pcap with tests/data/strongswan/cert-*/): decrypt
// both IKE_AUTH messages, take IDi/IDr, CERT, CERTREQ and AUTH, build the signed
// octets (RFC 7296 2.15) and verify BOTH peers' AUTH signatures (ECDSA P-256,
// Ed25519, RSA 3072 through an intermediate CA: RFC 7427 method 14), their
// certificate chains against the session's ca.pem at a time inside the validity,
// their identities, and strongSwan's CERTREQ hashes against ours. Negative cases:
// another session's CA with the same DN, a time after expiry, the other peer's
// identity, octets and key.
#include <gtest/gtest.h>

#include <chrono>

#include "ike/crypto/pki/identity.h"
#include "ike/crypto/pki/peer_auth.h"
#include "ike/crypto/pki/signature.h"
#include "ike/crypto/pki/trust.h"
#include "ike/crypto/pki/x509.h"
#include "pki_capture_support.h"

namespace answerd::crypto::pki {
namespace {

using test::AuthSide;
using test::hex;

constexpr std::uint8_t kIdi = 35, kIdr = 36, kCert = 37, kCertreq = 38, kAuth = 39;
using namespace std::chrono_literals;

struct Case {
  const char* name;
  SignatureScheme scheme;  // what strongSwan signed with
  // An intermediate CA both peers have configured locally (strongSwan sends only
  // the end entity when the peer's CERTREQ names that intermediate).
  const char* local_intermediate;
};

Certificate file_cert(const std::string& c, const char* file) {
  auto cert = load_certificate_file(test::data_dir() / "strongswan" / c / file);
  EXPECT_TRUE(cert.has_value()) << cert.error().message;
  return *cert;
}

// CERT payloads (RFC 7296 3.6): encoding 4, DER; the first one is the end entity.
std::vector<Certificate> certs_of(const AuthSide& side) {
  std::vector<Certificate> out;
  for (auto body : side.all(kCert)) {
    EXPECT_GE(body.size(), 2u);
    EXPECT_EQ(body[0], static_cast<std::uint8_t>(ike::CertEncoding::kX509Signature));
    auto c = Certificate::from_der(body.subspan(1));
    EXPECT_TRUE(c.has_value());
    if (c) out.push_back(*c);
  }
  return out;
}

struct Signer {
  const AuthSide* side;
  std::span<const std::uint8_t> id;  // ID payload body (type | reserved | data)
  std::vector<std::uint8_t> octets;  // its signed octets
  std::vector<Certificate> certs;
  ike::AuthMethod method;
  std::span<const std::uint8_t> auth_data;
};

Signer signer(const test::CapturedSession& s, bool initiator) {
  const AuthSide& side = initiator ? s.initiator : s.responder;
  Signer g{.side = &side, .id = side.one(initiator ? kIdi : kIdr), .octets = {}, .certs = certs_of(side),
           .method = {}, .auth_data = {}};
  const auto auth = side.one(kAuth);
  EXPECT_GE(auth.size(), 5u);
  EXPECT_GE(g.id.size(), 5u);
  if (auth.size() < 5 || g.id.size() < 5) return g;
  g.method = static_cast<ike::AuthMethod>(auth[0]);
  g.auth_data = auth.subspan(4);
  const auto prf = static_cast<ike::PrfId>(s.keys.value("prf", 0));
  // RealMessage1 | NonceRData | prf(SK_pi, IDi'), and the responder's likewise.
  const auto nonce = s.bytes(initiator ? "nr" : "ni");
  const auto sk_p = s.bytes(initiator ? "sk_pi" : "sk_pr");
  auto octets = signed_octets(prf, {.real_message = side.init, .peer_nonce = nonce, .sk_p = sk_p, .id_body = g.id});
  EXPECT_TRUE(octets.has_value());
  if (octets) g.octets = *octets;
  return g;
}

std::optional<IkeId> id_of(std::span<const std::uint8_t> id_body) {
  return IkeId{static_cast<ike::IdType>(id_body[0]), id_body.subspan(4)};
}

void check_case(const Case& c, const char* wrong_ca_case) {
  SCOPED_TRACE(c.name);
  auto s = test::load_captured_session(c.name);
  ASSERT_TRUE(s.has_value());
  const Signer ini = signer(*s, true), resp = signer(*s, false);
  ASSERT_FALSE(ini.certs.empty() || resp.certs.empty() || ini.octets.empty() || resp.octets.empty());
  EXPECT_EQ(hex(ini.certs[0].der()), hex(file_cert(c.name, "ini.pem").der()));
  EXPECT_EQ(hex(resp.certs[0].der()), hex(file_cert(c.name, "resp.pem").der()));
  auto trust = TrustStore::create({file_cert(c.name, "ca.pem")});
  ASSERT_TRUE(trust.has_value());
  auto wrong_trust = TrustStore::create({file_cert(wrong_ca_case, "ca.pem")});
  ASSERT_TRUE(wrong_trust.has_value());
  std::optional<TrustStore> with_intermediate;
  if (c.local_intermediate) {
    auto t = TrustStore::create({file_cert(c.name, "ca.pem"), file_cert(c.name, c.local_intermediate)});
    ASSERT_TRUE(t.has_value());
    with_intermediate = *t;
  }
  // Same DN ("C=CH, O=answerd test, CN=ca"), another key.
  ASSERT_EQ(wrong_trust->cas()[0].subject_text(), trust->cas()[0].subject_text());

  for (const Signer* g : {&ini, &resp}) {
    const Signer& other = g == &ini ? resp : ini;
    SCOPED_TRACE(g == &ini ? "initiator" : "responder");
    // The one-call check the IKE_AUTH task uses: CERT payloads, chain, ID, AUTH.
    std::vector<std::pair<ike::CertEncoding, std::span<const std::uint8_t>>> cert_payloads;
    for (auto body : g->side->all(kCert))
      cert_payloads.emplace_back(static_cast<ike::CertEncoding>(body[0]), body.subspan(1));
    const TrustStore& anchors = c.local_intermediate ? *with_intermediate : *trust;
    PeerCertAuth pa{.certs = cert_payloads, .id = id_of(g->id), .method = g->method,
                    .auth_data = g->auth_data, .signed_octets = g->octets,
                    .now = g->certs[0].not_before() + 24h};
    auto peer = verify_peer(anchors, pa);
    ASSERT_TRUE(peer.has_value()) << peer.error().message;
    EXPECT_EQ(peer->signature.scheme, c.scheme);
    EXPECT_EQ(peer->end_entity.subject_text(), g->certs[0].subject_text());
    EXPECT_EQ(verify_peer(*wrong_trust, pa).error().code, CryptoError::kCertificateUntrusted);
    PeerCertAuth wrong_id = pa;
    wrong_id.id = id_of(other.id);
    EXPECT_EQ(verify_peer(anchors, wrong_id).error().code, CryptoError::kIdentityMismatch);
    PeerCertAuth wrong_octets = pa;
    wrong_octets.signed_octets = other.octets;
    EXPECT_EQ(verify_peer(anchors, wrong_octets).error().code, CryptoError::kAuthFailed);
    PeerCertAuth no_certs = pa;
    no_certs.certs = {};
    EXPECT_EQ(verify_peer(anchors, no_certs).error().code, CryptoError::kBadEncoding);

    const Certificate& ee = g->certs[0];
    EXPECT_EQ(g->certs.size(), 1u);  // the end entity only
    // A day into the end entity's validity (the CAs were made just before it),
    // and a day after it ends; the captured certificates are valid for ten years.
    const auto now = ee.not_before() + 24h, after_expiry = ee.not_after() + 24h;
    EXPECT_GT(ee.not_after() - ee.not_before(), 24h * 365 * 9);
    EXPECT_LE(trust->cas()[0].not_before(), ee.not_before());
    std::vector<Certificate> inter;
    if (c.local_intermediate) inter.push_back(file_cert(c.name, c.local_intermediate));

    // AUTH (RFC 7427 method 14) with the certificate's key.
    EXPECT_EQ(g->method, ike::AuthMethod::kDigitalSignature);
    auto v = verify_auth(ee.public_key(), g->method, g->auth_data, g->octets);
    ASSERT_TRUE(v.has_value()) << to_string(v.error());
    EXPECT_EQ(v->scheme, c.scheme) << to_string(v->scheme);
    EXPECT_EQ(verify_auth(ee.public_key(), g->method, g->auth_data, other.octets).error(),
              CryptoError::kAuthFailed);
    EXPECT_EQ(verify_auth(other.certs[0].public_key(), g->method, g->auth_data, g->octets).error(),
              CryptoError::kAuthFailed);
    auto tampered = g->octets;
    tampered[tampered.size() - 1] ^= 1;  // MACedID: another ID or SK_p
    EXPECT_EQ(verify_auth(ee.public_key(), g->method, g->auth_data, tampered).error(),
              CryptoError::kAuthFailed);

    // Chain to the configured CA at a time inside the validity.
    auto chain = trust->verify(ee, inter, now);
    EXPECT_TRUE(chain.has_value()) << chain.error().message;
    EXPECT_EQ(wrong_trust->verify(ee, inter, now).error().code, CryptoError::kCertificateUntrusted);
    EXPECT_EQ(trust->verify(ee, inter, after_expiry).error().code, CryptoError::kCertificateExpired);
    EXPECT_EQ(trust->verify(ee, inter, ee.not_before() - 1h).error().code, CryptoError::kCertificateExpired);
    if (c.local_intermediate) {  // the path needs the intermediate
      EXPECT_EQ(trust->verify(ee, {}, now).error().code, CryptoError::kCertificateUntrusted);
      EXPECT_TRUE(with_intermediate->verify(ee, {}, now).has_value());
    }

    // Identity: own ID (FQDN, the subjectAltName), the subject DN, not the peer's ID.
    EXPECT_EQ(g->id[0], static_cast<std::uint8_t>(ike::IdType::kFqdn));
    EXPECT_TRUE(check_identity(ee, id_of(g->id)).has_value());
    EXPECT_EQ(check_identity(ee, id_of(other.id)).error(), CryptoError::kIdentityMismatch);
    const auto subject = ee.subject_der();
    EXPECT_TRUE(check_identity(ee, IkeId{ike::IdType::kDerAsn1Dn, subject}).has_value());
  }
  // The initiator's CERTREQ in IKE_AUTH (RFC 7296 3.7): SHA-1 of the SPKI of each
  // CA it trusts; ours for the same CA file must be among them, and the
  // responder's chain must answer it.
  const auto certreq = ini.side->one(kCertreq);
  ASSERT_GE(certreq.size(), 21u);
  EXPECT_EQ(certreq[0], static_cast<std::uint8_t>(ike::CertEncoding::kX509Signature));
  auto hashes = parse_certreq(certreq.subspan(1));
  ASSERT_TRUE(hashes.has_value());
  const std::string theirs = hex(certreq.subspan(1));
  EXPECT_NE(theirs.find(hex(trust->certreq_data())), std::string::npos);
  std::vector<Certificate> our_chain = resp.certs;
  if (c.local_intermediate) our_chain.push_back(file_cert(c.name, c.local_intermediate));
  our_chain.push_back(trust->cas()[0]);
  const CertSelection sel = select_certs(our_chain, *hashes);
  EXPECT_TRUE(sel.matched);
  // strongSwan sent the end entity only: the peer names the intermediate's key.
  EXPECT_EQ(sel.count, resp.certs.size());
  if (c.local_intermediate) {
    EXPECT_EQ(hashes->size(), 2u);
    EXPECT_NE(theirs.find(hex(our_chain[1].key_hash())), std::string::npos);
  }
}

TEST(PkiStrongswan, VerifiesEcdsaP256SessionAuthChainsAndIds) {
  check_case({"cert-ecdsa-p256", SignatureScheme::kEcdsaSha256, nullptr}, "cert-ed25519");
}
TEST(PkiStrongswan, VerifiesEd25519SessionAuthChainsAndIds) {
  check_case({"cert-ed25519", SignatureScheme::kEd25519, nullptr}, "cert-ecdsa-p256");
}
TEST(PkiStrongswan, VerifiesRsa3072IntermediateCaSessionAuthChainsAndIds) {
  check_case({"cert-chain-fragmented", SignatureScheme::kRsaPkcs1Sha256, "sub.pem"}, "cert-ecdsa-p256");
}

}  // namespace
}  // namespace answerd::crypto::pki
