// The control socket: request validation in the registry, and the ControlServer
// with the client library over a real Unix socket in a temporary directory
// (round trip, file modes, stale and live sockets, limits, slow clients, errors).
#include "daemon/command_registry.h"
#include "daemon/control_client.h"
#include "daemon/control_protocol.h"
#include "daemon/control_server.h"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

namespace answerd::daemon {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

CommandRegistry sample_registry() {
  CommandRegistry r;
  r.add("daemon status", "status", [](const json&) -> CommandResult { return json{{"pid", 42}}; });
  r.add("echo", "echo args", [](const json& a) -> CommandResult { return a; });
  r.add("fail", "fails", [](const json&) -> CommandResult { return unexpected(std::string("it broke")); });
  r.add("throw", "throws", [](const json&) -> CommandResult { throw std::runtime_error("oops"); });
  r.add_not_implemented("sa list", "IKE SAs");
  return r;
}

TEST(CommandRegistry, ValidRequests) {
  auto r = sample_registry();
  auto resp = r.handle_line(R"({"version":1,"command":"daemon status"})");
  EXPECT_EQ(resp, json::parse(R"({"version":1,"ok":true,"result":{"pid":42}})"));
  resp = r.handle_line(R"({"version":1,"command":"echo","args":{"id":"7"}})");
  EXPECT_EQ(resp["result"], json::parse(R"({"id":"7"})"));
}

TEST(CommandRegistry, ErrorsAreResponsesNotExceptions) {
  auto r = sample_registry();
  auto err = [&](std::string_view line) {
    auto resp = r.handle_line(line);
    EXPECT_EQ(resp["version"], 1);
    EXPECT_EQ(resp["ok"], false);
    return resp.value("error", std::string());
  };
  EXPECT_EQ(err("not json"), "request is not valid JSON");
  EXPECT_EQ(err("[1,2]"), "request must be a JSON object");
  EXPECT_EQ(err(R"({"command":"echo"})"), "request has no integer \"version\"");
  EXPECT_EQ(err(R"({"version":2,"command":"echo"})"), "unsupported protocol version 2 (this daemon speaks 1)");
  EXPECT_EQ(err(R"({"version":1})"), "request has no string \"command\"");
  EXPECT_EQ(err(R"({"version":1,"command":"echo","args":[1]})"), "\"args\" must be a JSON object");
  EXPECT_EQ(err(R"({"version":1,"command":"nope"})"), "unknown command 'nope'");
  EXPECT_EQ(err(R"({"version":1,"command":"fail"})"), "it broke");
  EXPECT_EQ(err(R"({"version":1,"command":"throw"})"), "throw: internal error: oops");
  EXPECT_EQ(err(R"({"version":1,"command":"sa list"})"), "sa list: not implemented yet");
  auto d = r.describe();
  EXPECT_EQ(d["commands"].size(), 5u);
}

// A ControlServer whose loop runs on its own thread, in a fresh temp directory.
class ControlServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/answerd-ctl-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    path_ = dir_ + "/run/answerd.sock";  // parent "run" does not exist yet
    registry_ = sample_registry();
    auto l = EventLoop::create(clock_);
    ASSERT_TRUE(l.has_value());
    loop_ = std::move(*l);
  }
  void start(ControlServerOptions opts = {}) {
    opts.path = path_;
    auto s = ControlServer::open(*loop_, registry_, opts);
    ASSERT_TRUE(s.has_value()) << s.error();
    server_ = std::move(*s);
    thread_ = std::thread([this] { loop_->run(); });
  }
  void TearDown() override {
    if (thread_.joinable()) {
      loop_->stop();
      thread_.join();
    }
    server_.reset();
    std::filesystem::remove_all(dir_);
  }
  int raw_connect() {
    int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un sun{};
    sun.sun_family = AF_UNIX;
    std::strncpy(sun.sun_path, path_.c_str(), sizeof sun.sun_path - 1);
    EXPECT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&sun), sizeof sun), 0);
    return fd;
  }

  SteadyClock clock_;
  std::unique_ptr<EventLoop> loop_;
  CommandRegistry registry_;
  std::unique_ptr<ControlServer> server_;
  std::thread thread_;
  std::string dir_, path_;
};

