// ike-bench report: nearest-rank percentiles and the JSON field contract.
#include "tools/ike-bench/report.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <numeric>

namespace answerd::bench {
namespace {

TEST(Percentile, NearestRankOnOneToHundred) {
  std::vector<double> v(100);
  std::iota(v.begin(), v.end(), 1.0);
  EXPECT_EQ(percentile(v, 50), 50);
  EXPECT_EQ(percentile(v, 90), 90);
  EXPECT_EQ(percentile(v, 99), 99);
  EXPECT_EQ(percentile(v, 100), 100);
  EXPECT_EQ(percentile(v, 0.5), 1);
}

TEST(Percentile, SmallAndEmptySets) {
  EXPECT_EQ(percentile({}, 50), 0);
  EXPECT_EQ(percentile({7.5}, 99), 7.5);
  const std::vector<double> four{1, 2, 3, 4};
  EXPECT_EQ(percentile(four, 50), 2);  // rank ceil(2) = 2
  EXPECT_EQ(percentile(four, 51), 3);  // rank ceil(2.04) = 3
  EXPECT_EQ(percentile(four, 90), 4);
}

TEST(Summarize, SortsAndAveragesEveryValue) {
  std::vector<double> v;
  for (int i = 1000; i >= 1; --i) v.push_back(i);  // descending on purpose
  const auto s = summarize(v);
  EXPECT_EQ(s.min, 1);
  EXPECT_EQ(s.max, 1000);
  EXPECT_EQ(s.p50, 500);
  EXPECT_EQ(s.p90, 900);
  EXPECT_EQ(s.p99, 990);
  EXPECT_DOUBLE_EQ(s.mean, 500.5);
}

TEST(JsonReport, StableFieldsAndValues) {
  Results r;
  r.started = 12;
  r.completed = 10;
  for (int i = 1; i <= 10; ++i) r.latencies_ms.push_back(i * 2.0);
  r.record_failure("AUTHENTICATION_FAILED");
  r.record_failure("timeout");
  r.retransmissions = 3;
  r.init_retries = 4;
  r.child_rekeys = 6;
  r.duration_s = 2;
  const auto j = nlohmann::json::parse(to_json(
      {.target = "192.0.2.2", .proposal = "aes256gcm16-prfsha256-x25519", .child = "childless", .concurrency = 10}, r));
  std::vector<std::string> keys;
  for (auto it = j.begin(); it != j.end(); ++it) keys.push_back(it.key());
  const std::vector<std::string> want{
      "target", "proposal",        "child",        "concurrency",  "duration_s",       "started",    "completed",
      "failed", "retransmissions", "init_retries", "child_rekeys", "handshakes_per_s", "latency_ms", "failures"};
  std::sort(keys.begin(), keys.end());
  auto sorted_want = want;
  std::sort(sorted_want.begin(), sorted_want.end());
  EXPECT_EQ(keys, sorted_want);
  EXPECT_EQ(j["completed"], 10);
  EXPECT_EQ(j["failed"], 2);
  EXPECT_EQ(j["started"], 12);
  EXPECT_EQ(j["retransmissions"], 3);
  EXPECT_EQ(j["init_retries"], 4);
  EXPECT_EQ(j["child_rekeys"], 6);
  EXPECT_DOUBLE_EQ(j["handshakes_per_s"].get<double>(), 5.0);
  EXPECT_DOUBLE_EQ(j["latency_ms"]["p50"].get<double>(), 10.0);
  EXPECT_DOUBLE_EQ(j["latency_ms"]["p90"].get<double>(), 18.0);
  EXPECT_DOUBLE_EQ(j["latency_ms"]["p99"].get<double>(), 20.0);
  EXPECT_EQ(j["failures"]["AUTHENTICATION_FAILED"], 1);
  EXPECT_EQ(j["failures"]["timeout"], 1);
  EXPECT_EQ(j["child"], "childless");
}

TEST(JsonReport, EmptyRunHasZeroesAndAnEmptyFailureObject) {
  const auto j = nlohmann::json::parse(to_json({}, Results{}));
  EXPECT_EQ(j["completed"], 0);
  EXPECT_TRUE(j["failures"].is_object());
  EXPECT_TRUE(j["failures"].empty());
  EXPECT_EQ(j["handshakes_per_s"], 0);
}

}  // namespace
}  // namespace answerd::bench
