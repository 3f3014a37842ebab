// The Daemon wiring without root: settings come from an injected loader (IKE
// sockets on 127.0.0.1 with ephemeral ports, control socket in a temp dir), and a
// client thread drives it over the control socket, then stops it with SIGTERM.
#include "daemon/control_client.h"
#include "daemon/daemon.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <filesystem>
#include <thread>

namespace answerd::daemon {
namespace {

using nlohmann::json;

TEST(Daemon, StatusReloadAndSigterm) {
  char tmpl[] = "/tmp/answerd-daemon-XXXXXX";
  ASSERT_NE(::mkdtemp(tmpl), nullptr);
  const std::string sock = std::string(tmpl) + "/answerd.sock";
  std::atomic<int> generation{1};
  std::atomic<bool> broken{false};
  SettingsLoader loader = [&](const std::string& path) -> expected<RuntimeSettings, std::vector<std::string>> {
    EXPECT_EQ(path, "/etc/test.conf");
    if (broken) return unexpected(std::vector<std::string>{"/etc/test.conf:3: unknown key 'x'"});
    RuntimeSettings s;
    s.dataplane = Dataplane::none;
    s.control_socket = "/nonexistent/overridden.sock";
    s.ike = {.local_addrs = {*IpAddress::parse("127.0.0.1")}, .ike_port = 0, .nat_port = 0};
    s.workers = 2;
    for (int i = 0; i < generation; ++i) s.connections.push_back({{"name", "c" + std::to_string(i)}});
    return s;
  };
  DaemonOptions opts;
  opts.config_file = "/etc/test.conf";
  opts.control_socket = sock;
  opts.drop_privileges = false;
  auto d = Daemon::start(opts, loader);
  ASSERT_TRUE(d.has_value()) << d.error();

  std::string failure;
  std::thread client([&] {
    auto fail = [&](std::string why) {
      failure = std::move(why);
      ::kill(::getpid(), SIGTERM);
    };
    auto st = control_request(sock, "daemon status");
    if (!st) return fail(st.error().message);
    if ((*st)["dataplane"] != "none" || (*st)["connections"] != 1 || (*st)["pid"] != ::getpid() ||
        (*st)["xdp"] != "off" || (*st)["listen"].size() != 2 || (*st)["control_socket"] != sock)
      return fail("status: " + st->dump());
    generation = 3;
    auto rl = control_request(sock, "daemon reload");
    if (!rl || (*rl)["connections"] != 3) return fail("reload: " + (rl ? rl->dump() : rl.error().message));
    broken = true;
    auto bad = control_request(sock, "daemon reload");
    if (bad || bad.error().kind != ControlError::Kind::daemon ||
        bad.error().message.find("unknown key 'x'") == std::string::npos)
      return fail("broken reload was accepted");
    auto cl = control_request(sock, "conn list");
    if (!cl || (*cl)["connections"].size() != 3) return fail("conn list after failed reload");
    auto sa = control_request(sock, "sa list");
    if (sa || sa.error().message != "sa list: not implemented yet") return fail("sa list");
    auto help = control_request(sock, "help");
    if (!help || (*help)["commands"].size() < 8) return fail("help");
    ::kill(::getpid(), SIGTERM);
  });
  EXPECT_EQ((*d)->run(), 0);
  client.join();
  EXPECT_EQ(failure, "");
  d->reset();
  EXPECT_FALSE(std::filesystem::exists(sock));
  std::filesystem::remove_all(tmpl);
}

// A Responder plugged in through the factory: it gets the configuration, may
// replace the SA commands, and replies through the DatagramSender.
class FakeEngine final : public Responder {
 public:
  explicit FakeEngine(ResponderContext& ctx) : sender_(ctx.sender) {
    ctx.commands.add("sa list", "test", [this](const json&) -> CommandResult {
      return json{{"ike_sas", json::array()}, {"configs_seen", configs_seen}};
    });
  }
  void on_config(const RuntimeSettings& s) override {
    ++configs_seen;
    last_connections = s.connections.size();
  }
  void on_datagram(const Datagram& d) override { (void)sender_.send(d); }
  json stats() const override { return json::object(); }
  int configs_seen = 0;
  std::size_t last_connections = 0;