TEST_F(ControlServerTest, RoundTripModesAndRemoval) {
  start();
  auto r = control_request(path_, "daemon status");
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ((*r)["pid"], 42);
  auto e = control_request(path_, "sa list");
  ASSERT_FALSE(e.has_value());
  EXPECT_EQ(e.error().kind, ControlError::Kind::daemon);
  EXPECT_EQ(e.error().message, "sa list: not implemented yet");
  struct stat st {};
  ASSERT_EQ(::stat(path_.c_str(), &st), 0);
  EXPECT_TRUE(S_ISSOCK(st.st_mode));
  EXPECT_EQ(st.st_mode & 0777, 0660u);
  ASSERT_EQ(::stat((dir_ + "/run").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0750u);
  loop_->stop();
  thread_.join();
  server_.reset();
  EXPECT_FALSE(std::filesystem::exists(path_));
}

TEST_F(ControlServerTest, StaleSocketReplacedLiveOneRefused) {
  std::filesystem::create_directories(dir_ + "/run");
  {  // a socket file nobody listens on any more
    int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un sun{};
    sun.sun_family = AF_UNIX;
    std::strncpy(sun.sun_path, path_.c_str(), sizeof sun.sun_path - 1);
    ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&sun), sizeof sun), 0);
    ::close(fd);
  }
  start();
  EXPECT_TRUE(control_request(path_, "daemon status").has_value());
  // A second server on the same path while the first answers: refused, file kept.
  SteadyClock c2;
  auto loop2 = EventLoop::create(c2);
  auto second = ControlServer::open(**loop2, registry_, {.path = path_});
  ASSERT_FALSE(second.has_value());
  EXPECT_NE(second.error().find("another answerd is running"), std::string::npos) << second.error();
  EXPECT_TRUE(control_request(path_, "daemon status").has_value());
}

TEST_F(ControlServerTest, RegularFileIsNeverReplaced) {
  std::filesystem::create_directories(dir_ + "/run");
  std::ofstream(path_) << "not a socket";
  auto s = ControlServer::open(*loop_, registry_, {.path = path_});
  ASSERT_FALSE(s.has_value());
  EXPECT_NE(s.error().find("is not a socket"), std::string::npos);
  EXPECT_TRUE(std::filesystem::is_regular_file(path_));
}

TEST_F(ControlServerTest, SeveralRequestsOnOneConnectionInOrder) {
  start();
  int fd = raw_connect();
  std::string req;
  for (int i = 0; i < 3; ++i) req += to_line(make_request("echo", {{"n", i}}));
  ASSERT_EQ(::send(fd, req.data(), req.size(), 0), static_cast<ssize_t>(req.size()));
  ::shutdown(fd, SHUT_WR);
  std::string all;
  char buf[4096];
  ssize_t n;
  while ((n = ::recv(fd, buf, sizeof buf, 0)) > 0) all.append(buf, static_cast<std::size_t>(n));
  ::close(fd);
  std::vector<int> got;
  std::size_t pos = 0, nl;
  while ((nl = all.find('\n', pos)) != std::string::npos) {
    got.push_back(json::parse(all.substr(pos, nl - pos))["result"]["n"].get<int>());
    pos = nl + 1;
  }
  EXPECT_EQ(got, (std::vector<int>{0, 1, 2}));
}

TEST_F(ControlServerTest, OversizedRequestGetsErrorAndClose) {
  start();
  int fd = raw_connect();
  std::string big(kMaxRequestBytes + 10, 'a');
  // The server may close before reading everything; ignore send errors.
  for (std::size_t off = 0; off < big.size();) {
    ssize_t n = ::send(fd, big.data() + off, big.size() - off, MSG_NOSIGNAL);
    if (n <= 0) break;
    off += static_cast<std::size_t>(n);
  }
  std::string all;
  char buf[4096];
  ssize_t n;
  while ((n = ::recv(fd, buf, sizeof buf, 0)) > 0) all.append(buf, static_cast<std::size_t>(n));
  ::close(fd);
  auto resp = json::parse(all.substr(0, all.find('\n')));
  EXPECT_EQ(resp["ok"], false);
  EXPECT_NE(resp["error"].get<std::string>().find("request longer than"), std::string::npos);
}

