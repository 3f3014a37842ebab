// EventLoop implementation (see event_loop.h). Internal fds carry reserved
// generation 0 in the epoll data; user fds carry (generation << 32 | fd) so that a
// stale event for a closed and reused fd number is never delivered to its successor.
#include "daemon/event_loop.h"

#include "log/log.h"

#include <fmt/format.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <exception>
#include <vector>

namespace answerd::daemon {
namespace {

std::string errno_text(const char* what) { return fmt::format("{}: {}", what, std::strerror(errno)); }

std::uint64_t pack(std::uint32_t gen, int fd) {
  return (static_cast<std::uint64_t>(gen) << 32) | static_cast<std::uint32_t>(fd);
}

}  // namespace

expected<std::unique_ptr<EventLoop>, std::string> EventLoop::create(const Clock& clock) {
  std::unique_ptr<EventLoop> loop(new EventLoop(clock));
  loop->epoll_.reset(::epoll_create1(EPOLL_CLOEXEC));
  if (!loop->epoll_) return unexpected(errno_text("epoll_create1"));
  loop->timerfd_.reset(::timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC));
  if (!loop->timerfd_) return unexpected(errno_text("timerfd_create"));
  loop->eventfd_.reset(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC));
  if (!loop->eventfd_) return unexpected(errno_text("eventfd"));
  for (int fd : {loop->timerfd_.get(), loop->eventfd_.get()}) {
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u64 = pack(0, fd);
    if (::epoll_ctl(loop->epoll_.get(), EPOLL_CTL_ADD, fd, &ev) != 0)
      return unexpected(errno_text("epoll_ctl"));
  }
  return loop;
}

EventLoop::~EventLoop() = default;

expected<void, std::string> EventLoop::add_fd(int fd, std::uint32_t events, FdCallback cb) {
  if (fds_.contains(fd)) return unexpected(fmt::format("fd {} is already watched", fd));
  std::uint32_t gen = next_gen_++;
  if (next_gen_ == 0) next_gen_ = 1;
  epoll_event ev{};
  ev.events = events;
  ev.data.u64 = pack(gen, fd);
  if (::epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, fd, &ev) != 0) return unexpected(errno_text("epoll_ctl ADD"));
  fds_.emplace(fd, FdEntry{gen, std::move(cb)});
  return {};
}

expected<void, std::string> EventLoop::modify_fd(int fd, std::uint32_t events) {
  auto it = fds_.find(fd);
  if (it == fds_.end()) return unexpected(fmt::format("fd {} is not watched", fd));
  epoll_event ev{};
  ev.events = events;
  ev.data.u64 = pack(it->second.gen, fd);
  if (::epoll_ctl(epoll_.get(), EPOLL_CTL_MOD, fd, &ev) != 0) return unexpected(errno_text("epoll_ctl MOD"));
  return {};
}

void EventLoop::remove_fd(int fd) {
  auto it = fds_.find(fd);
  if (it == fds_.end()) return;
  ::epoll_ctl(epoll_.get(), EPOLL_CTL_DEL, fd, nullptr);
  fds_.erase(it);
}

EventLoop::TimerId EventLoop::add_timer(Clock::duration after, Task cb) {
  TimerId id = next_timer_++;
  auto deadline = clock_.now() + after;
  timers_.emplace(TimerKey{deadline, id}, std::move(cb));
  timer_index_.emplace(id, deadline);
  rearm_timerfd();
  return id;
}

bool EventLoop::cancel_timer(TimerId id) {
  auto it = timer_index_.find(id);
  if (it == timer_index_.end()) return false;
  timers_.erase(TimerKey{it->second, id});
  timer_index_.erase(it);
  return true;
}

expected<void, std::string> EventLoop::add_signal(int signo, Task cb) {
  sigset_t mask;
  sigemptyset(&mask);
  for (auto& [s, unused] : signals_) sigaddset(&mask, s);
  sigaddset(&mask, signo);
  if (int rc = ::pthread_sigmask(SIG_BLOCK, &mask, nullptr); rc != 0)
    return unexpected(fmt::format("pthread_sigmask: {}", std::strerror(rc)));
  bool fresh = !signalfd_;
  int fd = ::signalfd(fresh ? -1 : signalfd_.get(), &mask, SFD_NONBLOCK | SFD_CLOEXEC);
  if (fd < 0) return unexpected(errno_text("signalfd"));
  if (fresh) {
    signalfd_.reset(fd);
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u64 = pack(0, fd);
    if (::epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, fd, &ev) != 0) return unexpected(errno_text("epoll_ctl"));
  }
  signals_[signo] = std::move(cb);
  return {};
}

void EventLoop::post(Task task) {
  bool wake = false;
  {
    std::lock_guard lk(post_mu_);
    wake = posted_.empty();  // not empty: an earlier post has woken (or will wake) the loop
    posted_.push_back(std::move(task));
  }
  if (!wake) return;
  std::uint64_t one = 1;
  // EAGAIN means the counter is saturated: the loop is awake anyway.
  [[maybe_unused]] auto n = ::write(eventfd_.get(), &one, sizeof one);
}

