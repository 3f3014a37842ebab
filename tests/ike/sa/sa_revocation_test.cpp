// Revocation and the authorities section through the responder engine, and
// encrypted private keys in PubkeyAuthenticator::load: a CA given only by
// `authorities`, a peer certificate its CRL (crl_uris) revokes gets
// AUTHENTICATION_FAILED with the serial in the log while another connects;
// revocation = strict / ifuri without a current CRL refuses; our key file encrypted
// with the secrets section's passphrase loads, a wrong one is a file:line error that
// never shows the passphrase; CRL files with a bad signature or garbage are load errors.
#include <fstream>

#include "helpers.h"
#include "pubkey_support.h"

namespace answerd::sa::test {
namespace {

using ike::NotifyType;
using M = ike::AuthMethod;
using S = pki::SignatureScheme;
const pki::SignatureChoice kP256{M::kDigitalSignature, S::kEcdsaSha256};
constexpr const char* kPass = "correct horse battery";

// A CRL of the suite's ca in DIR/NAME.crl revoking `revoked` (cert names of TestPki).
bool make_crl(const std::filesystem::path& d, const std::string& name, const std::vector<std::string>& revoked,
              int hours = 24) {
  auto& p = TestPki::get();
  std::filesystem::create_directories(d / "db");
  std::ofstream(d / "db/index.txt", std::ios::app).close();
  if (!std::filesystem::exists(d / "db/crlnumber")) std::ofstream(d / "db/crlnumber") << "01\n";
  std::ofstream(d / "ca.cnf") << "[ca]\ndefault_ca = d\n[d]\ndatabase = db/index.txt\ncrlnumber = db/crlnumber\n"
                                 "default_md = sha256\n";
  const std::string ca = " -keyfile " + p.path("ca.key").string() + " -cert " + p.path("ca.pem").string();
  for (const auto& r : revoked)
    if (!crypto::test::sh(d, "openssl ca -config ca.cnf" + ca + " -revoke " + p.path(r + ".pem").string()))
      return false;
  return crypto::test::sh(d, "openssl ca -config ca.cnf" + ca + " -gencrl -crlhours " + std::to_string(hours) +
                                 " -out " + name + ".crl");
}

// pubkey_conf with the remote round's CA moved into `authorities` (crl_uris `crl`).
std::string authority_conf(const std::string& crl, const std::string& revocation = "relaxed") {
  auto& p = TestPki::get();
  std::string conf = pubkey_conf("p256");
  const std::string ca = "cacerts = " + p.path("ca.pem").string();
  conf.replace(conf.find(ca), ca.size(), "revocation = " + revocation);
  conf += "authorities {\n ca {\n  cacert = " + p.path("ca.pem").string() + "\n" +
          (crl.empty() ? "" : "  crl_uris = " + crl + "\n") + " }\n}\n";
  return conf;
}

// IKE_AUTH of spoke-<kind> against `conf`: true when authenticated.
bool authenticates(const std::string& conf, const std::string& spoke, std::string* log = nullptr,
                   std::uint64_t seed = 40) {
  auto& p = TestPki::get();
  Harness h(conf);
  add_pubkey(h);
  Initiator ini(Suite{}, seed, spoke_ep(), hub_ep());
  auto r = h.send(ini, ini.init());
  EXPECT_EQ(r.size(), 1u);
  if (r.size() != 1 || !ini.accept_init(r[0])) return false;
  const auto idi = fqdn("a.spoke.example");
  std::vector<ike::Payload> ps{ike::make_payload(ike::PayloadType::kIdi, idi), cert_payload(p.cert(spoke)),
                               ike::make_payload(sig_auth(ini, p.key(spoke), idi, kP256))};
  for (auto& c : default_child()) ps.push_back(std::move(c));
  auto rec = ini.open(h.send(ini, ini.encrypted(ike::ExchangeType::kIkeAuth, ps)));
  EXPECT_TRUE(rec);
  if (log != nullptr)
    for (const auto& l : h.log) *log += l + "\n";
  return rec && rec->notify(NotifyType::kAuthenticationFailed) == nullptr && h.r.ike_sa_count() == 1;
}

TEST(PubkeyRevocation, AuthorityCrlRevokesOnePeer) {
  ASSERT_TRUE(TestPki::get().ok());
  crypto::test::ScratchDir d;
  ASSERT_TRUE(make_crl(d.path(), "ca", {"spoke-rsa"}));
  const std::string conf = authority_conf((d / "ca.crl").string());
  // The CA comes from authorities only; spoke-p256 is not revoked.
  EXPECT_TRUE(authenticates(conf, "spoke-p256"));
  // A revoked certificate: AUTHENTICATION_FAILED, logged with subject and serial.
  std::string log;
  ASSERT_TRUE(make_crl(d.path(), "ca", {"spoke-p256"}));
  EXPECT_FALSE(authenticates(conf, "spoke-p256", &log));
  EXPECT_NE(log.find("authentication failed: 'a.spoke.example': "), std::string::npos) << log;
  const std::string serial = pki::serial_text(TestPki::get().cert("spoke-p256"));
  EXPECT_NE(log.find("C=CH, O=answerd test, CN=a.spoke.example (serial " + serial +
                     "): revoked by the CRL of C=CH, O=answerd test, CN=ca"),
            std::string::npos)
      << log;
}

TEST(PubkeyRevocation, StrictAndIfuriWithoutCurrentCrl) {
  ASSERT_TRUE(TestPki::get().ok());
  crypto::test::ScratchDir d;
  // No CRL configured: relaxed and ifuri pass, strict refuses.
  EXPECT_TRUE(authenticates(authority_conf("", "ifuri"), "spoke-p256"));
  std::string log;
  EXPECT_FALSE(authenticates(authority_conf("", "strict"), "spoke-p256", &log));
  EXPECT_NE(log.find("no current CRL of C=CH, O=answerd test, CN=ca (none loaded)"), std::string::npos) << log;
  // A configured CRL file that does not exist: ifuri refuses, relaxed passes.
  EXPECT_TRUE(authenticates(authority_conf((d / "later.crl").string(), "relaxed"), "spoke-p256"));
  log.clear();
  EXPECT_FALSE(authenticates(authority_conf((d / "later.crl").string(), "ifuri"), "spoke-p256", &log));
  EXPECT_NE(log.find("(none loaded)"), std::string::npos) << log;
  // A current CRL not listing the peer: strict passes.
  ASSERT_TRUE(make_crl(d.path(), "ca", {}));
  EXPECT_TRUE(authenticates(authority_conf((d / "ca.crl").string(), "strict"), "spoke-p256"));
}

TEST(PubkeyRevocation, BadCrlFilesAreLoadErrors) {
  ASSERT_TRUE(TestPki::get().ok());
  crypto::test::ScratchDir d;
  ASSERT_TRUE(make_crl(d.path(), "ca", {}));
  ASSERT_TRUE(crypto::test::sh(d.path(), "openssl crl -in ca.crl -outform DER -out ca.der"));
  auto der = crypto::test::slurp(d / "ca.der");
  der.back() ^= 0x80;
  std::ofstream(d / "tampered.der", std::ios::binary).write(reinterpret_cast<const char*>(der.data()),
                                                            static_cast<std::streamsize>(der.size()));
  std::ofstream(d / "junk.crl") << "-----BEGIN X509 CRL-----\nnot base64 at all\n";
  const auto line_of = [](const std::string& conf) {
    const auto at = conf.find("crl_uris");
    return std::to_string(std::count(conf.begin(), conf.begin() + static_cast<std::ptrdiff_t>(at), '\n') + 1);
  };
  for (const auto& [file, why] :
       {std::pair{std::string("tampered.der"), std::string(": signature does not verify with C=CH, O=answerd test, CN=ca's key")},
        std::pair{std::string("junk.crl"), std::string(": not a PEM or DER CRL")}}) {
    const std::string conf = authority_conf((d / file).string());
    auto a = PubkeyAuthenticator::load(load_conf(conf));
    ASSERT_FALSE(a) << file;
    ASSERT_EQ(a.error().size(), 1u);
    EXPECT_EQ(a.error()[0], "test.conf:" + line_of(conf) + ": authorities.ca.crl_uris: " + (d / file).string() + why);
  }
  auto ok = PubkeyAuthenticator::load(load_conf(authority_conf((d / "ca.der").string())));
  ASSERT_TRUE(ok);
  EXPECT_EQ((*ok)->crl_count(), 1u);
}

// x509crl/ next to a config file: loaded like swanctl does, garbage is a load error.
TEST(PubkeyRevocation, X509CrlDirectory) {
  ASSERT_TRUE(TestPki::get().ok());
  crypto::test::ScratchDir d;
  ASSERT_TRUE(make_crl(d.path(), "ca", {"spoke-p256"}));
  std::filesystem::create_directories(d / "x509crl");
  std::filesystem::copy_file(d / "ca.crl", d / "x509crl/ca.crl");
  std::ofstream(d / "answerd.conf") << pubkey_conf("p256");
  auto cfg = config::load_file(d / "answerd.conf");
  ASSERT_TRUE(cfg);
  ASSERT_EQ(cfg->crl_files.size(), 1u);
  auto a = PubkeyAuthenticator::load(std::make_shared<const config::Config>(std::move(*cfg)));
  ASSERT_TRUE(a) << a.error().front();
  EXPECT_EQ((*a)->crl_count(), 1u);
  std::ofstream(d / "x509crl/zz.crl") << "garbage\n";
  cfg = config::load_file(d / "answerd.conf");
  ASSERT_TRUE(cfg);
  a = PubkeyAuthenticator::load(std::make_shared<const config::Config>(std::move(*cfg)));
  ASSERT_FALSE(a);
  EXPECT_EQ(a.error(), std::vector<std::string>{"x509crl: " + (d / "x509crl/zz.crl").string() + ": not a PEM or DER CRL"});
  // A CRL of a configured CA (cacerts) whose signature does not verify.
  ASSERT_TRUE(crypto::test::sh(d.path(), "openssl crl -in ca.crl -outform DER -out ca.der"));
  auto der = crypto::test::slurp(d / "ca.der");
  der.back() ^= 0x80;
  std::ofstream(d / "x509crl/zz.crl", std::ios::binary)
      .write(reinterpret_cast<const char*>(der.data()), static_cast<std::streamsize>(der.size()));
  cfg = config::load_file(d / "answerd.conf");
  ASSERT_TRUE(cfg);
  a = PubkeyAuthenticator::load(std::make_shared<const config::Config>(std::move(*cfg)));
  ASSERT_FALSE(a);
  EXPECT_EQ(a.error(), std::vector<std::string>{"x509crl: " + (d / "x509crl/zz.crl").string() +
                                                ": signature does not verify with C=CH, O=answerd test, CN=ca's key"});
}

TEST(PubkeyEncryptedKey, SecretsPassphraseDecryptsOurKey) {
  auto& p = TestPki::get();
  ASSERT_TRUE(p.ok());
  crypto::test::ScratchDir d;
  ASSERT_TRUE(crypto::test::sh(d.path(), "openssl pkcs8 -topk8 -in " + p.path("hub-p256.key").string() +
                                             " -v2 aes-256-cbc -passout 'pass:" + kPass + "' -out hub.key"));
  const auto keyed = [&](const std::string& secret_line) {
    std::string conf = pubkey_conf("p256");
    const std::string file = "file = " + p.path("hub-p256.key").string();
    conf.replace(conf.find(file), file.size(), "file = " + (d / "hub.key").string() + secret_line);
    return conf;
  };
  // Right passphrase: a full handshake signs with the decrypted key.
  EXPECT_TRUE(authenticates(keyed(std::string("\n  secret = \"") + kPass + "\""), "spoke-p256"));
  for (const auto& [secret, why] : {std::pair{std::string("\n  secret = \"wrong horse\""),
                                              std::string(": encrypted, no passphrase given decrypts it (wrong passphrase or damaged key)")},
                                    std::pair{std::string(), std::string(": encrypted, no passphrase given")}}) {
    const std::string conf = keyed(secret);
    auto a = PubkeyAuthenticator::load(load_conf(conf));
    ASSERT_FALSE(a);
    const auto at = conf.find("private-hub");
    const auto line = std::count(conf.begin(), conf.begin() + static_cast<std::ptrdiff_t>(at), '\n') + 1;
    ASSERT_GE(a.error().size(), 1u);
    EXPECT_EQ(a.error()[0], "test.conf:" + std::to_string(line) + ": secrets.private-hub: " + (d / "hub.key").string() + why);
    for (const auto& e : a.error()) {
      EXPECT_EQ(e.find("wrong horse"), std::string::npos) << e;
      EXPECT_EQ(e.find(kPass), std::string::npos) << e;
    }
  }
}

// As swanctl: encrypted keys of private/ next to the config are tried with the
// secret of every key section; when none opens ours, the error names the file.
TEST(PubkeyEncryptedKey, PrivateDirectoryTriesEverySecret) {
  auto& p = TestPki::get();
  ASSERT_TRUE(p.ok());
  crypto::test::ScratchDir d;
  std::filesystem::create_directories(d / "private");
  ASSERT_TRUE(crypto::test::sh(d.path(), "openssl pkcs8 -topk8 -in " + p.path("hub-p256.key").string() +
                                             " -v2 aes-256-cbc -passout 'pass:" + kPass + "' -out private/hub.pem"));
  const auto conf_with = [&](const std::string& secret_line) {
    std::string conf = pubkey_conf("p256");
    // The configured key is another one (unencrypted); its section's secret is the passphrase.
    const std::string file = "file = " + p.path("hub-p256.key").string();
    conf.replace(conf.find(file), file.size(), "file = " + p.path("spoke-rsa.key").string() + secret_line);
    std::ofstream(d / "answerd.conf") << conf;
    auto cfg = config::load_file(d / "answerd.conf");
    EXPECT_TRUE(cfg);
    return std::make_shared<const config::Config>(cfg ? std::move(*cfg) : config::Config{});
  };
  auto a = PubkeyAuthenticator::load(conf_with(std::string("\n  secret = \"") + kPass + "\""));
  ASSERT_TRUE(a) << a.error().front();
  EXPECT_EQ((*a)->local_count(), 1u);
  a = PubkeyAuthenticator::load(conf_with(""));
  ASSERT_FALSE(a);
  ASSERT_EQ(a.error().size(), 1u);
  EXPECT_NE(a.error()[0].find("connections.hub.local: " + p.path("hub-p256.pem").string() +
                              ": no private key for this certificate (secrets.private<suffix> or the private/ "
                              "directory); " + (d / "private/hub.pem").string() + ": encrypted, no passphrase given"),
            std::string::npos)
      << a.error()[0];
}

}  // namespace
}  // namespace answerd::sa::test
