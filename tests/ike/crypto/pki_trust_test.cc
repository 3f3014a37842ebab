// Certificates, trust and identities with a real PKI made at run time by the openssl
// tool (root CA P-256 -> intermediate RSA -> end entity P-256): loading, CERT
// payload DER in/out, path validation with an injected "now" (valid, expired, not
// yet valid, missing intermediate, wrong CA with the same DN, intermediate as the
// only anchor, keyUsage), CERTREQ hashes checked against the openssl tool's SHA-1
// of the SubjectPublicKeyInfo, certificate selection for a CERTREQ, and IKE ID
// matching for every ID type (RFC 7296 3.5) with strongSwan's DN comparison rules.
#include <gtest/gtest.h>

#include <chrono>
#include <memory>

#include "hex.h"
#include "ike/crypto/pki/identity.h"
#include "ike/crypto/pki/signature.h"
#include "ike/crypto/pki/trust.h"
#include "ike/crypto/pki/x509.h"
#include "pki_test_support.h"

namespace answerd::crypto::pki {
namespace {

using namespace std::chrono_literals;
using test::hex;
using test::unhex;

constexpr const char* kEeExt =
    "subjectAltName=DNS:peer.answerd.test,DNS:*.wild.answerd.test,IP:192.0.2.7,IP:2001:db8::7,"
    "email:peer@answerd.test\nkeyUsage=critical,digitalSignature";
constexpr const char* kSubExt = "basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign";

class PkiTrustTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new test::ScratchDir();
    const auto& d = dir_->path();
    ASSERT_TRUE(test::make_ca(d, "root", "p256", "/C=CH/O=answerd test/CN=Root CA"));
    ASSERT_TRUE(test::make_ca(d, "other", "p256", "/C=CH/O=answerd test/CN=Root CA"));
    ASSERT_TRUE(test::make_cert(d, "sub", "rsa", "/C=CH/O=answerd test/CN=Sub CA", "root", kSubExt, 365));
    ASSERT_TRUE(test::make_cert(d, "ee", "p256", "/C=CH/O=Answerd Test/CN=peer.answerd.test", "sub", kEeExt));
    ASSERT_TRUE(test::make_cert(d, "noku", "p256", "/C=CH/O=answerd test/CN=noku", "sub",
                                "keyUsage=critical,keyEncipherment"));
    ASSERT_TRUE(test::make_cert(d, "ed448", "ed448", "/C=CH/O=answerd test/CN=ed448", "sub", kEeExt));
    ASSERT_TRUE(test::sh(d, "cat root.pem sub.pem > bundle.pem"
                            " && openssl x509 -in ee.pem -outform DER -out ee.der"
                            " && openssl x509 -in root.pem -pubkey -noout | openssl pkey -pubin"
                            " -outform DER | openssl dgst -sha1 -binary > root.hash"));
  }
  static void TearDownTestSuite() { delete dir_; }

  static Certificate cert(const std::string& name) {
    auto c = load_certificate_file(*dir_ / (name + ".pem"));
    EXPECT_TRUE(c.has_value()) << c.error().message;
    return *c;
  }
  static TrustStore store(std::vector<std::string> names) {
    std::vector<Certificate> cas;
    for (const auto& n : names) cas.push_back(cert(n));
    auto s = TrustStore::create(std::move(cas));
    EXPECT_TRUE(s.has_value());
    return *s;
  }
  static inline test::ScratchDir* dir_ = nullptr;
  const std::chrono::system_clock::time_point now_ = std::chrono::system_clock::now() + 1h;
};

