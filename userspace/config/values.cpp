// Scalar value parsers (values.h).
#include "config/values.h"

#include <limits>

namespace answerd::config {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::vector<std::string> split_list(std::string_view s, char sep) {
  std::vector<std::string> out;
  if (trim(s).empty()) return out;
  for (;;) {
    auto pos = s.find(sep);
    out.emplace_back(trim(s.substr(0, pos)));
    if (pos == std::string_view::npos) break;
    s.remove_prefix(pos + 1);
  }
  return out;
}

expected<std::uint64_t, std::string> parse_uint(std::string_view s, std::uint64_t max) {
  std::string_view digits = s;
  unsigned base = 10;
  if (digits.size() > 2 && digits[0] == '0' && (digits[1] == 'x' || digits[1] == 'X')) {
    base = 16;
    digits.remove_prefix(2);
  }
  if (digits.empty()) return unexpected(std::string("expected a number"));
  std::uint64_t v = 0;
  for (char c : digits) {
    unsigned d;
    if (c >= '0' && c <= '9') d = static_cast<unsigned>(c - '0');
    else if (base == 16 && c >= 'a' && c <= 'f') d = static_cast<unsigned>(c - 'a' + 10);
    else if (base == 16 && c >= 'A' && c <= 'F') d = static_cast<unsigned>(c - 'A' + 10);
    else return unexpected("'" + std::string(s) + "' is not a number");
    if (v > (std::numeric_limits<std::uint64_t>::max() - d) / base)
      return unexpected("'" + std::string(s) + "' is too large (at most " + std::to_string(max) + ")");
    v = v * base + d;
  }
  if (v > max)
    return unexpected("'" + std::string(s) + "' is too large (at most " + std::to_string(max) + ")");
  return v;
}

namespace {

// Number with an optional one-letter unit suffix, scaled without overflow.
expected<std::uint64_t, std::string> scaled(std::string_view s, std::uint64_t mult,
                                            std::string_view what) {
  auto v = parse_uint(s, std::numeric_limits<std::uint64_t>::max() / mult);
  if (!v) return unexpected("invalid " + std::string(what) + ": " + v.error());
  return *v * mult;
}

}  // namespace

expected<std::chrono::seconds, std::string> parse_duration(std::string_view s) {
  s = trim(s);
  if (s.empty()) return unexpected(std::string("invalid time: empty value"));
  std::uint64_t mult = 1;
  switch (s.back()) {
    case 's': mult = 1; s.remove_suffix(1); break;
    case 'm': mult = 60; s.remove_suffix(1); break;
    case 'h': mult = 3600; s.remove_suffix(1); break;
    case 'd': mult = 86400; s.remove_suffix(1); break;
    default: break;
  }
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
    return unexpected(std::string("invalid time: use decimal seconds with s, m, h or d"));
  // Cap at 100 years: enough for "never" and far from any overflow in callers.
  constexpr std::uint64_t kMax = 100ull * 365 * 86400;
  auto v = scaled(s, mult, "time");
  if (!v) return unexpected(v.error() + " (use e.g. 90s, 30m, 1h, 1d)");
  if (*v > kMax) return unexpected(std::string("invalid time: more than 100 years"));
  return std::chrono::seconds(static_cast<std::chrono::seconds::rep>(*v));
}

expected<std::uint64_t, std::string> parse_count(std::string_view s) {
  s = trim(s);
  if (s.empty()) return unexpected(std::string("invalid number: empty value"));
  std::uint64_t mult = 1;
  switch (s.back()) {
    case 'k': case 'K': mult = 1ull << 10; s.remove_suffix(1); break;
    case 'm': case 'M': mult = 1ull << 20; s.remove_suffix(1); break;
    case 'g': case 'G': mult = 1ull << 30; s.remove_suffix(1); break;
    default: break;
  }
  return scaled(s, mult, "number");
}

// Case-insensitive like strongSwan's settings_value_as_bool().
expected<bool, std::string> parse_bool(std::string_view s) {
  std::string v(s);
  for (char& ch : v)
    if (ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch - 'A' + 'a');
  if (v == "yes" || v == "true" || v == "enabled" || v == "1") return true;
  if (v == "no" || v == "false" || v == "disabled" || v == "0") return false;
  return unexpected("'" + std::string(s) + "' is not a boolean (yes or no)");
}

std::string duration_to_string(std::chrono::seconds d) {
  auto v = static_cast<std::uint64_t>(d.count());
  if (v != 0 && v % 86400 == 0) return std::to_string(v / 86400) + "d";
  if (v != 0 && v % 3600 == 0) return std::to_string(v / 3600) + "h";
  if (v != 0 && v % 60 == 0) return std::to_string(v / 60) + "m";
  return std::to_string(v) + "s";
}

}  // namespace answerd::config
