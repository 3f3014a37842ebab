// WorkerPool: N threads for CPU-heavy IKE work (DH, signatures, PRF+) so that the
// loop thread keeps answering retransmits and established SAs while a flood of
// IKE_SA_INIT is computed. A job runs on a worker and returns a completion, which
// the pool posts to the EventLoop (eventfd wake-up) to run on the loop thread.
//
// Overload policy: the queue of jobs not yet started is bounded; submit() on a full
// queue drops the new job (drop newest), counts it and returns false. A dropped
// IKE_SA_INIT costs the peer one retransmit, never a half-built SA.
#pragma once

#include "daemon/event_loop.h"

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace answerd::daemon {

class WorkerPool {
 public:
  using Completion = std::function<void()>;  // runs on the loop thread
  using Job = std::function<Completion()>;   // runs on a worker; may return {}

  struct Stats {
    std::uint64_t submitted = 0;  // accepted into the queue
    std::uint64_t dropped = 0;    // refused: queue full or pool stopping
    std::uint64_t completed = 0;  // jobs that ran on a worker
    std::size_t queued = 0;       // waiting for a worker now
  };

  // Starts `threads` workers (at least 1). Signals must already be blocked in the
  // calling thread (EventLoop::add_signal) so that workers inherit the mask.
  WorkerPool(EventLoop& loop, std::size_t threads, std::size_t max_queued);
  ~WorkerPool();  // stops workers; queued jobs that did not start are discarded
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  [[nodiscard]] bool submit(Job job);
  [[nodiscard]] Stats stats() const;
  [[nodiscard]] std::size_t threads() const { return threads_.size(); }
  [[nodiscard]] std::size_t capacity() const { return max_queued_; }

 private:
  void worker_main();

  EventLoop& loop_;
  const std::size_t max_queued_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Job> queue_;
  bool stopping_ = false;
  std::uint64_t submitted_ = 0, dropped_ = 0;
  std::atomic<std::uint64_t> completed_{0};
  std::vector<std::thread> threads_;
};

}  // namespace answerd::daemon