TEST_F(PkiTrustTest, LoadsCertificatesAndCertPayloadDer) {
  const Certificate ee = cert("ee");
  EXPECT_EQ(ee.subject_text(), "C=CH, O=Answerd Test, CN=peer.answerd.test");
  EXPECT_EQ(ee.issuer_text(), "C=CH, O=answerd test, CN=Sub CA");
  EXPECT_FALSE(ee.is_ca());
  EXPECT_TRUE(cert("sub").is_ca());
  EXPECT_TRUE(cert("root").self_signed());
  EXPECT_FALSE(cert("sub").self_signed());
  EXPECT_EQ(ee.public_key().type(), KeyType::kEcdsaP256);
  EXPECT_EQ(ee.not_after() - ee.not_before(), std::chrono::hours(24 * 30));  // -days 30
  EXPECT_LE(ee.not_before(), std::chrono::system_clock::now());
  EXPECT_EQ(cert("sub").public_key().type(), KeyType::kRsa);
  // A valid certificate whose key answerd does not sign with: no method fits it.
  const Certificate ed448 = cert("ed448");
  EXPECT_EQ(ed448.public_key().type(), KeyType::kUnsupported);
  EXPECT_EQ(verify_auth(ed448.public_key(), ike::AuthMethod::kDigitalSignature,
                        unhex("07300506032b6570aabb"), unhex("00"))
                .error(),
            CryptoError::kKeyMismatch);
  EXPECT_EQ(choose_signature(KeyType::kUnsupported, supported_signature_hashes()).error(),
            CryptoError::kUnsupported);

  // CERT payload encoding 4 is the DER certificate (RFC 7296 3.6).
  const auto der = test::slurp(*dir_ / "ee.der");
  EXPECT_EQ(hex(ee.der()), hex(der));
  auto from_wire = Certificate::from_der(der);
  ASSERT_TRUE(from_wire.has_value());
  EXPECT_EQ(hex(from_wire->der()), hex(der));
  EXPECT_TRUE(from_wire->public_key() == ee.public_key());
  auto trailing = der;
  trailing.push_back(0);
  EXPECT_EQ(Certificate::from_der(trailing).error(), CryptoError::kBadEncoding);
  EXPECT_EQ(Certificate::from_der(std::span(der).first(der.size() - 1)).error(), CryptoError::kBadEncoding);
  EXPECT_EQ(Certificate::from_der({}).error(), CryptoError::kBadEncoding);

  auto bundle = load_certificates_file(*dir_ / "bundle.pem");
  ASSERT_TRUE(bundle.has_value());
  ASSERT_EQ(bundle->size(), 2u);
  EXPECT_EQ((*bundle)[1].subject_text(), "C=CH, O=answerd test, CN=Sub CA");
  auto der_file = load_certificate_file(*dir_ / "ee.der");
  ASSERT_TRUE(der_file.has_value());

  auto key = load_private_key_file(*dir_ / "ee.key");
  ASSERT_TRUE(key.has_value());
  EXPECT_TRUE(ee.matches(*key));
  EXPECT_FALSE(cert("noku").matches(*key));
  const auto bad = load_certificate_file(*dir_ / "ee.key");
  ASSERT_FALSE(bad.has_value());
  EXPECT_NE(bad.error().message.find("ee.key: "), std::string::npos) << bad.error().message;
}

TEST_F(PkiTrustTest, VerifiesChainsAtInjectedTime) {
  const Certificate ee = cert("ee"), sub = cert("sub");
  const std::vector<Certificate> inter = {sub};
  const TrustStore root = store({"root"});
  auto ok = root.verify(ee, inter, now_);
  EXPECT_TRUE(ok.has_value()) << ok.error().message;

  // The end entity is valid for 30 days from its creation.
  auto expired = root.verify(ee, inter, now_ + 24h * 40);
  ASSERT_FALSE(expired.has_value());
  EXPECT_EQ(expired.error().code, CryptoError::kCertificateExpired);
  EXPECT_NE(expired.error().message.find("peer.answerd.test"), std::string::npos) << expired.error().message;
  EXPECT_EQ(root.verify(ee, inter, now_ - 24h * 3).error().code, CryptoError::kCertificateExpired);

  // Without the intermediate, or against another CA with the same name.
  EXPECT_EQ(root.verify(ee, {}, now_).error().code, CryptoError::kCertificateUntrusted);
  EXPECT_EQ(store({"other"}).verify(ee, inter, now_).error().code, CryptoError::kCertificateUntrusted);
  // A configured intermediate is an anchor by itself.
  EXPECT_TRUE(store({"sub"}).verify(ee, {}, now_).has_value());
  EXPECT_TRUE(store({"other", "root"}).verify(ee, inter, now_).has_value());
  // The end entity's keyUsage must allow signing.
  auto noku = root.verify(cert("noku"), inter, now_);
  ASSERT_FALSE(noku.has_value());
  EXPECT_NE(noku.error().message.find("keyUsage"), std::string::npos);
  // An end entity is not a CA.
  EXPECT_FALSE(TrustStore::create({ee}).has_value());
  EXPECT_FALSE(TrustStore::create({}).has_value());
  // A CA certificate (keyUsage keyCertSign only) cannot authenticate a peer.
  EXPECT_EQ(root.verify(sub, {}, now_).error().code, CryptoError::kCertificateUntrusted);
}

