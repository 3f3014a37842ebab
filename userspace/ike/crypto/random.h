// Random: the injected source of randomness for everything answerd generates
// (KE private values, nonces, SPIs, CBC IVs). Production code takes a Random&;
// tests pass a deterministic one so that known-answer tests can fix private keys.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace answerd::crypto {

class Random {
 public:
  virtual ~Random() = default;
  // Fills out completely. Never fails (a failing system RNG aborts the process).
  virtual void fill(std::span<std::uint8_t> out) = 0;
};

// The operating system CSPRNG through libsodium's randombytes_buf (getrandom(2)).
class SystemRandom final : public Random {
 public:
  SystemRandom();
  void fill(std::span<std::uint8_t> out) override;
};

// Deterministic stream from a 32-byte seed (libsodium randombytes_buf_deterministic,
// ChaCha20 keyed by the seed, re-keyed per call by a counter). For tests and
// benchmarks only: reproducible, never secret.
class DeterministicRandom final : public Random {
 public:
  explicit DeterministicRandom(std::uint64_t seed);
  void fill(std::span<std::uint8_t> out) override;

 private:
  std::uint8_t seed_[32] = {};
  std::uint64_t counter_ = 0;
};

// Replays the given bytes in order, then continues with a DeterministicRandom(0)
// stream. Known-answer tests use it to make a KE private value exactly the RFC's.
class ScriptedRandom final : public Random {
 public:
  explicit ScriptedRandom(std::vector<std::uint8_t> script);
  void fill(std::span<std::uint8_t> out) override;
  [[nodiscard]] std::size_t remaining() const { return script_.size() - pos_; }

 private:
  std::vector<std::uint8_t> script_;
  std::size_t pos_ = 0;
  DeterministicRandom after_{0};
};

}  // namespace answerd::crypto