// Clients that connect and stall (no newline, or never read) do not keep others waiting.
TEST_F(ControlServerTest, SlowClientsDoNotBlockOthers) {
  start();
  std::vector<int> stalled;
  for (int i = 0; i < 5; ++i) {
    int fd = raw_connect();
    ASSERT_EQ(::send(fd, "{\"version\":1,", 13, 0), 13);  // half a request, then nothing
    stalled.push_back(fd);
  }
  for (int i = 0; i < 20; ++i) {
    auto r = control_request(path_, "echo", {{"i", i}}, 2s);
    ASSERT_TRUE(r.has_value()) << r.error().message;
    EXPECT_EQ((*r)["i"], i);
  }
  for (int fd : stalled) ::close(fd);
}

TEST_F(ControlServerTest, ManyConcurrentClients) {
  start();
  constexpr int kThreads = 8, kEach = 50;
  std::atomic<int> ok{0};
  std::vector<std::thread> ts;
  for (int t = 0; t < kThreads; ++t)
    ts.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        auto r = control_request(path_, "echo", {{"t", t}, {"i", i}}, 5s);
        if (r && (*r)["t"] == t && (*r)["i"] == i) ++ok;
      }
    });
  for (auto& t : ts) t.join();
  EXPECT_EQ(ok.load(), kThreads * kEach);
  EXPECT_EQ(server_->requests(), static_cast<std::uint64_t>(kThreads * kEach));
}

TEST_F(ControlServerTest, TooManyClientsRefusedWithError) {
  ControlServerOptions o;
  o.max_clients = 2;
  start(o);
  int a = raw_connect(), b = raw_connect();
  // Let the loop accept the two first.
  while (server_->clients() < 2) std::this_thread::sleep_for(1ms);
  auto r = control_request(path_, "daemon status", json::object(), 2s);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().kind, ControlError::Kind::daemon);
  EXPECT_NE(r.error().message.find("too many control clients"), std::string::npos);
  ::close(a);
  ::close(b);
}

TEST(ControlClient, ClearErrorWhenNoDaemon) {
  auto r = control_request("/tmp/answerd-no-such-dir/answerd.sock", "daemon status");
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().kind, ControlError::Kind::connect);
  EXPECT_EQ(r.error().message, "cannot connect to /tmp/answerd-no-such-dir/answerd.sock: is answerd running?");
}

TEST(ControlClient, TimesOutOnSilentServer) {
  char tmpl[] = "/tmp/answerd-ctl-XXXXXX";
  ASSERT_NE(::mkdtemp(tmpl), nullptr);
  std::string path = std::string(tmpl) + "/s.sock";
  int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un sun{};
  sun.sun_family = AF_UNIX;
  std::strncpy(sun.sun_path, path.c_str(), sizeof sun.sun_path - 1);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&sun), sizeof sun), 0);
  ASSERT_EQ(::listen(fd, 4), 0);  // accepts (backlog) but never answers
  auto r = control_request(path, "daemon status", json::object(), 200ms);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().kind, ControlError::Kind::timeout);
  ::close(fd);
  std::filesystem::remove_all(tmpl);
}

TEST_F(ControlServerTest, IdleClientIsClosed) {
  ControlServerOptions o;
  o.idle_timeout = 50ms;
  start(o);
  int fd = raw_connect();
  char c;
  // The server closes the idle connection: recv sees EOF.
  EXPECT_EQ(::recv(fd, &c, 1, 0), 0);
  ::close(fd);
}

}  // namespace
}  // namespace answerd::daemon