TEST_F(PkiTrustTest, CertreqHashesAndCertificateSelection) {
  const Certificate root = cert("root"), sub = cert("sub"), ee = cert("ee");
  const auto tool_hash = test::slurp(*dir_ / "root.hash");
  ASSERT_EQ(tool_hash.size(), 20u);
  EXPECT_EQ(hex(root.key_hash()), hex(tool_hash));
  const TrustStore ts = store({"root", "sub", "root"});
  const auto data = ts.certreq_data();
  EXPECT_EQ(hex(data), hex(tool_hash) + hex(sub.key_hash()));  // duplicates once

  auto hashes = parse_certreq(data);
  ASSERT_TRUE(hashes.has_value());
  ASSERT_EQ(hashes->size(), 2u);
  EXPECT_EQ(hex((*hashes)[0]), hex(tool_hash));
  EXPECT_TRUE(parse_certreq({}).has_value());
  EXPECT_EQ(parse_certreq(std::span(data).first(21)).error(), CryptoError::kBadEncoding);

  const std::vector<Certificate> chain = {ee, sub, root};
  const std::vector<KeyHash> want_root = {root.key_hash()}, want_sub = {sub.key_hash()},
                             want_other = {cert("other").key_hash()};
  auto s = select_certs(chain, want_root);
  EXPECT_TRUE(s.matched);
  EXPECT_EQ(s.count, 2u);  // ee + sub
  s = select_certs(chain, want_sub);
  EXPECT_TRUE(s.matched);
  EXPECT_EQ(s.count, 1u);
  s = select_certs(chain, want_other);
  EXPECT_FALSE(s.matched);
  EXPECT_EQ(s.count, 2u);  // never the root
}

std::vector<std::uint8_t> tlv(std::uint8_t tag, const std::vector<std::uint8_t>& v) {
  std::vector<std::uint8_t> out = {tag, static_cast<std::uint8_t>(v.size())};
  out.insert(out.end(), v.begin(), v.end());
  return out;
}
std::vector<std::uint8_t> cat(std::initializer_list<std::vector<std::uint8_t>> parts) {
  std::vector<std::uint8_t> out;
  for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}
// A DER Name of (OID content hex, string tag, value) attributes, one per RDN.
std::vector<std::uint8_t> dn(std::initializer_list<std::tuple<const char*, std::uint8_t, const char*>> atvs) {
  std::vector<std::uint8_t> rdns;
  for (const auto& [oid, tag, value] : atvs) {
    const auto atv = tlv(0x30, cat({tlv(0x06, unhex(oid)), tlv(tag, test::ascii(value))}));
    const auto set = tlv(0x31, atv);
    rdns.insert(rdns.end(), set.begin(), set.end());
  }
  return tlv(0x30, rdns);
}
constexpr const char* kC = "550406";
constexpr const char* kO = "55040a";
constexpr const char* kCn = "550403";
constexpr std::uint8_t kPrintable = 0x13, kUtf8 = 0x0c;

