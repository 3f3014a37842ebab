// Random sources (see random.h).
#include "ike/crypto/random.h"

#include <sodium.h>

#include <algorithm>
#include <cstdlib>

namespace answerd::crypto {

SystemRandom::SystemRandom() {
  // sodium_init is idempotent and thread-safe; -1 means no usable RNG at all.
  if (sodium_init() < 0) std::abort();
}

void SystemRandom::fill(std::span<std::uint8_t> out) {
  if (!out.empty()) randombytes_buf(out.data(), out.size());
}

DeterministicRandom::DeterministicRandom(std::uint64_t seed) {
  for (int i = 0; i < 8; ++i) seed_[i] = static_cast<std::uint8_t>(seed >> (8 * i));
}

void DeterministicRandom::fill(std::span<std::uint8_t> out) {
  if (out.empty()) return;
  // Each call gets its own stream: seed with the call counter mixed into bytes 8..15.
  std::uint8_t key[32];
  std::copy(std::begin(seed_), std::end(seed_), key);
  for (int i = 0; i < 8; ++i) key[8 + i] = static_cast<std::uint8_t>(counter_ >> (8 * i));
  ++counter_;
  randombytes_buf_deterministic(out.data(), out.size(), key);
}

ScriptedRandom::ScriptedRandom(std::vector<std::uint8_t> script) : script_(std::move(script)) {}

void ScriptedRandom::fill(std::span<std::uint8_t> out) {
  const std::size_t n = std::min(out.size(), remaining());
  std::copy_n(script_.begin() + static_cast<std::ptrdiff_t>(pos_), n, out.begin());
  pos_ += n;
  if (n < out.size()) after_.fill(out.subspan(n));
}

}  // namespace answerd::crypto