EventLoop::HookId EventLoop::at_iteration_end(Task cb) {
  HookId id = next_hook_++;
  end_hooks_.emplace_back(id, std::move(cb));
  return id;
}

void EventLoop::remove_iteration_end(HookId id) {
  std::erase_if(end_hooks_, [id](const auto& h) { return h.first == id; });
}

void EventLoop::stop() {
  stop_.store(true, std::memory_order_release);
  std::uint64_t one = 1;
  [[maybe_unused]] auto n = ::write(eventfd_.get(), &one, sizeof one);
}

void EventLoop::run() {
  while (!stopping()) run_once(std::chrono::milliseconds(-1));
}

void EventLoop::run_once(std::chrono::milliseconds timeout) {
  std::array<epoll_event, 64> evs{};
  int n = ::epoll_wait(epoll_.get(), evs.data(), static_cast<int>(evs.size()),
                       timeout.count() < 0 ? -1 : static_cast<int>(timeout.count()));
  if (n < 0 && errno != EINTR) log::error(log::Subsys::dmn, "epoll_wait: {}", std::strerror(errno));
  in_iteration_ = true;
  for (int i = 0; i < n; ++i) dispatch(evs[static_cast<std::size_t>(i)].data.u64, evs[static_cast<std::size_t>(i)].events);
  fire_due_timers();
  run_posted();
  in_iteration_ = false;
  // A copy of the ids: a hook may remove itself or another.
  std::vector<HookId> ids;
  ids.reserve(end_hooks_.size());
  for (const auto& h : end_hooks_) ids.push_back(h.first);
  for (HookId id : ids) {
    auto it = std::find_if(end_hooks_.begin(), end_hooks_.end(), [id](const auto& h) { return h.first == id; });
    if (it == end_hooks_.end()) continue;
    Task cb = it->second;
    guarded("iteration-end hook", cb);
  }
  rearm_timerfd();
}

void EventLoop::dispatch(std::uint64_t data, std::uint32_t events) {
  auto gen = static_cast<std::uint32_t>(data >> 32);
  int fd = static_cast<int>(static_cast<std::uint32_t>(data));
  if (gen == 0) {
    std::uint64_t v = 0;
    if (fd == timerfd_.get() || fd == eventfd_.get()) {
      [[maybe_unused]] auto r = ::read(fd, &v, sizeof v);
      if (fd == timerfd_.get()) armed_.reset();  // fired: rearm whatever comes next
    } else if (fd == signalfd_.get()) {
      drain_signals();
    }
    return;
  }
  auto it = fds_.find(fd);
  if (it == fds_.end() || it->second.gen != gen) return;
  // Copy: the callback may remove (and destroy) its own entry.
  FdCallback cb = it->second.cb;
  guarded("fd callback", [&] { cb(events); });
}

void EventLoop::fire_due_timers() {
  auto now = clock_.now();
  std::vector<TimerId> due;
  for (auto& [key, unused] : timers_) {
    if (key.deadline > now) break;
    due.push_back(key.id);
  }
  for (TimerId id : due) {
    auto idx = timer_index_.find(id);
    if (idx == timer_index_.end()) continue;  // cancelled by an earlier callback
    auto node = timers_.extract(TimerKey{idx->second, id});
    timer_index_.erase(idx);
    guarded("timer callback", node.mapped());
  }
}

void EventLoop::rearm_timerfd() {
  if (timers_.empty() ? !armed_ : armed_ == timers_.begin()->first.deadline) return;  // unchanged
  itimerspec its{};
  armed_.reset();
  if (!timers_.empty()) {
    armed_ = timers_.begin()->first.deadline;
    auto left = timers_.begin()->first.deadline - clock_.now();
    auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(left).count();
    if (ns <= 0) ns = 1;  // due now: fire on the next wait (0 would disarm)
    its.it_value.tv_sec = static_cast<time_t>(ns / 1'000'000'000);
    its.it_value.tv_nsec = static_cast<long>(ns % 1'000'000'000);
  }
  ::timerfd_settime(timerfd_.get(), 0, &its, nullptr);
}

void EventLoop::drain_signals() {
  signalfd_siginfo si{};
  while (::read(signalfd_.get(), &si, sizeof si) == static_cast<ssize_t>(sizeof si)) {
    auto it = signals_.find(static_cast<int>(si.ssi_signo));
    if (it == signals_.end()) continue;
    Task cb = it->second;
    guarded("signal callback", cb);
  }
}

void EventLoop::run_posted() {
  std::deque<Task> batch;
  {
    std::lock_guard lk(post_mu_);
    batch.swap(posted_);
  }
  for (auto& t : batch) guarded("posted task", t);
}

void EventLoop::guarded(const char* what, const Task& t) {
  try {
    t();
  } catch (const std::exception& e) {
    log::error(log::Subsys::dmn, "{} threw: {}", what, e.what());
  } catch (...) {
    log::error(log::Subsys::dmn, "{} threw a non-standard exception", what);
  }
}

}  // namespace answerd::daemon
