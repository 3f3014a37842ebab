// authorities { NAME { cacert, file, crl_uris } }, x509crl/, `revocation` of remote
// rounds and secrets.pkcs8<suffix> / key passphrases: good values land in the
// structs, every bad one gives the exact "file:line: message".
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>

#include "config/load.h"
#include "test_util.h"

namespace answerd::config::test {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

// A pubkey connection whose remote round has `remote_key` on line 7, and
// `authorities` lines from line 12 on.
std::string text(const std::string& remote_key, const std::string& authorities) {
  return "connections {\n"              // 1
         " c {\n"                       // 2
         "  local { auth = pubkey\n"    // 3
         "   certs = hub.pem }\n"       // 4
         "  remote {\n"                 // 5
         "   auth = pubkey\n"           // 6
         "   " + remote_key + "\n"      // 7
         "  }\n"                        // 8
         " children { x { } } }\n"      // 9
         "}\n"                          // 10
         "authorities {\n"              // 11
         + authorities +                // 12...
         "}\n";
}

class Dir {
 public:
  Dir() {
    std::string t = (fs::temp_directory_path() / "answerd-cfg-XXXXXX").string();
    if (::mkdtemp(t.data()) == nullptr) std::abort();
    p_ = t;
  }
  ~Dir() {
    std::error_code ec;
    fs::remove_all(p_, ec);
  }
  void touch(const std::string& name) const {
    fs::create_directories((p_ / name).parent_path());
    std::ofstream(p_ / name) << "x\n";
  }
  [[nodiscard]] LoadOptions opts() const {
    LoadOptions o;
    o.allow_include = false;
    o.base_dir = p_;
    return o;
  }
  [[nodiscard]] const fs::path& path() const { return p_; }

