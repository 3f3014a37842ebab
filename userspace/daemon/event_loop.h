// EventLoop: the daemon's single-threaded reactor. It owns an epoll instance, a
// timerfd that fires the earliest timer, a signalfd for the signals the daemon
// handles, and an eventfd through which other threads (the worker pool) post tasks:
// only the post that finds the queue empty writes it, so a burst of completions
// costs the loop one wake-up. Hooks added with at_iteration_end() run after every
// iteration's events, timers and posted tasks (the IKE sockets flush the replies
// queued during the iteration in one sendmmsg there).
// Timers are kept against an injected Clock, so tests drive them with FakeClock and
// run_once(0). Callbacks run on the loop thread; an exception escaping a callback is
// caught, logged and does not cross the loop.
#pragma once

#include "daemon/clock.h"
#include "util/unique_fd.h"
#include "util/expected.h"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <optional>
#include <utility>
#include <vector>

namespace answerd::daemon {

class EventLoop {
 public:
  using FdCallback = std::function<void(std::uint32_t events)>;  // EPOLLIN/OUT/HUP/ERR bits
  using Task = std::function<void()>;
  using TimerId = std::uint64_t;

  [[nodiscard]] static expected<std::unique_ptr<EventLoop>, std::string> create(const Clock& clock);
  ~EventLoop();
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  // Watches `fd` (not owned) for `events`. remove_fd() is safe from any callback,
  // including the fd's own; events already fetched for a removed fd are dropped.
  [[nodiscard]] expected<void, std::string> add_fd(int fd, std::uint32_t events, FdCallback cb);
  [[nodiscard]] expected<void, std::string> modify_fd(int fd, std::uint32_t events);
  void remove_fd(int fd);

  // One-shot timer `after` from clock.now(). Timers added from a timer callback
  // fire at the earliest in the next iteration.
  TimerId add_timer(Clock::duration after, Task cb);
  bool cancel_timer(TimerId id);  // false when it already fired or never existed
  [[nodiscard]] std::size_t pending_timers() const { return timers_.size(); }

  // Blocks `signo` in the calling thread and delivers it through the signalfd.
  // Call before other threads start, so that they inherit the blocked mask.
  [[nodiscard]] expected<void, std::string> add_signal(int signo, Task cb);

  // Thread-safe: queues `task` for the loop thread and wakes the loop.
  void post(Task task);

  // `cb` runs on the loop thread at the end of every run_once(), after events,
  // timers and posted tasks (in_iteration() is false by then). Returns an id for
  // remove_iteration_end().
  using HookId = std::uint64_t;
  HookId at_iteration_end(Task cb);
  void remove_iteration_end(HookId id);
  // True on the loop thread while run_once() dispatches events, timers and posted
  // tasks: work queued now is flushed by the iteration-end hooks.
  [[nodiscard]] bool in_iteration() const { return in_iteration_; }

  // run() iterates until stop(); run_once() waits at most `timeout` (negative:
  // forever) for events, dispatches them, fires due timers and posted tasks.
  void run();
  void run_once(std::chrono::milliseconds timeout);
  void stop();  // thread-safe
  [[nodiscard]] bool stopping() const { return stop_.load(std::memory_order_acquire); }

 private:
  struct FdEntry {
    std::uint32_t gen;
    FdCallback cb;
  };
  struct TimerKey {
    Clock::time_point deadline;
    TimerId id;
    auto operator<=>(const TimerKey&) const = default;
  };

  explicit EventLoop(const Clock& clock) : clock_(clock) {}
  void dispatch(std::uint64_t data, std::uint32_t events);
  void fire_due_timers();
  void rearm_timerfd();
  void drain_signals();
  void run_posted();
  static void guarded(const char* what, const Task& t);

  const Clock& clock_;
  UniqueFd epoll_, timerfd_, eventfd_, signalfd_;
  std::unordered_map<int, FdEntry> fds_;
  std::uint32_t next_gen_ = 1;
  std::map<TimerKey, Task> timers_;
  std::unordered_map<TimerId, Clock::time_point> timer_index_;
  TimerId next_timer_ = 1;
  std::unordered_map<int, Task> signals_;
  std::mutex post_mu_;
  std::deque<Task> posted_;
  std::atomic<bool> stop_{false};
  std::vector<std::pair<HookId, Task>> end_hooks_;
  HookId next_hook_ = 1;
  bool in_iteration_ = false;
  // The deadline the timerfd is armed for (none: disarmed or already fired), so
  // that an iteration that does not change the earliest timer costs no syscall.
  std::optional<Clock::time_point> armed_;
};

}  // namespace answerd::daemon
