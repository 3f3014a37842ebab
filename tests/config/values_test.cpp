// Scalar values: numbers, times, counts, booleans, lists.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "config/values.h"

namespace answerd::config {
namespace {

using namespace std::chrono_literals;

TEST(Values, Durations) {
  EXPECT_EQ(*parse_duration("90"), 90s);
  EXPECT_EQ(*parse_duration("10s"), 10s);
  EXPECT_EQ(*parse_duration("30m"), 30min);
  EXPECT_EQ(*parse_duration("1h"), 1h);
  EXPECT_EQ(*parse_duration("1d"), 24h);
  EXPECT_EQ(*parse_duration("0"), 0s);
  EXPECT_EQ(parse_duration("1w").error(), "invalid time: '1w' is not a number (use e.g. 90s, 30m, 1h, 1d)");
  EXPECT_EQ(parse_duration("").error(), "invalid time: empty value");
  EXPECT_EQ(parse_duration("-1").error(), "invalid time: '-1' is not a number (use e.g. 90s, 30m, 1h, 1d)");
  EXPECT_EQ(parse_duration("h").error(), "invalid time: expected a number (use e.g. 90s, 30m, 1h, 1d)");
  EXPECT_THAT(parse_duration("99999999999999999999d").error(),
              ::testing::StartsWith("invalid time: '99999999999999999999' is too large"));
  EXPECT_EQ(parse_duration("40000d").error(), "invalid time: more than 100 years");
}

TEST(Values, Counts) {
  EXPECT_EQ(*parse_count("1000"), 1000u);
  EXPECT_EQ(*parse_count("500k"), 500u * 1024);
  EXPECT_EQ(*parse_count("2M"), 2u << 20);
  EXPECT_EQ(*parse_count("1g"), 1u << 30);
  EXPECT_EQ(*parse_count("0x10"), 16u);
  EXPECT_FALSE(parse_count("1t"));
  EXPECT_FALSE(parse_count("18446744073709551615k"));
}

TEST(Values, Uint) {
  EXPECT_EQ(*parse_uint("0xff", 255), 255u);
  EXPECT_EQ(parse_uint("256", 255).error(), "'256' is too large (at most 255)");
  EXPECT_EQ(parse_uint("0x", 255).error(), "'0x' is not a number");
  EXPECT_EQ(parse_uint("99999999999999999999999", 255).error(), "'99999999999999999999999' is too large (at most 255)");
}

TEST(Values, Bool) {
  for (const char* t : {"yes", "true", "enabled", "1"}) EXPECT_TRUE(*parse_bool(t)) << t;
  for (const char* f : {"no", "false", "disabled", "0"}) EXPECT_FALSE(*parse_bool(f)) << f;
  EXPECT_TRUE(*parse_bool("Yes"));
  EXPECT_FALSE(*parse_bool("NO"));
  EXPECT_EQ(parse_bool("maybe").error(), "'maybe' is not a boolean (yes or no)");
}

TEST(Values, Lists) {
  EXPECT_THAT(split_list(" a , b,c "), ::testing::ElementsAre("a", "b", "c"));
  EXPECT_THAT(split_list("a,,b"), ::testing::ElementsAre("a", "", "b"));
  EXPECT_TRUE(split_list("  ").empty());
}

TEST(Values, DurationDisplay) {
  EXPECT_EQ(duration_to_string(3600s), "1h");
  EXPECT_EQ(duration_to_string(5400s), "90m");
  EXPECT_EQ(duration_to_string(86400s), "1d");
  EXPECT_EQ(duration_to_string(61s), "61s");
  EXPECT_EQ(duration_to_string(0s), "0s");
}

}  // namespace
}  // namespace answerd::config
