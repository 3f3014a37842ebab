// CRLs (RFC 5280 5, 6.3) and encrypted private keys with real files made at run
// time by the openssl tool (`openssl ca -revoke/-gencrl`, `openssl pkcs8 -topk8`,
// `openssl rsa -traditional -aes256`): a revoked end entity and a revoked
// intermediate fail under every policy; an expired CRL fails ifuri and strict only;
// no CRL fails strict (and ifuri when the CA expects one); a CRL whose signature does
// not verify is refused; garbage files fail cleanly. Keys: PEM PKCS#8, traditional
// PEM and DER PKCS#8, each with the right, a wrong and no passphrase; the passphrase
// never appears in an error.
#include <gtest/gtest.h>

#include <chrono>
#include <cstring>
#include <fstream>
#include <memory>

#include "ike/crypto/pki/keys.h"
#include "ike/crypto/pki/peer_auth.h"
#include "ike/crypto/pki/trust.h"
#include "ike/crypto/pki/x509.h"
#include "pki_test_support.h"

namespace answerd::crypto::pki {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

constexpr const char* kCaExt = "basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign";
constexpr const char* kEeExt = "subjectAltName=DNS:peer.answerd.test";
constexpr const char* kPass = "s3cret Pass-phrase!";

// An `openssl ca` database for CA NAME in DIR/NAME-db: revoke certificates, make CRLs.
bool ca_db(const fs::path& d, const std::string& ca) {
  const std::string db = ca + "-db";
  fs::create_directories(d / db);
  std::ofstream(d / db / "index.txt").close();
  std::ofstream(d / db / "crlnumber") << "01\n";
  std::ofstream(d / (ca + ".cnf")) << "[ca]\ndefault_ca = d\n[d]\ndatabase = " << db << "/index.txt\ncrlnumber = " << db
                                   << "/crlnumber\ndefault_md = sha256\ndefault_crl_days = 1\n";
  return true;
}
bool revoke(const fs::path& d, const std::string& ca, const std::string& cert) {
  return test::sh(d, "openssl ca -config " + ca + ".cnf -keyfile " + ca + ".key -cert " + ca + ".pem -revoke " + cert +
                         ".pem");
}
// OUT.crl (PEM) of CA valid for `hours`, and OUT.der.
bool gencrl(const fs::path& d, const std::string& ca, const std::string& out, int hours = 24) {
  return test::sh(d, "openssl ca -config " + ca + ".cnf -keyfile " + ca + ".key -cert " + ca + ".pem -gencrl -crlhours " +
                         std::to_string(hours) + " -out " + out + ".crl") &&
         test::sh(d, "openssl crl -in " + out + ".crl -outform DER -out " + out + ".der");
}

class Revocation : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new test::ScratchDir();
    const auto& d = dir_->path();
    ok_ = test::make_ca(d, "ca", "p256", "/C=CH/O=answerd test/CN=ca") &&
          test::make_ca(d, "other", "p256", "/C=CH/O=answerd test/CN=other") &&
          test::make_cert(d, "sub", "p256", "/C=CH/O=answerd test/CN=sub", "ca", kCaExt) &&
          test::make_cert(d, "good", "p256", "/C=CH/O=answerd test/CN=good", "ca", kEeExt) &&
          test::make_cert(d, "bad", "p256", "/C=CH/O=answerd test/CN=bad", "ca", kEeExt) &&
          test::make_cert(d, "under-sub", "p256", "/C=CH/O=answerd test/CN=under-sub", "sub", kEeExt) &&
          ca_db(d, "ca") && ca_db(d, "sub") && ca_db(d, "other") &&
          gencrl(d, "ca", "ca-empty") && gencrl(d, "sub", "sub-empty") && gencrl(d, "other", "other") &&
          revoke(d, "ca", "bad") && gencrl(d, "ca", "ca-bad") && revoke(d, "ca", "sub") &&
          gencrl(d, "ca", "ca-sub") && gencrl(d, "ca", "ca-short", 1);
  }
  static void TearDownTestSuite() { delete dir_; }
  void SetUp() override { ASSERT_TRUE(ok_) << "openssl could not make the test PKI"; }

  static Certificate cert(const std::string& n) { return *load_certificate_file(dir_->path() / (n + ".pem")); }
  static Crl crl(const std::string& n) {
    auto c = Crl::load_file(dir_->path() / n);
    EXPECT_TRUE(c) << c.error().message;
    return *c;
  }
  static CrlSet set_of(std::initializer_list<std::pair<const char*, const char*>> crls) {
    CrlSet s;
    for (const auto& [file, issuer] : crls) {
      const Certificate ca = cert(issuer);
      EXPECT_TRUE(s.add(crl(file), file, &ca));
    }
    return s;
  }
  static std::string check(const CrlSet& s, std::vector<Certificate> chain, RevocationPolicy p,
                           std::chrono::system_clock::time_point now = std::chrono::system_clock::now()) {
    auto r = s.check(chain, p, now);
    return r ? "ok" : r.error().message;
  }

  static inline test::ScratchDir* dir_ = nullptr;
  static inline bool ok_ = false;
};

