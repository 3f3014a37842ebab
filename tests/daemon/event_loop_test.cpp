// Tests of the EventLoop: timers against a FakeClock, fd callbacks, removal from
// inside callbacks, posting from other threads, signals through the signalfd.
#include "daemon/event_loop.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/epoll.h>
#include <fcntl.h>
#include <unistd.h>

#include <stdexcept>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

namespace answerd::daemon {
namespace {

using namespace std::chrono_literals;

std::unique_ptr<EventLoop> make_loop(const Clock& c) {
  auto l = EventLoop::create(c);
  EXPECT_TRUE(l.has_value());
  return std::move(*l);
}

TEST(EventLoopTimers, FireInDeadlineOrderOnlyWhenDue) {
  FakeClock clock;
  auto loop = make_loop(clock);
  std::vector<int> fired;
  loop->add_timer(30s, [&] { fired.push_back(30); });
  loop->add_timer(10s, [&] { fired.push_back(10); });
  loop->add_timer(20s, [&] { fired.push_back(20); });
  loop->run_once(0ms);
  EXPECT_TRUE(fired.empty());
  clock.advance(19s);
  loop->run_once(0ms);
  EXPECT_EQ(fired, (std::vector<int>{10}));
  clock.advance(1h);
  loop->run_once(0ms);
  EXPECT_EQ(fired, (std::vector<int>{10, 20, 30}));
  EXPECT_EQ(loop->pending_timers(), 0u);
}

TEST(EventLoopTimers, CancelBeforeAndDuringBatch) {
  FakeClock clock;
  auto loop = make_loop(clock);
  int a = 0, b = 0;
  auto ta = loop->add_timer(5s, [&] { ++a; });
  EventLoop::TimerId tb = 0;
  loop->add_timer(1s, [&] { EXPECT_TRUE(loop->cancel_timer(tb)); });
  tb = loop->add_timer(2s, [&] { ++b; });
  EXPECT_TRUE(loop->cancel_timer(ta));
  EXPECT_FALSE(loop->cancel_timer(ta));
  clock.advance(10s);
  loop->run_once(0ms);
  EXPECT_EQ(a, 0);
  EXPECT_EQ(b, 0);  // cancelled by the earlier timer of the same batch
}

TEST(EventLoopTimers, TimerAddedFromCallbackWaitsForNextIteration) {
  FakeClock clock;
  auto loop = make_loop(clock);
  int second = 0;
  loop->add_timer(1s, [&] { loop->add_timer(0s, [&] { ++second; }); });
  clock.advance(1s);
  loop->run_once(0ms);
  EXPECT_EQ(second, 0);
  loop->run_once(0ms);
  EXPECT_EQ(second, 1);
}

TEST(EventLoopTimers, RealClockWakesTheLoop) {
  SteadyClock clock;
  auto loop = make_loop(clock);
  bool fired = false;
  loop->add_timer(20ms, [&] {
    fired = true;
    loop->stop();
  });
  loop->run();  // returns only through the timerfd firing
  EXPECT_TRUE(fired);
}

TEST(EventLoopFds, ReadableCallbackAndRemovalFromInside) {
  SteadyClock clock;
  auto loop = make_loop(clock);
  int p[2];
  ASSERT_EQ(::pipe2(p, O_NONBLOCK | O_CLOEXEC), 0);
  UniqueFd r(p[0]), w(p[1]);
  int calls = 0;
  ASSERT_TRUE(loop->add_fd(r.get(), EPOLLIN, [&](std::uint32_t ev) {
    EXPECT_TRUE(ev & EPOLLIN);
    ++calls;
    loop->remove_fd(r.get());  // destroys this callback's entry
  }).has_value());
  EXPECT_FALSE(loop->add_fd(r.get(), EPOLLIN, [](std::uint32_t) {}).has_value());
  ASSERT_EQ(::write(w.get(), "x", 1), 1);
  loop->run_once(100ms);
  loop->run_once(0ms);
  EXPECT_EQ(calls, 1);
}

TEST(EventLoopFds, ThrowingCallbackDoesNotEscape) {
  FakeClock clock;
  auto loop = make_loop(clock);
  loop->add_timer(0s, [] { throw std::runtime_error("boom"); });
  bool after = false;
  loop->add_timer(0s, [&] { after = true; });
  EXPECT_NO_THROW(loop->run_once(0ms));
  EXPECT_TRUE(after);
}

TEST(EventLoopPost, TasksFromOtherThreadsRunOnTheLoopThread) {
  SteadyClock clock;
  auto loop = make_loop(clock);
  constexpr int kThreads = 4, kEach = 1000;
  int ran = 0;  // only touched on the loop thread
  auto loop_thread = std::this_thread::get_id();
  std::vector<std::thread> ts;
  for (int t = 0; t < kThreads; ++t)
    ts.emplace_back([&] {
      for (int i = 0; i < kEach; ++i)
        loop->post([&] {
          EXPECT_EQ(std::this_thread::get_id(), loop_thread);
          if (++ran == kThreads * kEach) loop->stop();
        });
    });
  loop->run();
  for (auto& t : ts) t.join();
  EXPECT_EQ(ran, kThreads * kEach);
}

// The timerfd is rearmed only when the earliest deadline changes: a cancelled
// timer must not wake the loop, a later one must, and a timer added after one
// fired must fire too.
TEST(EventLoopTimers, RealClockRearmAfterCancelAndAfterFiring) {
  SteadyClock clock;
  auto loop = make_loop(clock);
  auto early = loop->add_timer(30ms, [] { ADD_FAILURE() << "cancelled timer fired"; });
  loop->run_once(0ms);  // arms the timerfd for 30 ms
  ASSERT_TRUE(loop->cancel_timer(early));
  loop->run_once(120ms);  // may wake at 30 ms (armed before the cancel); fires nothing
  auto t0 = clock.now();
  loop->run_once(120ms);  // disarmed now: nothing wakes the loop before the timeout
  EXPECT_GE(clock.now() - t0, 100ms);
  int fired = 0;
  loop->add_timer(40ms, [&] {
    ++fired;
    loop->add_timer(20ms, [&] {
      ++fired;
      loop->stop();
    });
  });
  t0 = clock.now();
  loop->run();  // returns only through both timers firing
  EXPECT_EQ(fired, 2);
  EXPECT_GE(clock.now() - t0, 60ms);
}

// Iteration-end hooks run after the iteration's fd callbacks, timers and posted
// tasks, outside in_iteration(); a hook may remove itself.
TEST(EventLoopHooks, RunAfterEverythingElseOfTheIteration) {
  FakeClock clock;
  auto loop = make_loop(clock);
  std::vector<std::string> order;
  loop->add_timer(0s, [&] {
    EXPECT_TRUE(loop->in_iteration());
    order.push_back("timer");
  });
  loop->post([&] {
    EXPECT_TRUE(loop->in_iteration());
    order.push_back("posted");
  });
  EventLoop::HookId once = 0;
  loop->at_iteration_end([&] {
    EXPECT_FALSE(loop->in_iteration());
    order.push_back("hook");
  });
  once = loop->at_iteration_end([&] {
    order.push_back("once");
    loop->remove_iteration_end(once);
  });
  EXPECT_FALSE(loop->in_iteration());
  loop->run_once(0ms);
  EXPECT_EQ(order, (std::vector<std::string>{"timer", "posted", "hook", "once"}));
  loop->run_once(0ms);
  EXPECT_EQ(order.back(), "hook");
  EXPECT_EQ(order.size(), 5u);
}

TEST(EventLoopSignals, DeliveredThroughSignalfd) {
  SteadyClock clock;
  auto loop = make_loop(clock);
  int usr1 = 0, usr2 = 0;
  ASSERT_TRUE(loop->add_signal(SIGUSR1, [&] { ++usr1; }).has_value());
  ASSERT_TRUE(loop->add_signal(SIGUSR2, [&] { ++usr2; }).has_value());
  ASSERT_EQ(::raise(SIGUSR1), 0);  // blocked: stays pending for the signalfd
  ASSERT_EQ(::raise(SIGUSR2), 0);
  loop->run_once(1000ms);
  for (int i = 0; i < 3 && usr1 + usr2 < 2; ++i) loop->run_once(100ms);
  EXPECT_EQ(usr1, 1);
  EXPECT_EQ(usr2, 1);
}

}  // namespace
}  // namespace answerd::daemon
