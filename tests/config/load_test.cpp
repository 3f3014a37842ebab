// Whole files: the DESIGN.md example into the expected structs, includes through
// load_file(), cross-checks and the diagnostics format.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "config/describe.h"
#include "config/load.h"
#include "test_util.h"

namespace answerd::config::test {
namespace {

using namespace std::chrono_literals;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

const std::string kData = ANSWERD_CONFIG_TESTDATA;

std::vector<AddressRange> addrs(const char* s) { return *parse_address_list(s); }
std::vector<TrafficSelector> ts(const char* s) { return *parse_ts_list(s); }
Identity ident(const char* s) { return *parse_identity(s); }

TEST(LoadFile, DesignExampleParsesIntoTheExpectedStructs) {
  const std::string dir = kData + "/design";
  auto cfg = load_file(dir + "/swanctl.conf");
  ASSERT_TRUE(cfg) << to_string(cfg.error().front());
  const std::string file = dir + "/swanctl.conf";
  const Connection want{
      .name = "hub",
      .version = 2,
      .local_addrs = addrs("192.0.2.1"),
      .remote_addrs = addrs("%any"),
      .local_port = 500,
      .proposals = *parse_ike_proposals("aes256gcm16-prfsha256-x25519, aes128-sha256-prfsha256-modp2048"),
      .unique = Unique::kReplace,
      .fragmentation = Fragmentation::kYes,
      .childless = Childless::kAllow,
      .dpd_delay = 0s,
      .dpd_timeout = 0s,
      .rekey_time = 4h,
      .reauth_time = 0s,
      .over_time = 1440s,
      .send_certreq = true,
      .send_cert = SendCert::kIfAsked,
      .encap = false,
      .mobike = true,
      .if_id_in = IfId{.unique = false, .value = 42},
      .if_id_out = IfId{.unique = false, .value = 42},
      .local = {{.name = "local", .auth = AuthMethod::kPsk, .id = ident("hub.example"),
                 .certs = {dir + "/hub.pem"}, .cacerts = {}, .pubkeys = {}, .loc = {file, 9}}},
      .remote = {{.name = "remote", .auth = AuthMethod::kPsk, .id = ident("%any"), .certs = {},
                  .cacerts = {dir + "/x509ca/ca.pem"}, .pubkeys = {}, .loc = {file, 14}}},
      .children = {{.name = "net",
                    .local_ts = ts("10.1.0.0/24"),
                    .remote_ts = ts("10.2.0.0/24"),
                    .esp_proposals = *parse_esp_proposals("aes256gcm16, aes128-sha256"),
                    .mode = Mode::kTunnel,
                    .rekey_time = 3240s,  // 90% of life_time: soft before hard
                    .life_time = 1h,
                    .rekey_bytes = 0,
                    .life_bytes = 0,
                    .rekey_packets = 0,
                    .life_packets = 0,
                    .replay_window = 32,
                    .if_id_in = std::nullopt,
                    .if_id_out = std::nullopt,
                    .ipcomp = false,
                    .loc = {file, 20}}},
      .loc = {file, 3},
  };
  ASSERT_EQ(cfg->connections.size(), 1u);
  EXPECT_EQ(cfg->connections[0], want);
  EXPECT_EQ(cfg->connections[0].auth_lifetime(), 4h);
  EXPECT_EQ(cfg->connections[0].hard_lifetime(), 4h + 24min);

  ASSERT_EQ(cfg->secrets.size(), 1u);
  const Secret& s = cfg->secrets[0];
  EXPECT_EQ(s.type, Secret::Type::kIke);
  EXPECT_EQ(s.name, "ike-hub");
  EXPECT_EQ(s.ids, (std::vector<Identity>{ident("hub.example"), ident("spoke.example")}));
  EXPECT_EQ(s.data, SecretString(std::string_view("a long random pre-shared key")));

  const DaemonSettings daemon{
      .dataplane = Dataplane::kXfrm,
      .control_socket = "/run/answerd/answerd.sock",
      .bpffs = "/sys/fs/bpf/answerd",
      .xdp = {.interfaces = {"eth0"}, .mode = XdpMode::kNative, .init_rate = 200, .init_burst = 50,
              .ports = {500, 4500}},
      .cookie_threshold = 10,
      .half_open_per_source = 0,
      .workers = 0,
      .log = {},
  };
  EXPECT_EQ(cfg->daemon, daemon);
  EXPECT_THAT(strings(cfg->warnings), IsEmpty());
}

TEST(LoadFile, IncludesAcrossFiles) {
  auto cfg = load_file(kData + "/include/main.conf");
  ASSERT_TRUE(cfg) << to_string(cfg.error().front());
  ASSERT_EQ(cfg->connections.size(), 2u);
  EXPECT_EQ(cfg->connections[1].local[0].id, ident("b.example"));
  EXPECT_EQ(cfg->connections[1].loc, (SourceLoc{kData + "/include/conf.d/20-b.conf", 1}));
  ASSERT_EQ(cfg->secrets.size(), 1u);
  EXPECT_EQ(cfg->secrets[0].data.size(), 16u);
  EXPECT_EQ(cfg->secrets[0].data.view()[15], 0x0f);
}

TEST(LoadFile, MissingCertificateNamesFileAndLine) {
  LoadOptions o;
  o.base_dir = kData + "/design";
  auto r = parse_string("connections { c {\n local { certs = nope.pem }\n remote { cacerts = ca.pem }\n children { x {} }\n} }\n",
                        "inline.conf", o);
  ASSERT_FALSE(r);
  EXPECT_THAT(strings(r.error()),
              ElementsAre("inline.conf:2: connections.c.local.certs: file 'nope.pem' not found (looked for " +
                          kData + "/design/nope.pem and in x509/)",
                          "inline.conf:2: connections.c.local: auth = pubkey needs certs (our certificate)"));
}

TEST(LoadFile, RemotePubkeyTrustsSwanctlCaDirectory) {
  LoadOptions o;
  o.base_dir = kData + "/design";
  auto r = parse_string("connections { c {\n local { certs = hub.pem }\n remote { auth = pubkey }\n children { x {} }\n} }\n",
                        "inline.conf", o);
  ASSERT_TRUE(r) << to_string(r.error().front());
  EXPECT_EQ(r->connections[0].remote[0].cacerts,
            std::vector<std::filesystem::path>{kData + "/design/x509ca/ca.pem"});
}

TEST(LoadFile, PskWithoutMatchingSecretIsAWarning) {
  const std::string conn =
      "connections { c {\n local { auth = psk\n id = me.example }\n remote { auth = psk\n id = peer.example }\n"
      " children { x {} }\n} }\n";
  EXPECT_THAT(problems(conn),
              ElementsAre("t.conf:1: warning: connections.c: auth = psk but no secrets.ike<suffix> matches "
                          "'me.example' or 'peer.example'"));
  EXPECT_THAT(problems(conn + "secrets { ike-x { id = *.example\n secret = 0sAAECAwQFBgcICQoLDA0ODw== } }\n"), IsEmpty());
  EXPECT_THAT(problems(conn + "secrets { ike { secret = 0x00112233445566778899aabbccddeeff } }\n"), IsEmpty());
  EXPECT_THAT(problems(conn + "secrets { ike { id = other.example\n secret = 0x00112233445566778899aabbccddeeff } }\n"),
              ElementsAre("t.conf:1: warning: connections.c: auth = psk but no secrets.ike<suffix> matches "
                          "'me.example' or 'peer.example'"));
}

TEST(LoadFile, ErrorsAreCollectedNotJustTheFirst) {
  auto r = parse_string("connections { c {\n unique = sometimes\n fragmentation = maybe\n"
                        " local { auth = psk }\n remote { auth = psk }\n children { x {} }\n} }\n",
                        "t.conf", no_files());
  ASSERT_FALSE(r);
  EXPECT_THAT(strings(r.error()),
              ElementsAre("t.conf:2: connections.c.unique: 'sometimes' is not one of no, never, keep, replace",
                          "t.conf:3: connections.c.fragmentation: 'maybe' is not one of yes, accept, force, no"));
}

TEST(LoadFile, EmptyConfigWarnsThatNothingIsAccepted) {
  EXPECT_THAT(problems(""), ElementsAre("t.conf: warning: no connections defined: every IKE_SA_INIT will be refused"));
}

TEST(LoadFile, DescribeForCheckConfig) {
  auto cfg = load_file(kData + "/design/swanctl.conf");
  ASSERT_TRUE(cfg);
  EXPECT_EQ(describe(*cfg),
            "hub: IKEv2, local 192.0.2.1, remote %any, unique replace\n"
            "  proposals: aes256gcm16-prfsha256-x25519, aes128-sha256-prfsha256-modp2048\n"
            "  lifetimes: AUTH_LIFETIME 4h, hard 264m\n"
            "  local psk 'hub.example'\n"
            "  remote psk '%any'\n"
            "  if_id 42\n"
            "    net: tunnel, 10.1.0.0/24 === 10.2.0.0/24, life 1h (soft 54m)\n"
            "      esp: aes256gcm16, aes128-sha256\n"
            "secrets: 1\n"
            "dataplane xfrm, control socket /run/answerd/answerd.sock, bpffs /sys/fs/bpf/answerd\n"
            "xdp native on eth0, init 200/s burst 50\n");
  EXPECT_FALSE(restricts_remote_addrs(cfg->connections[0]));
}

TEST(LoadFile, RemoteAddrRestriction) {
  auto with = [](const char* remote) {
    auto r = parse_string(std::string("connections { c {\n remote_addrs = ") + remote +
                              "\n local { auth = psk }\n remote { auth = psk }\n children { x {} }\n} }\n",
                          "t.conf", no_files());
    EXPECT_TRUE(r);
    return r && restricts_remote_addrs(r->connections[0]);
  };
  EXPECT_TRUE(with("198.51.100.0/24, 2001:db8::/32"));
  EXPECT_FALSE(with("0.0.0.0/0"));
  EXPECT_FALSE(with("10.0.0.1, ::/0"));
  EXPECT_FALSE(with("%any4"));
}

TEST(LoadFile, SampleConfigsLoad) {
  LoadOptions o;
  o.check_files = false;
  for (const char* f : {"/seeds/full.conf", "/seeds/design.conf", "/design/swanctl.conf"}) {
    auto r = load_file(kData + f, o);
    ASSERT_TRUE(r) << f << ": " << to_string(r.error().front());
    EXPECT_THAT(strings(r->warnings), IsEmpty()) << f;
  }
  auto full = load_file(kData + "/seeds/full.conf", o);
  ASSERT_EQ(full->connections.size(), 2u);
  EXPECT_EQ(full->connections[0].children.size(), 2u);
  EXPECT_EQ(full->secrets.size(), 3u);
  EXPECT_EQ(full->secrets[0].ids[1].kind, Identity::Kind::kKeyId);
}

TEST(Diagnostic, Format) {
  EXPECT_EQ(to_string(Diagnostic{.file = "a.conf", .line = 3, .message = "bad", .severity = Severity::kError}),
            "a.conf:3: bad");
  EXPECT_EQ(to_string(Diagnostic{.file = "a.conf", .line = 0, .message = "bad", .severity = Severity::kWarning}),
            "a.conf: warning: bad");
}

TEST(SecretString, WipesAndCompares) {
  SecretString a(std::string_view("key"));
  SecretString b = a;
  EXPECT_EQ(a, b);
  SecretString c = std::move(a);
  EXPECT_TRUE(a.empty());  // NOLINT(bugprone-use-after-move): moved-from is wiped and empty
  EXPECT_EQ(c.size(), 3u);
  EXPECT_EQ(c.view()[0], 'k');
}

}  // namespace
}  // namespace answerd::config::test
