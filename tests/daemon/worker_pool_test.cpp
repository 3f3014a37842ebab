// Tests of the WorkerPool: completions on the loop thread, drop-newest overload
// policy, and a stress run with many jobs (no timing assertions).
#include "daemon/worker_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

namespace answerd::daemon {
namespace {

using namespace std::chrono_literals;

std::unique_ptr<EventLoop> make_loop(const Clock& c) {
  auto l = EventLoop::create(c);
  EXPECT_TRUE(l.has_value());
  return std::move(*l);
}

TEST(WorkerPool, JobRunsOnWorkerCompletionOnLoop) {
  SteadyClock clock;
  auto loop = make_loop(clock);
  WorkerPool pool(*loop, 2, 16);
  auto loop_thread = std::this_thread::get_id();
  std::thread::id job_thread;
  int result = 0;
  ASSERT_TRUE(pool.submit([&]() -> WorkerPool::Completion {
    job_thread = std::this_thread::get_id();
    int v = 6 * 7;
    return [&, v] {
      EXPECT_EQ(std::this_thread::get_id(), loop_thread);
      result = v;
      loop->stop();
    };
  }));
  loop->run();
  EXPECT_EQ(result, 42);
  EXPECT_NE(job_thread, loop_thread);
  EXPECT_EQ(pool.stats().completed, 1u);
}

// Workers blocked on a gate: the queue fills, further jobs are dropped and counted.
TEST(WorkerPool, FullQueueDropsNewestAndCounts) {
  SteadyClock clock;
  auto loop = make_loop(clock);
  std::mutex mu;
  std::condition_variable cv;
  bool open = false;
  std::atomic<int> started{0};
  constexpr std::size_t kThreads = 2, kQueue = 5;
  int done = 0;
  {
    WorkerPool pool(*loop, kThreads, kQueue);
    auto blocking = [&]() -> WorkerPool::Completion {
      ++started;
      std::unique_lock lk(mu);
      cv.wait(lk, [&] { return open; });
      return [&] { ++done; };
    };
    for (std::size_t i = 0; i < kThreads; ++i) ASSERT_TRUE(pool.submit(blocking));
    while (started.load() < static_cast<int>(kThreads)) std::this_thread::yield();
    for (std::size_t i = 0; i < kQueue; ++i) ASSERT_TRUE(pool.submit(blocking));
    EXPECT_FALSE(pool.submit(blocking));
    EXPECT_FALSE(pool.submit(blocking));
    auto s = pool.stats();
    EXPECT_EQ(s.dropped, 2u);
    EXPECT_EQ(s.queued, kQueue);
    EXPECT_EQ(s.submitted, kThreads + kQueue);
    {
      std::lock_guard lk(mu);
      open = true;
    }
    cv.notify_all();
    while (done < static_cast<int>(kThreads + kQueue)) loop->run_once(100ms);
    EXPECT_EQ(pool.stats().completed, kThreads + kQueue);
  }
  EXPECT_EQ(done, static_cast<int>(kThreads + kQueue));
}

TEST(WorkerPool, StressManyJobs) {
  SteadyClock clock;
  auto loop = make_loop(clock);
  constexpr int kJobs = 20000;
  WorkerPool pool(*loop, 4, 256);
  long long sum = 0;  // loop thread only
  int completions = 0, submitted = 0, dropped = 0;
  // Submit from the loop thread as the daemon does, draining completions between.
  for (int i = 0; i < kJobs; ++i) {
    if (pool.submit([i, &sum, &completions]() -> WorkerPool::Completion {
          long long sq = static_cast<long long>(i) * i;
          return [sq, &sum, &completions] {
            sum += sq;
            ++completions;
          };
        })) {
      ++submitted;
    } else {
      ++dropped;
      loop->run_once(1ms);
    }
  }
  while (completions < submitted) loop->run_once(100ms);
  auto s = pool.stats();
  EXPECT_EQ(s.submitted, static_cast<std::uint64_t>(submitted));
  EXPECT_EQ(s.dropped, static_cast<std::uint64_t>(dropped));
  EXPECT_EQ(s.completed, static_cast<std::uint64_t>(submitted));
  EXPECT_EQ(submitted + dropped, kJobs);
  if (dropped == 0) {
    long long n = kJobs - 1;
    EXPECT_EQ(sum, n * (n + 1) * (2 * n + 1) / 6);
  }
}

TEST(WorkerPool, DestructionDiscardsQueuedJobs) {
  SteadyClock clock;
  auto loop = make_loop(clock);
  std::atomic<int> ran{0};
  {
    WorkerPool pool(*loop, 1, 1000);
    for (int i = 0; i < 1000; ++i)
      (void)pool.submit([&]() -> WorkerPool::Completion {
        ++ran;
        return {};
      });
  }  // must return promptly, joining the worker
  EXPECT_LE(ran.load(), 1000);
}

}  // namespace
}  // namespace answerd::daemon