constexpr RevocationPolicy kAll[] = {RevocationPolicy::kRelaxed, RevocationPolicy::kIfUri, RevocationPolicy::kStrict};

TEST_F(Revocation, PemAndDerCrlsParse) {
  const Crl pem = crl("ca-bad.crl");
  const Crl der = crl("ca-bad.der");
  EXPECT_EQ(pem.issuer_der(), cert("ca").subject_der());
  EXPECT_EQ(der.issuer_text(), "C=CH, O=answerd test, CN=ca");
  EXPECT_TRUE(pem.lists(cert("bad")));
  EXPECT_TRUE(der.lists(cert("bad")));
  EXPECT_FALSE(der.lists(cert("good")));
  EXPECT_TRUE(der.signed_by(cert("ca")));
  EXPECT_FALSE(der.signed_by(cert("other")));
  ASSERT_TRUE(der.next_update());
  const auto left = *der.next_update() - std::chrono::system_clock::now();
  EXPECT_GT(left, 23h);
  EXPECT_LT(left, 25h);
  EXPECT_LE(der.this_update(), std::chrono::system_clock::now());
}

TEST_F(Revocation, RevokedEndEntityFailsEveryPolicy) {
  const CrlSet s = set_of({{"ca-bad.crl", "ca"}});
  const std::string serial = serial_text(cert("bad"));
  EXPECT_FALSE(serial.empty());
  for (auto p : kAll) {
    const std::vector<Certificate> chain{cert("bad"), cert("ca")};
    auto r = s.check(chain, p, std::chrono::system_clock::now());
    ASSERT_FALSE(r);
    EXPECT_TRUE(r.error().revoked);
    EXPECT_EQ(r.error().message, "C=CH, O=answerd test, CN=bad (serial " + serial +
                                     "): revoked by the CRL of C=CH, O=answerd test, CN=ca");
    EXPECT_EQ(check(s, {cert("good"), cert("ca")}, p), "ok");
  }
}

TEST_F(Revocation, RevokedIntermediateFailsTheChain) {
  // The CA's CRL revokes sub; sub's own (empty) CRL says under-sub is fine.
  const CrlSet s = set_of({{"ca-sub.der", "ca"}, {"sub-empty.crl", "sub"}});
  for (auto p : kAll)
    EXPECT_EQ(check(s, {cert("under-sub"), cert("sub"), cert("ca")}, p),
              "C=CH, O=answerd test, CN=sub (serial " + serial_text(cert("sub")) +
                  "): revoked by the CRL of C=CH, O=answerd test, CN=ca");
  // The older CRL (before sub was revoked) loses to the newer one.
  CrlSet both = set_of({{"ca-empty.crl", "ca"}, {"ca-sub.crl", "ca"}, {"sub-empty.crl", "sub"}});
  EXPECT_NE(check(both, {cert("under-sub"), cert("sub"), cert("ca")}, RevocationPolicy::kRelaxed), "ok");
  // The trust anchor itself is never checked: a chain ending at sub passes.
  EXPECT_EQ(check(s, {cert("under-sub"), cert("sub")}, RevocationPolicy::kStrict), "ok");
}

TEST_F(Revocation, ExpiredCrlFailsIfuriAndStrict) {
  const CrlSet s = set_of({{"ca-short.crl", "ca"}});
  const auto later = std::chrono::system_clock::now() + 3h;
  EXPECT_EQ(check(s, {cert("good"), cert("ca")}, RevocationPolicy::kRelaxed, later), "ok");
  for (auto p : {RevocationPolicy::kIfUri, RevocationPolicy::kStrict}) {
    const std::string m = check(s, {cert("good"), cert("ca")}, p, later);
    EXPECT_EQ(m.find("C=CH, O=answerd test, CN=good (serial "), 0u) << m;
    EXPECT_NE(m.find("): no current CRL of C=CH, O=answerd test, CN=ca (it expired "), std::string::npos) << m;
  }
  // Still current now: every policy passes.
  for (auto p : kAll) EXPECT_EQ(check(s, {cert("good"), cert("ca")}, p), "ok");
  // A revoked certificate stays revoked in a stale CRL.
  EXPECT_NE(check(set_of({{"ca-bad.crl", "ca"}}), {cert("bad"), cert("ca")}, RevocationPolicy::kRelaxed,
                  std::chrono::system_clock::now() + 48h),
            "ok");
}

