// Tests of answerd_log: thresholds, specs, line formats, the secret path, threads.
#include "log/log.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <sys/stat.h>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace answerd::log {
namespace {

struct Captured {
  std::mutex mu;
  std::vector<std::string> lines;
};

class LogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    set_level(Level::info);
    set_format(Format::journal);
    set_sink([this](Level, Subsys, std::string_view line) {
      std::lock_guard lk(cap_.mu);
      cap_.lines.emplace_back(line);
    });
  }
  void TearDown() override {
    set_sink({});
    set_level(Level::info);
  }
  Captured cap_;
};

TEST_F(LogTest, ThresholdPerSubsystem) {
  set_level(Subsys::ike, Level::debug);
  debug(Subsys::ike, "shown {}", 1);
  debug(Subsys::cfg, "hidden {}", 2);
  warn(Subsys::cfg, "warned");
  ASSERT_EQ(cap_.lines.size(), 2u);
  EXPECT_EQ(cap_.lines[0], "<7>ike: shown 1");
  EXPECT_EQ(cap_.lines[1], "<4>cfg: warned");
}

struct Expensive {
  int* formatted;
};

}  // namespace
}  // namespace answerd::log

template <>
struct fmt::formatter<answerd::log::Expensive> : fmt::formatter<int> {
  auto format(const answerd::log::Expensive& e, fmt::format_context& ctx) const {
    ++*e.formatted;
    return fmt::formatter<int>::format(0, ctx);
  }
};

namespace answerd::log {
namespace {

TEST_F(LogTest, DisabledLevelDoesNotFormat) {
  int formatted = 0;
  trace(Subsys::net, "{}", Expensive{&formatted});
  EXPECT_EQ(formatted, 0);
  info(Subsys::net, "{}", Expensive{&formatted});
  EXPECT_EQ(formatted, 1);
}

TEST_F(LogTest, SpecParsing) {
  EXPECT_FALSE(apply_spec("warn,ike=trace,ctl=debug").has_value());
  EXPECT_EQ(level(Subsys::cfg), Level::warn);
  EXPECT_EQ(level(Subsys::ike), Level::trace);
  EXPECT_EQ(level(Subsys::ctl), Level::debug);
  // A bad spec changes nothing.
  EXPECT_TRUE(apply_spec("error,bogus=debug").has_value());
  EXPECT_TRUE(apply_spec("loud").has_value());
  EXPECT_TRUE(apply_spec("").has_value());
  EXPECT_EQ(level(Subsys::cfg), Level::warn);
  EXPECT_EQ(level(Subsys::ike), Level::trace);
}

TEST_F(LogTest, SecretsOnlyAtTrace) {
  const std::vector<std::uint8_t> key = {0xde, 0xad, 0xbe, 0xef};
  set_level(Subsys::ike, Level::debug);
  trace_secret(Subsys::ike, "SK_d", key);
  EXPECT_TRUE(cap_.lines.empty());
  set_level(Subsys::ike, Level::trace);
  trace_secret(Subsys::ike, "SK_d", key);
  ASSERT_EQ(cap_.lines.size(), 1u);
  EXPECT_EQ(cap_.lines[0], "<7>ike: SECRET SK_d (4 bytes): deadbeef");
}

TEST(LogFormat, JournalAndPlain) {
  EXPECT_EQ(format_line(Format::journal, Level::error, Subsys::dmn, "x"), "<3>dmn: x");
  EXPECT_EQ(format_line(Format::journal, Level::info, Subsys::xdp, "y"), "<6>xdp: y");
  std::string plain = format_line(Format::plain, Level::warn, Subsys::knl, "z");
  // 2026-11-29T23:50:00.123Z warn  knl: z
  ASSERT_GE(plain.size(), 25u);
  EXPECT_EQ(plain[4], '-');
  EXPECT_EQ(plain[10], 'T');
  EXPECT_EQ(plain[23], 'Z');
  EXPECT_EQ(plain.substr(24), " warn  knl: z");
}

TEST(LogFormat, DetectJournalStream) {
  struct stat st {};
  ASSERT_EQ(::fstat(2, &st), 0);
  std::string mine = std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino);
  ::setenv("JOURNAL_STREAM", mine.c_str(), 1);
  EXPECT_EQ(detect_format(), Format::journal);
  ::setenv("JOURNAL_STREAM", "1:1", 1);
  EXPECT_EQ(detect_format(), Format::plain);
  ::unsetenv("JOURNAL_STREAM");
  EXPECT_EQ(detect_format(), Format::plain);
}

TEST_F(LogTest, ConcurrentWritersKeepLinesWhole) {
  constexpr int kThreads = 8, kLines = 500;
  std::vector<std::thread> ts;
  for (int t = 0; t < kThreads; ++t)
    ts.emplace_back([t] {
      for (int i = 0; i < kLines; ++i) info(Subsys::dmn, "thread {} line {} end", t, i);
    });
  for (auto& t : ts) t.join();
  ASSERT_EQ(cap_.lines.size(), static_cast<std::size_t>(kThreads * kLines));
  for (const auto& l : cap_.lines) {
    EXPECT_EQ(l.rfind("<6>dmn: thread ", 0), 0u) << l;
    EXPECT_EQ(l.substr(l.size() - 4), " end") << l;
  }
}

}  // namespace
}  // namespace answerd::log
