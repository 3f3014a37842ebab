// Every key of connections, children, secrets and answerd: a good value lands in the
// struct, a bad one gives the exact "file:line: message".
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "config/load.h"
#include "test_util.h"

namespace answerd::config::test {
namespace {

using namespace std::chrono_literals;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

// Conn keys land on line 9, child keys on line 7.
std::string conn_text(const std::string& conn_key, const std::string& child_key = "") {
  return "connections {\n"
         "c {\n"
         " local { auth = psk\n"
         "  id = me.example }\n"
         " remote { auth = psk }\n"
         " children { x {\n"
         "  " + child_key + "\n"
         " } }\n"
         " " + conn_key + "\n"
         "} }\n"
         "secrets { ike { secret = 0x00112233445566778899aabbccddeeff } }\n";
}

Connection conn_ok(const std::string& conn_key, const std::string& child_key = "") {
  auto r = parse_string(conn_text(conn_key, child_key), "t.conf", no_files());
  EXPECT_TRUE(r) << (r ? "" : to_string(r.error().front()));
  if (!r) return {};
  EXPECT_THAT(strings(r->warnings), IsEmpty());
  return r->connections.at(0);
}

struct KeyCase {
  std::string conn_key;
  std::string child_key;
  std::vector<std::string> want;
};

class BadKeys : public ::testing::TestWithParam<KeyCase> {};

TEST_P(BadKeys, ExactDiagnostics) {
  EXPECT_EQ(problems(conn_text(GetParam().conn_key, GetParam().child_key)), GetParam().want);
}

INSTANTIATE_TEST_SUITE_P(
    Connections, BadKeys,
    ::testing::Values(
        KeyCase{"version = 1", "", {"t.conf:9: connections.c.version: IKEv1 is not supported: answerd is IKEv2-only (use 2 or 0)"}},
        KeyCase{"version = 3", "", {"t.conf:9: connections.c.version: '3' is not one of 0, 2"}},
        KeyCase{"local_addrs = gw.example", "", {"t.conf:9: connections.c.local_addrs: 'gw.example' is not an IP address (DNS names are not supported)"}},
        KeyCase{"remote_addrs = 10.0.0.0/40", "", {"t.conf:9: connections.c.remote_addrs: invalid prefix length in '10.0.0.0/40'"}},
        KeyCase{"local_port = 0", "", {"t.conf:9: connections.c.local_port: port 0 is not valid"}},
        KeyCase{"local_port = 65536", "", {"t.conf:9: connections.c.local_port: '65536' is too large (at most 65535)"}},
        KeyCase{"proposals = aes256-modp2048", "", {"t.conf:9: connections.c.proposals: an integrity algorithm is mandatory with classic encryption ('aes256-modp2048')"}},
        KeyCase{"childless = maybe", "", {"t.conf:9: connections.c.childless: 'maybe' is not one of allow, force, never"}},
        KeyCase{"dpd_delay = soon", "", {"t.conf:9: connections.c.dpd_delay: invalid time: 'soon' is not a number (use e.g. 90s, 30m, 1h, 1d)"}},
        KeyCase{"rekey_time = 1y", "", {"t.conf:9: connections.c.rekey_time: invalid time: '1y' is not a number (use e.g. 90s, 30m, 1h, 1d)"}},
        KeyCase{"send_certreq = perhaps", "", {"t.conf:9: connections.c.send_certreq: 'perhaps' is not a boolean (yes or no)"}},
        KeyCase{"send_cert = sometimes", "", {"t.conf:9: connections.c.send_cert: 'sometimes' is not one of ifasked, always, never"}},
        KeyCase{"encap = 2", "", {"t.conf:9: connections.c.encap: '2' is not a boolean (yes or no)"}},
        KeyCase{"mobike = yes", "", {"t.conf:9: warning: connections.c.mobike: MOBIKE (RFC 4555) is not implemented; answerd does not announce it"}},
        KeyCase{"if_id_in = 42", "", {"t.conf:2: connections.c: if_id_in and if_id_out must be set together"}},
        KeyCase{"if_id_out = %random", "", {"t.conf:9: connections.c.if_id_out: '%random' is not a number (expected a number or %unique)"}},
        KeyCase{"pools = p", "", {"t.conf:9: connections.c.pools: virtual IP pools are not supported"}},
        KeyCase{"aggressive = yes", "", {"t.conf:9: connections.c.aggressive: IKEv1 Aggressive Mode is not supported"}},
        KeyCase{"keyingtries = 3", "", {"t.conf:9: warning: connections.c.keyingtries has no effect: answerd never initiates or rekeys"}},
        KeyCase{"remote_port = 4500", "", {"t.conf:9: warning: connections.c.remote_port has no effect: answerd never initiates or rekeys"}},
        KeyCase{"colour = blue", "", {"t.conf:9: unknown key 'colour' in connections.c"}},
        KeyCase{"extra { }", "", {"t.conf:9: unknown section 'extra' in connections.c"}},
        KeyCase{"local-2 { auth = psk }", "", {"t.conf:2: connections.c: multiple authentication rounds (RFC 4739) are not supported"}}));

INSTANTIATE_TEST_SUITE_P(
    Children, BadKeys,
    ::testing::Values(
        KeyCase{"", "local_ts = 10.0.0.0/8[tcp/http]", {"t.conf:7: connections.c.children.x.local_ts: invalid port 'http' (numbers only, e.g. 53 or 1024-65535) in '10.0.0.0/8[tcp/http]'"}},
        KeyCase{"", "remote_ts = 10.0.0.300", {"t.conf:7: connections.c.children.x.remote_ts: '10.0.0.300' is not an IP address (DNS names are not supported)"}},
        KeyCase{"", "esp_proposals = aes128", {"t.conf:7: connections.c.children.x.esp_proposals: an integrity algorithm is mandatory with classic encryption ('aes128')"}},
        KeyCase{"", "mode = pass", {"t.conf:7: connections.c.children.x.mode: mode 'pass' is not supported (tunnel or transport)"}},
        KeyCase{"", "mode = tunel", {"t.conf:7: connections.c.children.x.mode: 'tunel' is not one of tunnel, transport"}},
        KeyCase{"", "start_action = start", {"t.conf:7: connections.c.children.x.start_action: 'start' is not possible: answerd is responder-only and never initiates or re-establishes a CHILD_SA; the peer does (use none)"}},
        KeyCase{"", "start_action = trap", {"t.conf:7: connections.c.children.x.start_action: 'trap' is not possible: answerd is responder-only and never initiates or re-establishes a CHILD_SA; the peer does (use none)"}},
        KeyCase{"", "close_action = start", {"t.conf:7: connections.c.children.x.close_action: 'start' is not possible: answerd is responder-only and never initiates or re-establishes a CHILD_SA; the peer does (use none)"}},
        KeyCase{"", "dpd_action = restart", {"t.conf:7: connections.c.children.x.dpd_action: 'restart' is not possible: answerd is responder-only and never initiates or re-establishes a CHILD_SA; the peer does (use clear)"}},
        KeyCase{"", "dpd_action = hold", {"t.conf:7: connections.c.children.x.dpd_action: 'hold' is not one of clear, none"}},
        KeyCase{"", "updown = /usr/lib/ipsec/_updown iptables", {"t.conf:7: connections.c.children.x.updown: updown scripts are not supported (answerd logs SA events; use if_id_in/if_id_out with an xfrm interface for routing)"}},
        KeyCase{"", "life_time = 1h\n rekey_time = 2h", {"t.conf:6: connections.c.children.x: rekey_time (2h) exceeds life_time (1h)"}},
        KeyCase{"", "life_bytes = 1m\n rekey_bytes = 2m", {"t.conf:6: connections.c.children.x: rekey_bytes exceeds life_bytes"}},
        KeyCase{"", "life_packets = lots", {"t.conf:7: connections.c.children.x.life_packets: invalid number: 'lots' is not a number"}},
        KeyCase{"", "replay_window = -1", {"t.conf:7: connections.c.children.x.replay_window: '-1' is not a number"}},
        KeyCase{"", "ipcomp = yes", {"t.conf:7: connections.c.children.x.ipcomp: IPComp is not supported"}},
        KeyCase{"", "rand_time = 5m", {"t.conf:7: warning: connections.c.children.x.rand_time has no effect: answerd never rekeys"}},
        KeyCase{"", "if_id_in = %unique", {"t.conf:6: connections.c.children.x: if_id_in and if_id_out must be set together"}},
        KeyCase{"", "copy_df = sometimes", {"t.conf:7: connections.c.children.x.copy_df: 'sometimes' is not a boolean (yes or no)"}},
        KeyCase{"", "copy_dscp = both", {"t.conf:7: connections.c.children.x.copy_dscp: 'both' is not one of out, in, yes, no"}},
        KeyCase{"", "hw_offload = yes", {"t.conf:7: unknown key 'hw_offload' in connections.c.children.x"}}));

TEST(ConnectionKeys, GoodValues) {
  EXPECT_EQ(conn_ok("version = 0").version, 2);
  EXPECT_EQ(conn_ok("local_addrs = 192.0.2.1, 2001:db8::1").local_addrs.size(), 2u);
  EXPECT_EQ(conn_ok("remote_addrs = 10.0.0.0/8, 10.1.0.1-10.1.0.9").remote_addrs[1].text, "10.1.0.1-10.1.0.9");
  EXPECT_EQ(conn_ok("local_port = 4500").local_port, 4500);
  EXPECT_EQ(conn_ok("proposals = aes128-sha256-modp2048, default").proposals.size(), 3u);
  EXPECT_EQ(conn_ok("unique = keep").unique, Unique::kKeep);
  EXPECT_EQ(conn_ok("unique = never").unique, Unique::kNever);
  EXPECT_EQ(conn_ok("fragmentation = force").fragmentation, Fragmentation::kForce);
  EXPECT_EQ(conn_ok("childless = force").childless, Childless::kForce);
  EXPECT_EQ(conn_ok("dpd_delay = 30s").dpd_delay, 30s);
  EXPECT_EQ(conn_ok("send_certreq = no").send_certreq, false);
  EXPECT_EQ(conn_ok("send_cert = always").send_cert, SendCert::kAlways);
  EXPECT_EQ(conn_ok("encap = yes").encap, true);
  EXPECT_EQ(conn_ok("mobike = no").mobike, false);
  auto c = conn_ok("if_id_in = %unique\n if_id_out = 0x10");
  EXPECT_EQ(c.if_id_in, (IfId{.unique = true, .value = 0}));
  EXPECT_EQ(c.if_id_out, (IfId{.unique = false, .value = 16}));
  EXPECT_FALSE(conn_ok("if_id_in = 0\n if_id_out = 0").if_id_in.has_value());
}

TEST(ConnectionKeys, IkeLifetimes) {
  Connection d = conn_ok("");
  EXPECT_EQ(d.rekey_time, 4h);
  EXPECT_EQ(d.over_time, 1440s);  // strongSwan: 10% of the longer of rekey/reauth
  EXPECT_EQ(d.auth_lifetime(), 4h);
  Connection r = conn_ok("reauth_time = 8h\n rekey_time = 1h");
  EXPECT_EQ(r.auth_lifetime(), 8h);
  EXPECT_EQ(r.over_time, 48min);
  EXPECT_EQ(r.hard_lifetime(), 8h + 48min);
  Connection o = conn_ok("over_time = 5m");
  EXPECT_EQ(o.hard_lifetime(), 4h + 5min);
}

TEST(ChildKeys, GoodValues) {
  Child ch = conn_ok("", "local_ts = dynamic[udp/1701], 10.0.0.0/8\n remote_ts = ::/0").children.at(0);
  EXPECT_TRUE(ch.local_ts[0].dynamic);
  EXPECT_EQ(ch.remote_ts[0].range.from.family, 6);
  EXPECT_EQ(conn_ok("", "mode = transport").children[0].mode, Mode::kTransport);
  EXPECT_EQ(conn_ok("", "replay_window = 1024").children[0].replay_window, 1024u);
  Child copy = conn_ok("", "copy_df = no\n copy_ecn = no\n copy_dscp = yes").children[0];
  EXPECT_FALSE(copy.copy_df);
  EXPECT_FALSE(copy.copy_ecn);
  EXPECT_EQ(copy.copy_dscp, CopyDscp::kYes);
  EXPECT_EQ(conn_ok("", "start_action = none\n close_action = none\n dpd_action = clear").children.size(), 1u);
  Child d = conn_ok("", "").children[0];
  EXPECT_TRUE(d.local_ts[0].dynamic);
  EXPECT_EQ(d.rekey_time, 1h);
  EXPECT_EQ(d.life_time, 66min);  // strongSwan: rekey_time + 10%
  EXPECT_EQ(d.esp_proposals, default_esp_proposals());
  Child b = conn_ok("", "rekey_bytes = 1g\n life_packets = 1000\n rekey_packets = 900").children[0];
  EXPECT_EQ(b.life_bytes, (1ull << 30) / 100 * 110 + (1ull << 30) % 100 * 110 / 100);
  EXPECT_EQ(b.life_packets, 1000u);
  EXPECT_EQ(b.rekey_packets, 900u);
  auto ids = conn_ok("if_id_in = 7\n if_id_out = 7", "if_id_in = 9").children[0];
  EXPECT_EQ(ids.if_id_in, (IfId{.unique = false, .value = 9}));
}

TEST(AuthKeys, RoundsAndErrors) {
  auto text = [](const std::string& local, const std::string& remote) {
    return "connections { c {\n local {\n" + local + "\n }\n remote {\n" + remote + "\n }\n children { x {} }\n} }\n";
  };
  EXPECT_THAT(problems(text("auth = eap-mschapv2", "auth = psk")),
              ElementsAre("t.conf:3: connections.c.local.auth: 'eap-mschapv2' is not supported (psk or pubkey)"));
  EXPECT_THAT(problems(text("auth = certificate", "auth = psk")),
              ElementsAre("t.conf:3: connections.c.local.auth: 'certificate' is not one of psk, pubkey, rsa, ecdsa"));
  EXPECT_THAT(problems(text("auth = psk\n id = C=CH, ZZ=x", "auth = psk")),
              ElementsAre("t.conf:4: connections.c.local.id: invalid DN 'C=CH, ZZ=x': unknown DN attribute 'ZZ'"));
  EXPECT_THAT(problems(text("auth = psk\n id = *.example", "auth = psk")),
              ElementsAre("t.conf:2: connections.c.local.id: our own identity cannot contain wildcards"));
  EXPECT_THAT(problems(text("auth = psk\n eap_id = x", "auth = psk")),
              ElementsAre("t.conf:4: connections.c.local.eap_id: EAP is not supported"));
  EXPECT_THAT(problems(text("auth = pubkey", "auth = pubkey")),
              ElementsAre("t.conf:2: connections.c.local: auth = pubkey needs certs (our certificate)",
                          "t.conf:5: connections.c.remote: auth = pubkey needs cacerts, certs or pubkeys to trust "
                          "(or CA certificates in x509ca/ or the authorities section)"));
  auto ok = parse_string(text("auth = pubkey\n certs = a.pem, b.pem\n id = \"C=CH, O=Org, CN=hub\"",
                              "auth = rsa\n cacerts = ca.pem\n id = \"C=CH, O=Org, CN=*\""),
                         "t.conf", no_files());
  ASSERT_TRUE(ok);
  const Connection& c = ok->connections[0];
  EXPECT_EQ(c.local[0].certs.size(), 2u);
  EXPECT_EQ(c.local[0].id.rdns.size(), 3u);
  EXPECT_EQ(c.remote[0].auth, AuthMethod::kPubkey);
  EXPECT_TRUE(c.remote[0].id.wildcard);
  auto suffixed = parse_string("connections { c {\n local-1 { auth = psk }\n remote-a { auth = psk }\n children { x {} }\n} }\n"
                               "secrets { ike-1 { secret = 0x00112233445566778899aabbccddeeff } }\n",
                               "t.conf", no_files());
  ASSERT_TRUE(suffixed);
  EXPECT_EQ(suffixed->connections[0].local[0].name, "local-1");
  EXPECT_EQ(suffixed->connections[0].remote[0].name, "remote-a");
  EXPECT_THAT(problems("connections { c {\n children { x {} }\n} }\n"),
              ElementsAre("t.conf:1: connections.c: missing local { } section (our auth and id)",
                          "t.conf:1: connections.c: missing remote { } section (the peer's auth and id)"));
}

TEST(SecretKeys, FormsAndErrors) {
  auto secret = [](const std::string& body) {
    auto r = parse_string("secrets { ike-x {\n" + body + "\n} }\n", "t.conf", no_files());
    EXPECT_TRUE(r) << (r ? "" : to_string(r.error().front()));
    return r ? r->secrets.at(0).data : SecretString();
  };
  EXPECT_EQ(secret("secret = 0x6162636465666768696a6b6c6d6e6f70"), SecretString(std::string_view("abcdefghijklmnop")));
  EXPECT_EQ(secret("secret = 0sYWJjZGVmZ2hpamtsbW5vcA=="), SecretString(std::string_view("abcdefghijklmnop")));
  EXPECT_EQ(secret("secret = \"with \\\"quotes\\\" and # hash\""),
            SecretString(std::string_view("with \"quotes\" and # hash")));
  EXPECT_THAT(problems("secrets { ike-x {\n secret = 0x123\n} }\n"),
              ElementsAre("t.conf:2: secrets.ike-x.secret: hex secret needs an even number of digits",
                          "t.conf:1: secrets.ike-x: missing secret"));
  EXPECT_THAT(problems("secrets { ike-x {\n secret = 0s!!!!\n} }\n")[0], "t.conf:2: secrets.ike-x.secret: invalid base64 in secret");
  EXPECT_THAT(problems("secrets { ike-x {\n secret = short\n} }\n"),
              ElementsAre("t.conf:2: warning: secrets.ike-x.secret: pre-shared key shorter than 16 bytes is weak",
                          "t.conf: warning: no connections defined: every IKE_SA_INIT will be refused"));
  EXPECT_THAT(problems("secrets { ike-x {\n id-a = C=XX, QQ=1\n secret = 0x00112233445566778899aabbccddeeff\n} }\n")[0],
              "t.conf:2: secrets.ike-x.id-a: invalid DN 'C=XX, QQ=1': unknown DN attribute 'QQ'");
  EXPECT_THAT(problems("secrets { eap-x {\n secret = a\n} }\n")[0], "t.conf:1: secrets.eap-x: EAP secrets are not supported");
  EXPECT_THAT(problems("secrets { foo { } }\n")[0],
              "t.conf:1: unknown section 'foo' in secrets (ike<suffix>, private<suffix>, rsa<suffix>, ecdsa<suffix>, pkcs8<suffix>)");
  EXPECT_THAT(problems("secrets { private-k {\n secret = pass\n} }\n")[0], "t.conf:1: secrets.private-k: missing file");
  auto key = parse_string("secrets { ecdsa-k {\n file = k.pem\n secret = pass\n} }\n", "t.conf", no_files());
  ASSERT_TRUE(key);
  EXPECT_EQ(key->secrets[0].type, Secret::Type::kEcdsa);
  EXPECT_EQ(key->secrets[0].file.filename(), "k.pem");
}

TEST(DaemonKeys, GoodValues) {
  auto r = parse_string(
      "answerd {\n dataplane = none\n control_socket = /tmp/a.sock\n bpffs = /sys/fs/bpf/x\n"
      " cookie_threshold = 0\n half_open_per_source = 5\n workers = 4\n"
      " xdp {\n  interfaces = eth0, veth-a\n  mode = generic\n  init_rate = 0\n  init_burst = 0\n  ports = 500, 4500, 1500\n }\n"
      " log {\n  level = debug\n  ike = trace\n  xdp = silent\n }\n}\n",
      "t.conf", no_files());
  ASSERT_TRUE(r) << to_string(r.error().front());
  const DaemonSettings want{
      .dataplane = Dataplane::kNone,
      .control_socket = "/tmp/a.sock",
      .bpffs = "/sys/fs/bpf/x",
      .xdp = {.interfaces = {"eth0", "veth-a"}, .mode = XdpMode::kGeneric, .init_rate = 0, .init_burst = 0,
              .ports = {500, 4500, 1500}},
      .cookie_threshold = 0,
      .half_open_per_source = 5,
      .workers = 4,
      .log = {.level = LogLevel::kDebug, .subsystems = {{"ike", LogLevel::kTrace}, {"xdp", LogLevel::kSilent}}},
  };
  EXPECT_EQ(r->daemon, want);
}

class BadDaemonKeys : public ::testing::TestWithParam<std::pair<std::string, std::string>> {};

TEST_P(BadDaemonKeys, ExactDiagnostics) {
  auto d = problems("answerd {\n" + GetParam().first + "\n}\nconnections { }\n");
  ASSERT_FALSE(d.empty());
  EXPECT_EQ(d[0], GetParam().second);
}

INSTANTIATE_TEST_SUITE_P(
    Daemon, BadDaemonKeys,
    ::testing::Values(
        std::pair{"dataplane = netlink", "t.conf:2: answerd.dataplane: 'netlink' is not one of xfrm, none"},
        std::pair{"control_socket = answerd.sock", "t.conf:2: answerd.control_socket: 'answerd.sock' is not an absolute path"},
        std::pair{"bpffs =", "t.conf:2: answerd.bpffs: '' is not an absolute path"},
        std::pair{"workers = 5000", "t.conf:2: answerd.workers: '5000' is too large (at most 1024)"},
        std::pair{"cookie_threshold = x", "t.conf:2: answerd.cookie_threshold: 'x' is not a number"},
        std::pair{"xdp {\n interfaces = eth0/1\n}", "t.conf:3: answerd.xdp.interfaces: 'eth0/1' is not a valid interface name"},
        std::pair{"xdp {\n interfaces = averyveryverylongname\n}", "t.conf:3: answerd.xdp.interfaces: 'averyveryverylongname' is not a valid interface name"},
        std::pair{"xdp {\n mode = offload\n}", "t.conf:3: answerd.xdp.mode: 'offload' is not one of native, generic"},
        std::pair{"xdp {\n init_burst = 0\n}", "t.conf:2: answerd.xdp: init_burst must be at least 1 when init_rate is set"},
        std::pair{"xdp {\n ports = 500, 0\n}", "t.conf:3: answerd.xdp.ports: '0' is not a valid port"},
        std::pair{"log {\n level = loud\n}", "t.conf:3: answerd.log.level: 'loud' is not one of silent, error, warning, info, debug, trace"},
        std::pair{"log {\n ike = 4\n}", "t.conf:3: answerd.log.ike: '4' is not one of silent, error, warning, info, debug, trace"},
        std::pair{"log {\n foo = info\n}", "t.conf:3: unknown key 'foo' in answerd.log"},
        std::pair{"threads = 2", "t.conf:2: unknown key 'threads' in answerd"},
        std::pair{"ebpf { }", "t.conf:2: unknown section 'ebpf' in answerd"}));

TEST(TopLevel, UnknownAndUnsupported) {
  EXPECT_THAT(problems("charon { }\n")[0], "t.conf:1: unknown top-level section 'charon' (connections, secrets, authorities, answerd)");
  EXPECT_THAT(problems("pools { }\n")[0], "t.conf:1: section 'pools' is not supported by answerd");
  EXPECT_THAT(problems("x = 1\n")[0], "t.conf:1: unknown top-level key 'x'");
  EXPECT_THAT(problems("connections {\n x = 1\n}\n")[0], "t.conf:2: unexpected key 'x' in connections (connections are sections)");
}

}  // namespace
}  // namespace answerd::config::test