TEST_F(Revocation, NoCrlPassesUnlessStrictOrExpected) {
  CrlSet s;
  EXPECT_EQ(check(s, {cert("good"), cert("ca")}, RevocationPolicy::kRelaxed), "ok");
  EXPECT_EQ(check(s, {cert("good"), cert("ca")}, RevocationPolicy::kIfUri), "ok");
  const std::string strict = check(s, {cert("good"), cert("ca")}, RevocationPolicy::kStrict);
  EXPECT_EQ(strict, "C=CH, O=answerd test, CN=good (serial " + serial_text(cert("good")) +
                        "): no current CRL of C=CH, O=answerd test, CN=ca (none loaded)");
  s.expect_crl(cert("ca"));  // authorities.<ca>.crl_uris configured, file not loaded
  EXPECT_EQ(check(s, {cert("good"), cert("ca")}, RevocationPolicy::kIfUri), strict);
  EXPECT_EQ(check(s, {cert("good"), cert("ca")}, RevocationPolicy::kRelaxed), "ok");
}

TEST_F(Revocation, CrlWithBadSignatureIsRefused) {
  // Flip a bit of the signature at the end of the DER CRL.
  auto der = test::slurp(dir_->path() / "ca-bad.der");
  der.back() ^= 0x01;
  auto tampered = Crl::load(der, "tampered.der");
  ASSERT_TRUE(tampered);
  const Certificate ca = cert("ca");
  EXPECT_FALSE(tampered->signed_by(ca));
  CrlSet s;
  auto r = s.add(*tampered, "tampered.der", &ca);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "tampered.der: signature does not verify with C=CH, O=answerd test, CN=ca's key");
  const Certificate other = cert("other");
  r = s.add(crl("ca-bad.crl"), "ca-bad.crl", &other);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message,
            "ca-bad.crl: not issued by C=CH, O=answerd test, CN=other (issuer C=CH, O=answerd test, CN=ca)");
  // Added without an issuer (x509crl/), a CRL that does not verify is never used.
  ASSERT_TRUE(s.add(*tampered, "tampered.der"));
  EXPECT_EQ(check(s, {cert("bad"), cert("ca")}, RevocationPolicy::kRelaxed), "ok");
  EXPECT_NE(check(s, {cert("bad"), cert("ca")}, RevocationPolicy::kStrict), "ok");
}

TEST_F(Revocation, GarbageFilesFailCleanly) {
  const std::vector<std::vector<std::uint8_t>> inputs = {
      {},
      {0x30},
      {0x30, 0x82, 0xff, 0xff, 0x00},
      std::vector<std::uint8_t>(4096, 0xa5),
      test::slurp(dir_->path() / "ca.pem"),  // a certificate, not a CRL
      [] {
        auto v = test::slurp(dir_->path() / "ca-bad.der");
        v.resize(v.size() / 2);
        return v;
      }(),
      [] {
        std::string pem = "-----BEGIN X509 CRL-----\nAAAA!!!!\n-----END X509 CRL-----\n";
        return std::vector<std::uint8_t>(pem.begin(), pem.end());
      }(),
  };
  for (const auto& in : inputs) {
    auto c = Crl::load(in, "junk.crl");
    ASSERT_FALSE(c);
    EXPECT_EQ(c.error().code, CryptoError::kBadEncoding);
    EXPECT_EQ(c.error().message, "junk.crl: not a PEM or DER CRL");
  }
  auto missing = Crl::load_file(dir_->path() / "missing.crl");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, CryptoError::kIo);
}

