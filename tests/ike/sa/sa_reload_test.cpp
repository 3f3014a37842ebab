// Reload (SIGHUP, `answerctl daemon reload`): new negotiations use the new
// configuration; an established IKE SA whose connection still exists with the same
// addresses, identities and authentication keeps running with its Child SAs; any
// other is deleted (DELETE to the peer, Child SAs out of the kernel). The old
// configuration is released once nothing points into it.
#include "informational_peer.h"

namespace answerd::sa::test {
namespace {

using namespace std::chrono_literals;
using ike::ExchangeType;
using ike::PayloadType;

std::string edit(std::string conf, const std::string& from, const std::string& to) {
  const auto at = conf.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) conf.replace(at, from.size(), to);
  return conf;
}

struct Established {
  Harness h;
  Initiator ini{Suite{}, 0, spoke_ep(), hub_ep()};
  explicit Established(std::uint64_t seed) : ini(Suite{}, seed, spoke_ep(), hub_ep()) {
    establish(h, ini);
    EXPECT_EQ(h.dp.sas.size(), 2u);
  }
  Output reload(const std::string& conf) { return h.r.reload(load_conf(conf), h.now); }
};

TEST(Reload, SameConnectionKeepsTheSaAndItsChildSas) {
  Established e(501);
  std::weak_ptr<const config::Config> old = e.h.cfg;
  e.h.cfg.reset();
  // Unrelated changes: comment lines shift every location, proposals and ESP
  // proposals differ, another connection appears.
  auto conf = edit(kHubConf, "connections {\n", "connections {\n  # reloaded\n\n");
  conf = edit(conf, "aes256gcm16-prfsha256-x25519, ", "");
  conf = edit(conf, "esp_proposals = aes256gcm16, aes128-sha256,", "esp_proposals = aes128-sha256,");
  conf = edit(conf, "}\nsecrets {", "  other {\n    remote {\n      auth = psk\n    }\n    local {\n      auth = psk\n    }\n  }\n}\nsecrets {");
  Output out = e.reload(conf);
  EXPECT_TRUE(out.send.empty());
  EXPECT_TRUE(old.expired()) << "nothing points into the old configuration any more";
  const auto snap = e.h.r.snapshot(e.h.now);
  ASSERT_EQ(snap.size(), 1u);
  EXPECT_EQ(snap[0].state, "ESTABLISHED");
  EXPECT_EQ(snap[0].connection, "hub");
  EXPECT_EQ(snap[0].child_sas.size(), 1u);
  EXPECT_EQ(e.h.dp.sas.size(), 2u);
  EXPECT_EQ(e.h.r.stats().reload_kept, 1u);
  // The SA still works on the new configuration: liveness, hard lifetime.
  auto resp = e.ini.open(e.h.send(e.ini, e.ini.encrypted(ExchangeType::kInformational, {})));
  ASSERT_TRUE(resp);
  EXPECT_EQ(snap[0].lifetime_left_s, 4 * 3600 + 24 * 60);
}

void expect_deleted(Established& e, Output& out, const std::string& why) {
  SCOPED_TRACE(why);
  // <-- INFORMATIONAL { HDR, SK { D(IKE) } }
  auto req = our_request(e.ini, e.h.collect(out, e.ini));
  ASSERT_NE(req.find(PayloadType::kDelete), nullptr);
  EXPECT_EQ(ike::body_of<ike::DeletePayload>(*req.find(PayloadType::kDelete))->protocol, ike::ProtocolId::kIke);
  EXPECT_TRUE(e.h.dp.sas.empty());
  EXPECT_TRUE(e.h.dp.policies.empty());
  EXPECT_EQ(state_of(e.h), "DELETING");
  EXPECT_EQ(e.h.r.stats().reload_deleted, 1u);
  bool logged = false;
  for (const auto& l : e.h.log) logged = logged || l.find(why) != std::string::npos;
  EXPECT_TRUE(logged);
  Datagram a{.local = e.ini.peer, .remote = e.ini.self, .bytes = answer(e.ini, req.header.message_id.value())};
  EXPECT_EQ(e.h.r.handle(a, e.h.now).requests_done.size(), 1u);
  EXPECT_TRUE(e.h.r.snapshot(e.h.now).empty());
}

TEST(Reload, RemovedConnectionDeletesTheSa) {
  Established e(502);
  Output out = e.reload(edit(kHubConf, "  hub {", "  hub2 {"));
  expect_deleted(e, out, "connection 'hub' removed by reload");
}

TEST(Reload, PeerIdentityNoLongerAcceptedDeletesTheSa) {
  Established e(503);
  Output out = e.reload(edit(kHubConf, "id = *.spoke.example", "id = *.other.example"));
  expect_deleted(e, out, "no longer admits the peer");
}

TEST(Reload, OurIdentityChangedDeletesTheSa) {
  Established e(504);
  Output out = e.reload(edit(kHubConf, "id = hub.example", "id = hub2.example"));
  expect_deleted(e, out, "no longer admits the peer");
}

TEST(Reload, PeerAddressNoLongerAllowedDeletesTheSa) {
  Established e(505);
  Output out = e.reload(edit(kHubConf, "remote_addrs = 198.51.100.0/24", "remote_addrs = 203.0.113.0/24"));
  expect_deleted(e, out, "no longer admits the peer");
}

TEST(Reload, NewNegotiationsUseTheNewSecrets) {
  Established e(506);
  e.reload(edit(kHubConf, "secret = \"correct horse battery staple\"", "secret = \"a brand new secret\""));
  EXPECT_EQ(state_of(e.h), "ESTABLISHED") << "secrets are not part of the match (as strongSwan)";
  Initiator old_psk(Suite{}, 507, spoke_ep(20), hub_ep());
  auto rec = establish(e.h, old_psk, "b.spoke.example");
  EXPECT_NE(rec.notify(ike::NotifyType::kAuthenticationFailed), nullptr);
  Initiator new_psk(Suite{}, 508, spoke_ep(21), hub_ep());
  rec = establish(e.h, new_psk, "b.spoke.example", default_child(), {}, "a brand new secret");
  EXPECT_TRUE(new_psk.verify_responder_auth("a brand new secret", rec));
  EXPECT_EQ(e.h.r.ike_sa_count(), 2u);
}

TEST(Reload, HalfOpenSaOfARemovedConnectionGoes) {
  Harness h;
  Initiator ini(Suite{}, 509, spoke_ep(), hub_ep());
  do_init(h, ini);
  ASSERT_EQ(h.r.half_open_count(), 1u);
  Output out = h.r.reload(load_conf(edit(kHubConf, "  hub {", "  hub2 {")), h.now);
  EXPECT_TRUE(out.send.empty()) << "nothing to delete at the peer before IKE_AUTH";
  EXPECT_EQ(h.r.half_open_count(), 0u);
  EXPECT_EQ(h.r.ike_sa_count(), 0u);
}

TEST(Reload, JobStartedBeforeTheReloadCompletesOnTheNewConfiguration) {
  Harness h;
  Initiator ini(Suite{}, 510, spoke_ep(), hub_ep());
  // IKE_SA_INIT { HDR, SAi1, KEi, Ni } --> (the DH job is out on a worker)
  Output first = h.r.handle(Datagram{.local = ini.peer, .remote = ini.self, .bytes = ini.init()}, h.now);
  ASSERT_TRUE(first.job);
  std::weak_ptr<const config::Config> old = h.cfg;
  h.cfg.reset();
  EXPECT_TRUE(h.r.reload(load_conf(edit(kHubConf, "cookie_threshold = 50", "cookie_threshold = 40")), h.now)
                  .send.empty());
  EXPECT_FALSE(old.expired()) << "the job still points into the old configuration";
  first.job->run();
  Output done = h.r.complete(std::move(first.job), h.now);
  auto sent = h.collect(done, ini);
  ASSERT_EQ(sent.size(), 1u);
  ASSERT_TRUE(ini.accept_init(sent[0]));
  EXPECT_TRUE(old.expired());
  // IKE_AUTH on the new configuration.
  auto resp = h.send(ini, ini.encrypted(ExchangeType::kIkeAuth, auth_request(ini, "a.spoke.example", kPsk, {},
                                                                              default_child())));
  auto rec = ini.open(resp);
  ASSERT_TRUE(rec);
  EXPECT_TRUE(ini.verify_responder_auth(kPsk, *rec));
  EXPECT_EQ(h.r.snapshot(h.now).at(0).connection, "hub");
}

}  // namespace
}  // namespace answerd::sa::test