 private:
  fs::path p_;
};

TEST(Authorities, CacertAndCrlFilesLandInConfig) {
  Dir d;
  d.touch("hub.pem");
  d.touch("x509ca/ca.pem");
  d.touch("crl/ca.crl");
  d.touch("x509crl/b.crl");
  d.touch("x509crl/a.crl");
  const std::string abs_crl = (d.path() / "crl/ca.crl").string();
  auto r = parse_string(text("revocation = strict",
                             " ca { cacert = ca.pem\n  crl_uris = file://" + abs_crl + ", crl/ca.crl\n }\n"),
                        "t.conf", d.opts());
  ASSERT_TRUE(r) << strings(r.error()).front();
  EXPECT_THAT(strings(r->warnings), IsEmpty());
  ASSERT_EQ(r->authorities.size(), 1u);
  const Authority& a = r->authorities[0];
  EXPECT_EQ(a.name, "ca");
  EXPECT_EQ(a.cacert, d.path() / "x509ca/ca.pem");
  EXPECT_THAT(a.crl_files, ElementsAre(fs::path(abs_crl), d.path() / "crl/ca.crl"));
  EXPECT_EQ(a.crl_loc.line, 13);
  // x509crl/ next to the config, sorted.
  EXPECT_THAT(r->crl_files, ElementsAre(d.path() / "x509crl/a.crl", d.path() / "x509crl/b.crl"));
  // The remote round without anchors of its own trusts x509ca/ and the authority (once).
  const AuthRound& remote = r->connections.at(0).remote.at(0);
  EXPECT_THAT(remote.cacerts, ElementsAre(d.path() / "x509ca/ca.pem"));
  EXPECT_EQ(remote.revocation, Revocation::kStrict);
}

TEST(Authorities, OnlyAuthorityTrustsRoundsWithoutAnchors) {
  Dir d;
  d.touch("hub.pem");
  d.touch("roots/ca.pem");
  d.touch("own.pem");
  const std::string ca = (d.path() / "roots/ca.pem").string();
  auto r = parse_string(text("id = %any", " ca { file = " + ca + " }\n"), "t.conf", d.opts());
  ASSERT_TRUE(r) << strings(r.error()).front();
  EXPECT_THAT(r->connections.at(0).remote.at(0).cacerts, ElementsAre(fs::path(ca)));
  EXPECT_EQ(r->connections.at(0).remote.at(0).revocation, Revocation::kRelaxed);
  // A round with cacerts of its own trusts only those.
  auto own = parse_string(text("cacerts = own.pem", " ca { cacert = " + ca + " }\n"), "t.conf", d.opts());
  ASSERT_TRUE(own) << strings(own.error()).front();
  EXPECT_THAT(own->connections.at(0).remote.at(0).cacerts, ElementsAre(d.path() / "own.pem"));
}

TEST(Authorities, MissingCrlFileIsAWarning) {
  Dir d;
  d.touch("hub.pem");
  d.touch("ca.pem");
  auto r = parse_string(text("revocation = ifuri", " ca {\n  cacert = ca.pem\n  crl_uris = later.crl\n }\n"), "t.conf",
                        d.opts());
  ASSERT_TRUE(r) << strings(r.error()).front();
  EXPECT_THAT(strings(r->warnings),
              ElementsAre("t.conf:14: warning: authorities.ca.crl_uris: CRL file " + (d.path() / "later.crl").string() +
                          " not found: remote rounds with revocation = ifuri or strict refuse certificates of this "
                          "CA until it exists and answerd reloads"));
  EXPECT_THAT(r->authorities.at(0).crl_files, ElementsAre(d.path() / "later.crl"));
}

struct BadCase {
  std::string remote_key;
  std::string authorities;
  std::vector<std::string> want;
};

class BadAuthorities : public ::testing::TestWithParam<BadCase> {};

TEST_P(BadAuthorities, ExactDiagnostics) {
  EXPECT_EQ(problems(text(GetParam().remote_key, GetParam().authorities)), GetParam().want);
}

const char kNoFetch[] =
    "': answerd does not fetch CRLs; fetch the CRL into a file (cron or a systemd timer), name that file here and "
    "run `answerctl daemon reload` after each refresh";

INSTANTIATE_TEST_SUITE_P(
    Keys, BadAuthorities,
    ::testing::Values(
        BadCase{"revocation = yes", " a { cacert = ca.pem }\n",
                {"t.conf:7: connections.c.remote.revocation: 'yes' is not one of relaxed, ifuri, strict"}},
        BadCase{"id = %any", " a { crl_uris = a.crl }\n",
                {"t.conf:12: authorities.a: missing cacert (the CA certificate file)",
                 "t.conf:5: connections.c.remote: auth = pubkey needs cacerts, certs or pubkeys to trust "
                 "(or CA certificates in x509ca/ or the authorities section)"}},
        BadCase{"id = %any", " a { cacert = ca.pem\n crl_uris = http://ca.example/ca.crl }\n",
                {std::string("t.conf:13: authorities.a.crl_uris: 'http://ca.example/ca.crl") + kNoFetch}},
        BadCase{"id = %any", " a { cacert = ca.pem\n crl_uris = a.crl, ldap://ca.example/cn=ca }\n",
                {std::string("t.conf:13: authorities.a.crl_uris: 'ldap://ca.example/cn=ca") + kNoFetch}},
        BadCase{"id = %any", " a { cacert = ca.pem\n crl_uris = https://ca.example/ca.crl }\n",
                {std::string("t.conf:13: authorities.a.crl_uris: 'https://ca.example/ca.crl") + kNoFetch}},
        BadCase{"id = %any", " a { cacert = ca.pem\n crl_uris = file://ca.crl }\n",
                {"t.conf:13: authorities.a.crl_uris: 'file://ca.crl': a file URI needs an absolute path (file:///path)"}},
        BadCase{"id = %any", " a { cacert = ca.pem\n crl_uris = ftp://x/ca.crl }\n",
                {"t.conf:13: authorities.a.crl_uris: 'ftp://x/ca.crl': unknown URI scheme (file:///path or a file name)"}},
        BadCase{"id = %any", " a { cacert = ca.pem\n ocsp_uris = http://ocsp.example }\n",
                {"t.conf:13: authorities.a.ocsp_uris: OCSP is not supported (answerd checks CRL files: crl_uris)"}},
        BadCase{"id = %any", " a { cacert = ca.pem\n cert_uri_base = http://x/ }\n",
                {"t.conf:13: authorities.a.cert_uri_base: hash-and-URL certificate lookup is not supported"}},
        BadCase{"id = %any", " a { handle = 0x01\n slot = 1\n module = m }\n",
                {"t.conf:12: authorities.a.handle: smartcard CA certificates are not supported (use cacert)",
                 "t.conf:13: authorities.a.slot: smartcard CA certificates are not supported (use cacert)",
                 "t.conf:14: authorities.a.module: smartcard CA certificates are not supported (use cacert)",
                 "t.conf:12: authorities.a: missing cacert (the CA certificate file)",
                 "t.conf:5: connections.c.remote: auth = pubkey needs cacerts, certs or pubkeys to trust "
                 "(or CA certificates in x509ca/ or the authorities section)"}},
        BadCase{"id = %any", " a { cacert = ca.pem\n file = ca.pem }\n",
                {"t.conf:13: authorities.a.file: needs an absolute path"}},
        BadCase{"id = %any", " a { cacert = ca.pem\n crls = x }\n", {"t.conf:13: unknown key 'crls' in authorities.a"}},
        BadCase{"id = %any", " a { cacert = ca.pem\n sub { } }\n", {"t.conf:13: unknown section 'sub' in authorities.a"}},
        BadCase{"id = %any", " cacert = ca.pem\n",
                {"t.conf:12: unexpected key 'cacert' in authorities (authorities are sections)",
                 "t.conf:5: connections.c.remote: auth = pubkey needs cacerts, certs or pubkeys to trust "
                 "(or CA certificates in x509ca/ or the authorities section)"}}));

TEST(Authorities, CacertFileMustExist) {
  Dir d;
  d.touch("hub.pem");
  EXPECT_THAT(problems(text("id = %any", " a { cacert = nope.pem }\n"), d.opts()),
              ElementsAre("t.conf:12: authorities.a.cacert: file 'nope.pem' not found (looked for " +
                              (d.path() / "nope.pem").string() + " and in x509ca/)",
                          "t.conf:5: connections.c.remote: auth = pubkey needs cacerts, certs or pubkeys to trust "
                          "(or CA certificates in x509ca/ or the authorities section)"));
}

TEST(Revocation, LocalRoundWarnsEveryValueAccepted) {
  for (const auto& [v, want] : {std::pair{"relaxed", Revocation::kRelaxed}, std::pair{"ifuri", Revocation::kIfUri},
                                std::pair{"strict", Revocation::kStrict}}) {
    auto r = parse_string(text(std::string("revocation = ") + v + "\n   cacerts = ca.pem", " a { cacert = ca.pem }\n"),
                          "t.conf", no_files());
    ASSERT_TRUE(r);
    EXPECT_EQ(r->connections.at(0).remote.at(0).revocation, want);
    EXPECT_EQ(to_string(want), v);
  }
  const std::string local = "connections {\n c {\n  local { auth = pubkey\n   certs = hub.pem\n   revocation = strict }\n"
                            "  remote { auth = pubkey\n   cacerts = ca.pem }\n children { x { } } }\n}\n";
  EXPECT_THAT(problems(local), ElementsAre("t.conf:5: warning: connections.c.local.revocation: has no effect in a local round"));
}

TEST(KeySecrets, Pkcs8SectionAndPassphrases) {
  auto r = parse_string(
      "secrets {\n pkcs8-a {\n  file = a.key\n  secret = \"pass word\"\n }\n private-b {\n  file = b.key\n }\n}\n",
      "t.conf", no_files());
  ASSERT_TRUE(r) << strings(r.error()).front();
  ASSERT_EQ(r->secrets.size(), 2u);
  EXPECT_EQ(r->secrets[0].type, Secret::Type::kPkcs8);
  EXPECT_EQ(r->secrets[0].data, SecretString(std::string_view("pass word")));
  EXPECT_TRUE(r->secrets[1].data.empty());
  EXPECT_THAT(problems("secrets {\n rsa {\n  file = a.key\n  secret = \"\"\n }\n}\n"),
              ElementsAre("t.conf:4: secrets.rsa.secret: empty passphrase"));
  EXPECT_THAT(problems("secrets {\n pkcs12 {\n  file = a.p12\n }\n}\n"),
              ElementsAre("t.conf:2: secrets.pkcs12: PKCS#12 containers are not supported"));
}

}  // namespace
}  // namespace answerd::config::test
