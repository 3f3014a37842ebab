// Clock: the monotonic time source of the event loop's timers, behind an interface
// so that timer logic runs in tests with a FakeClock that only moves when told.
#pragma once

#include <chrono>

namespace answerd::daemon {

class Clock {
 public:
  using time_point = std::chrono::steady_clock::time_point;
  using duration = std::chrono::steady_clock::duration;
  virtual ~Clock() = default;
  [[nodiscard]] virtual time_point now() const = 0;
};

class SteadyClock final : public Clock {
 public:
  [[nodiscard]] time_point now() const override { return std::chrono::steady_clock::now(); }
};

// A clock for tests: starts at an arbitrary epoch, moves only through advance().
class FakeClock final : public Clock {
 public:
  [[nodiscard]] time_point now() const override { return now_; }
  void advance(duration d) { now_ += d; }

 private:
  time_point now_{std::chrono::hours(1)};
};

}  // namespace answerd::daemon