TEST_F(Revocation, VerifyChainEndsAtTheAnchor) {
  auto t = TrustStore::create({cert("ca")});
  ASSERT_TRUE(t);
  const Certificate ee = cert("under-sub");
  const Certificate sub = cert("sub");
  auto chain = t->verify_chain(ee, std::span(&sub, 1), std::chrono::system_clock::now());
  ASSERT_TRUE(chain) << chain.error().message;
  ASSERT_EQ(chain->size(), 3u);
  EXPECT_EQ((*chain)[0].subject_text(), "C=CH, O=answerd test, CN=under-sub");
  EXPECT_EQ((*chain)[1].subject_text(), "C=CH, O=answerd test, CN=sub");
  EXPECT_EQ((*chain)[2].subject_text(), "C=CH, O=answerd test, CN=ca");
}

// --- Encrypted private keys ---

struct KeyFormat {
  const char* name;
  const char* file;
};

class EncryptedKeys : public ::testing::TestWithParam<KeyFormat> {
 protected:
  static void SetUpTestSuite() {
    dir_ = new test::ScratchDir();
    const auto& d = dir_->path();
    const std::string pass = std::string("pass:'") + kPass + "'";
    ok_ = test::make_key(d, "ec", "p256") && test::make_key(d, "rsa", "rsa") &&
          test::sh(d, "openssl pkcs8 -topk8 -in ec.key -v2 aes-256-cbc -passout " + pass + " -out ec-p8.pem") &&
          test::sh(d, "openssl pkcs8 -topk8 -in ec.key -v2 aes-128-cbc -outform DER -passout " + pass +
                          " -out ec-p8.der") &&
          test::sh(d, "openssl rsa -in rsa.key -traditional -aes256 -passout " + pass + " -out rsa-trad.pem") &&
          test::sh(d, "openssl ec -in ec.key -aes128 -passout " + pass + " -out ec-trad.pem");
  }
  static void TearDownTestSuite() { delete dir_; }
  void SetUp() override { ASSERT_TRUE(ok_) << "openssl could not make the keys"; }
  static fs::path path(const std::string& n) { return dir_->path() / n; }
  static inline test::ScratchDir* dir_ = nullptr;
  static inline bool ok_ = false;
};

Bytes view(const char* s) { return {reinterpret_cast<const std::uint8_t*>(s), std::strlen(s)}; }

TEST_P(EncryptedKeys, RightWrongAndMissingPassphrase) {
  const fs::path f = path(GetParam().file);
  const bool rsa = std::string(GetParam().file).starts_with("rsa");
  const auto plain = load_private_key_file(path(rsa ? "rsa.key" : "ec.key"));
  ASSERT_TRUE(plain);
  EXPECT_TRUE(is_encrypted_private_key(test::slurp(f)));
  EXPECT_FALSE(is_encrypted_private_key(test::slurp(path(rsa ? "rsa.key" : "ec.key"))));

  const Bytes right[] = {view("wrong one"), view(kPass)};  // tried in turn
  auto k = load_private_key_file(f, right);
  ASSERT_TRUE(k) << k.error().message;
  EXPECT_TRUE(k->public_key() == plain->public_key());

  const Bytes wrong[] = {view("wrong one"), view("s3cret Pass-phrase")};
  auto w = load_private_key_file(f, wrong);
  ASSERT_FALSE(w);
  EXPECT_EQ(w.error().message,
            f.string() + ": encrypted, no passphrase given decrypts it (wrong passphrase or damaged key)");

  auto none = load_private_key_file(f);
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().message, f.string() + ": encrypted, no passphrase given");
  for (const auto& m : {w.error().message, none.error().message}) {
    EXPECT_EQ(m.find(kPass), std::string::npos);
    EXPECT_EQ(m.find("wrong one"), std::string::npos);
  }
}

INSTANTIATE_TEST_SUITE_P(Formats, EncryptedKeys,
                         ::testing::Values(KeyFormat{"pem_pkcs8", "ec-p8.pem"}, KeyFormat{"der_pkcs8", "ec-p8.der"},
                                           KeyFormat{"traditional_rsa", "rsa-trad.pem"},
                                           KeyFormat{"traditional_ec", "ec-trad.pem"}),
                         [](const auto& i) { return std::string(i.param.name); });

TEST_F(EncryptedKeys, PlainKeysIgnorePassphrases) {
  const Bytes some[] = {view(kPass)};
  EXPECT_TRUE(load_private_key_file(path("ec.key"), some));
  // A corrupted encrypted key fails like a wrong passphrase, never crashes.
  auto d = test::slurp(path("ec-p8.der"));
  d.resize(d.size() - 7);
  auto k = load_private_key(d, "cut.der", some);
  EXPECT_FALSE(k);
}

}  // namespace
}  // namespace answerd::crypto::pki
