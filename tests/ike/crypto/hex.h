// Hex helpers for the crypto tests (vectors are written as the RFCs print them).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace answerd::crypto::test {

// Decodes hex, ignoring spaces and newlines; aborts the test binary on bad input.
inline std::vector<std::uint8_t> unhex(std::string_view s) {
  std::vector<std::uint8_t> out;
  int hi = -1;
  for (char c : s) {
    int v;
    if (c >= '0' && c <= '9') v = c - '0';
    else if (c >= 'a' && c <= 'f') v = c - 'a' + 10;
    else if (c >= 'A' && c <= 'F') v = c - 'A' + 10;
    else if (c == ' ' || c == '\n' || c == ':') continue;
    else std::abort();
    if (hi < 0) {
      hi = v;
    } else {
      out.push_back(static_cast<std::uint8_t>(hi << 4 | v));
      hi = -1;
    }
  }
  if (hi >= 0) std::abort();
  return out;
}

inline std::string hex(std::span<const std::uint8_t> b) {
  static constexpr char d[] = "0123456789abcdef";
  std::string s;
  for (std::uint8_t x : b) {
    s.push_back(d[x >> 4]);
    s.push_back(d[x & 15]);
  }
  return s;
}

inline std::vector<std::uint8_t> ascii(std::string_view s) { return {s.begin(), s.end()}; }

inline std::vector<std::uint8_t> repeat(std::uint8_t b, std::size_t n) {
  return std::vector<std::uint8_t>(n, b);
}

}  // namespace answerd::crypto::test