TEST_F(PkiTrustTest, MatchesIdentitiesAsStrongswan) {
  const Certificate ee = cert("ee");
  using ike::IdType;
  const auto ok = [&](IdType t, const std::vector<std::uint8_t>& data) {
    return check_identity(ee, IkeId{t, data}).has_value();
  };
  EXPECT_TRUE(check_identity(ee, std::nullopt).has_value());  // %any
  EXPECT_TRUE(ok(IdType::kFqdn, test::ascii("peer.answerd.test")));
  EXPECT_TRUE(ok(IdType::kFqdn, test::ascii("PEER.Answerd.test")));
  EXPECT_TRUE(ok(IdType::kFqdn, test::ascii("a.b.wild.answerd.test")));
  EXPECT_FALSE(ok(IdType::kFqdn, test::ascii("wild.answerd.test")));
  EXPECT_FALSE(ok(IdType::kFqdn, test::ascii("other.answerd.test")));
  EXPECT_FALSE(ok(IdType::kFqdn, {}));
  EXPECT_TRUE(ok(IdType::kIpv4Addr, unhex("c0000207")));
  EXPECT_FALSE(ok(IdType::kIpv4Addr, unhex("c0000208")));
  EXPECT_TRUE(ok(IdType::kIpv6Addr, unhex("20010db8000000000000000000000007")));
  EXPECT_FALSE(ok(IdType::kIpv6Addr, unhex("20010db8000000000000000000000008")));
  EXPECT_TRUE(ok(IdType::kRfc822Addr, test::ascii("Peer@Answerd.Test")));
  EXPECT_FALSE(ok(IdType::kRfc822Addr, test::ascii("peer.answerd.test")));
  EXPECT_FALSE(ok(IdType::kFqdn, test::ascii("peer@answerd.test")));  // a SAN email is no FQDN
  EXPECT_TRUE(ok(IdType::kDerAsn1Dn, ee.subject_der()));
  EXPECT_FALSE(ok(IdType::kDerAsn1Dn, cert("sub").subject_der()));
  const KeyHash key_id = ee.key_hash();
  EXPECT_TRUE(ok(IdType::kKeyId, std::vector<std::uint8_t>(key_id.begin(), key_id.end())));
  EXPECT_FALSE(ok(IdType::kKeyId, unhex("0011")));
  EXPECT_EQ(check_identity(cert("sub"), IkeId{IdType::kFqdn, test::ascii("peer.answerd.test")}).error(),
            CryptoError::kIdentityMismatch);

  auto parsed = parse_dn(ee.subject_der());
  ASSERT_TRUE(parsed.has_value());
  ASSERT_EQ(parsed->size(), 3u);
  EXPECT_EQ((*parsed)[2].type, "CN");
  EXPECT_EQ((*parsed)[2].oid, "2.5.4.3");
  EXPECT_EQ((*parsed)[0].tag, kPrintable);
  EXPECT_EQ(dn_to_string(*parsed), ee.subject_text());
}

TEST(PkiDn, ComparesRdnWiseWithStrongswanCaseRules) {
  const auto base = dn({{kC, kPrintable, "CH"}, {kO, kUtf8, "Org"}, {kCn, kUtf8, "hub"}});
  EXPECT_TRUE(dn_matches(base, base));
  // PrintableString compares case-insensitively, UTF8String exactly.
  EXPECT_TRUE(dn_matches(dn({{kC, kPrintable, "ch"}, {kO, kUtf8, "Org"}, {kCn, kUtf8, "hub"}}), base));
  EXPECT_FALSE(dn_matches(dn({{kC, kPrintable, "CH"}, {kO, kUtf8, "org"}, {kCn, kUtf8, "hub"}}), base));
  // The same text with another string type and case is a different value.
  EXPECT_FALSE(dn_matches(dn({{kC, kUtf8, "ch"}, {kO, kUtf8, "Org"}, {kCn, kUtf8, "hub"}}), base));
  // Wildcard value in the pattern, order and count matter.
  EXPECT_TRUE(dn_matches(dn({{kC, kPrintable, "CH"}, {kO, kUtf8, "Org"}, {kCn, kUtf8, "*"}}), base));
  EXPECT_FALSE(dn_matches(base, dn({{kC, kPrintable, "CH"}, {kO, kUtf8, "Org"}, {kCn, kUtf8, "*"}})));
  EXPECT_FALSE(dn_matches(dn({{kO, kUtf8, "Org"}, {kC, kPrintable, "CH"}, {kCn, kUtf8, "hub"}}), base));
  EXPECT_FALSE(dn_matches(dn({{kC, kPrintable, "CH"}, {kO, kUtf8, "Org"}}), base));
  EXPECT_FALSE(dn_matches(dn({{kC, kPrintable, "CH"}, {kO, kUtf8, "Org"}, {kO, kUtf8, "hub"}}), base));
  // Broken DER never matches, not even itself.
  const auto broken = unhex("3005310330010600");
  EXPECT_FALSE(dn_matches(broken, base));
  EXPECT_FALSE(parse_dn(broken).has_value());
  EXPECT_FALSE(parse_dn(unhex("3000ff")).has_value());
  auto empty = parse_dn(unhex("3000"));
  ASSERT_TRUE(empty.has_value());
  EXPECT_TRUE(empty->empty());
}

}  // namespace
}  // namespace answerd::crypto::pki
