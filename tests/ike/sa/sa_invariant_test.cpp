// Responder-only invariant (DESIGN.md): every message the engine emits, in every
// test of this suite, is a response or an INFORMATIONAL request. Checked after the
// tests of the process ran (ctest runs each test in its own process, so each one
// checks its own traffic), plus a structural check of the engine's sources: one
// request builder, and it is INFORMATIONAL.
#include <filesystem>
#include <fstream>
#include <sstream>

#include "helpers.h"
#include "ike/wire/names.h"

namespace answerd::sa::test {
namespace {

class ResponderOnlyEnvironment : public ::testing::Environment {
 public:
  void TearDown() override {
    for (const auto& b : emitted_log()) {
      auto h = ike::parse_header(b);
      ASSERT_TRUE(h);
      EXPECT_TRUE(h->response() || h->exchange == ike::ExchangeType::kInformational)
          << "engine emitted a " << ike::to_string(h->exchange) << " request";
      EXPECT_FALSE(h->initiator()) << "answerd is never the original initiator";
    }
  }
};
[[maybe_unused]] const auto* const kEnv = ::testing::AddGlobalTestEnvironment(new ResponderOnlyEnvironment);

std::string read_sources() {
  std::string all;
  for (const auto& e : std::filesystem::directory_iterator("userspace/ike/sa")) {
    std::ifstream f(e.path());
    std::stringstream ss;
    ss << f.rdbuf();
    all += ss.str();
  }
  return all;
}

std::size_t count(const std::string& hay, const std::string& needle) {
  std::size_t n = 0;
  for (auto p = hay.find(needle); p != std::string::npos; p = hay.find(needle, p + 1)) ++n;
  return n;
}

TEST(ResponderOnly, EngineSourcesHaveOneRequestBuilderAndItIsInformational) {
  const std::string src = read_sources();
  ASSERT_FALSE(src.empty()) << "run from the source tree (ctest does)";
  // The Initiator flag is never set by the engine (it only tests it on input).
  EXPECT_EQ(count(src, "kFlagInitiator"), 0u);
  // Requests have flags without kFlagResponse: exactly one place builds them.
  EXPECT_EQ(count(src, ".flags = 0"), 1u);
  const auto at = src.find(".flags = 0");
  const auto fn = src.rfind("void Engine::informational_request", at);
  ASSERT_NE(fn, std::string::npos);
  EXPECT_LT(at - fn, 600u);
  EXPECT_NE(src.find(".exchange = ike::ExchangeType::kInformational,\n                      .flags = 0"), std::string::npos);
}

TEST(ResponderOnly, EveryMessageOfAFullSessionIsAResponseOrInformational) {
  Harness h;
  Initiator ini(Suite{}, 41, spoke_ep(), hub_ep());
  establish(h, ini);
  auto out = h.r.terminate(h.r.snapshot(h.now).at(0).id, h.now);
  h.collect(out, ini);
  EXPECT_GE(emitted_log().size(), 3u);
  EXPECT_EQ(h.r.stats().invariant_dropped, 0u);
}

}  // namespace
}  // namespace answerd::sa::test
