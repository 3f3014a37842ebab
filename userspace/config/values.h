// Scalar value syntax shared by all config keys, as strongswan.conf(5) and
// swanctl.conf(5) define it: integers (decimal or 0x hex), times with s/m/h/d suffixes,
// byte and packet counts with k/m/g suffixes (powers of 1024), booleans, comma lists.
// Each parser returns the error message without location; the caller adds file:line.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "util/expected.h"

namespace answerd::config {

// Decimal or 0x-prefixed hexadecimal, at most `max`.
[[nodiscard]] expected<std::uint64_t, std::string> parse_uint(std::string_view s,
                                                              std::uint64_t max);
// "90", "90s", "30m", "1h", "1d".
[[nodiscard]] expected<std::chrono::seconds, std::string> parse_duration(std::string_view s);
// "1000", "500k", "2m", "1g" (k = 1024).
[[nodiscard]] expected<std::uint64_t, std::string> parse_count(std::string_view s);
// yes|no, true|false, enabled|disabled, 1|0 (any case).
[[nodiscard]] expected<bool, std::string> parse_bool(std::string_view s);
// Splits at commas and trims blanks; empty items are kept (callers reject them).
[[nodiscard]] std::vector<std::string> split_list(std::string_view s, char sep = ',');
[[nodiscard]] std::string_view trim(std::string_view s);
// "1h", "30m", "45s": the largest unit that divides exactly, for display.
[[nodiscard]] std::string duration_to_string(std::chrono::seconds s);

}  // namespace answerd::config