 private:
  DatagramSender& sender_;
};

TEST(Daemon, ResponderFactoryPlugsInTheEngine) {
  char tmpl[] = "/tmp/answerd-daemon-XXXXXX";
  ASSERT_NE(::mkdtemp(tmpl), nullptr);
  const std::string sock = std::string(tmpl) + "/answerd.sock";
  SettingsLoader loader = [&](const std::string&) -> expected<RuntimeSettings, std::vector<std::string>> {
    RuntimeSettings s;
    s.dataplane = Dataplane::none;
    s.control_socket = sock;
    s.ike = {.local_addrs = {*IpAddress::parse("127.0.0.1")}, .ike_port = 0, .nat_port = 0};
    s.workers = 1;
    s.connections = json::array({json{{"name", "a"}}, json{{"name", "b"}}});
    return s;
  };
  FakeEngine* engine = nullptr;
  DaemonOptions opts;
  opts.config_file = "x.conf";
  opts.drop_privileges = false;
  auto d = Daemon::start(opts, loader, [&](ResponderContext& ctx) {
    auto e = std::make_unique<FakeEngine>(ctx);
    engine = e.get();
    return e;
  });
  ASSERT_TRUE(d.has_value()) << d.error();
  ASSERT_NE(engine, nullptr);
  EXPECT_EQ(engine->configs_seen, 1);
  EXPECT_EQ(engine->last_connections, 2u);
  EXPECT_EQ((*d)->status()["ike_sa_engine"], true);
  ASSERT_TRUE((*d)->reload().has_value());
  EXPECT_EQ(engine->configs_seen, 2);
  std::string failure;
  std::thread client([&] {
    auto sa = control_request(sock, "sa list");
    if (!sa || (*sa)["configs_seen"] != 2) failure = "sa list not served by the engine";
    ::kill(::getpid(), SIGTERM);
  });
  EXPECT_EQ((*d)->run(), 0);
  client.join();
  EXPECT_EQ(failure, "");
  d->reset();
  std::filesystem::remove_all(tmpl);
}

TEST(Daemon, StartFailsWithTheLoaderErrors) {
  SettingsLoader loader = [](const std::string&) -> expected<RuntimeSettings, std::vector<std::string>> {
    return unexpected(std::vector<std::string>{"a.conf:1: one", "a.conf:2: two"});
  };
  DaemonOptions opts;
  opts.config_file = "a.conf";
  auto d = Daemon::start(opts, loader);
  ASSERT_FALSE(d.has_value());
  EXPECT_EQ(d.error(), "a.conf:1: one\na.conf:2: two");
}

// SIGTERM with a Responder that has DELETEs out (Responder::shutdown): the loop keeps
// serving until the Responder says it is done, or until shutdown_grace.
class DeletingEngine final : public Responder {
 public:
  explicit DeletingEngine(EventLoop& loop, bool answered) : loop_(loop), answered_(answered) {}
  void on_datagram(const Datagram&) override {}
  json stats() const override { return json::object(); }
  bool shutdown(std::function<void()> done) override {
    ++shutdowns;
    // The peers' answers arrive later on the loop (here: a timer).
    if (answered_) loop_.add_timer(std::chrono::milliseconds(50), [done] { done(); });
    return true;
  }
  int shutdowns = 0;

 private:
  EventLoop& loop_;
  bool answered_;
};

void run_shutdown(bool answered, std::chrono::milliseconds grace, std::chrono::milliseconds& took, int& shutdowns) {
  char tmpl[] = "/tmp/answerd-daemon-XXXXXX";
  ASSERT_NE(::mkdtemp(tmpl), nullptr);
  SettingsLoader loader = [&](const std::string&) -> expected<RuntimeSettings, std::vector<std::string>> {
    RuntimeSettings s;
    s.dataplane = Dataplane::none;
    s.control_socket = std::string(tmpl) + "/answerd.sock";
    s.ike = {.local_addrs = {*IpAddress::parse("127.0.0.1")}, .ike_port = 0, .nat_port = 0};
    s.workers = 1;
    return s;
  };
  DeletingEngine* engine = nullptr;
  DaemonOptions opts;
  opts.config_file = "x.conf";
  opts.drop_privileges = false;
  opts.shutdown_grace = grace;
  auto d = Daemon::start(opts, loader, [&](ResponderContext& ctx) {
    auto e = std::make_unique<DeletingEngine>(ctx.loop, answered);
    engine = e.get();
    return e;
  });
  ASSERT_TRUE(d.has_value()) << d.error();
  (*d)->loop().add_timer(std::chrono::milliseconds(10), [] { ::kill(::getpid(), SIGTERM); });
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ((*d)->run(), 0);
  took = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
  shutdowns = engine->shutdowns;
  d->reset();
  std::filesystem::remove_all(tmpl);
}

TEST(Daemon, SigtermWaitsForTheResponderToFinishItsDeletes) {
  std::chrono::milliseconds took{};
  int shutdowns = 0;
  run_shutdown(true, std::chrono::seconds(10), took, shutdowns);
  EXPECT_EQ(shutdowns, 1);
  EXPECT_GE(took.count(), 50);
  EXPECT_LT(took.count(), 5000) << "stopped as soon as the Responder was done";
}

TEST(Daemon, SigtermWaitsAtMostTheShutdownGrace) {
  std::chrono::milliseconds took{};
  int shutdowns = 0;
  run_shutdown(false, std::chrono::milliseconds(300), took, shutdowns);
  EXPECT_EQ(shutdowns, 1);
  EXPECT_GE(took.count(), 300);
  EXPECT_LT(took.count(), 5000);
}

}  // namespace
}  // namespace answerd::daemon
