// WorkerPool implementation (see worker_pool.h).
#include "daemon/worker_pool.h"

#include "log/log.h"

#include <exception>

namespace answerd::daemon {

WorkerPool::WorkerPool(EventLoop& loop, std::size_t threads, std::size_t max_queued)
    : loop_(loop), max_queued_(max_queued == 0 ? 1 : max_queued) {
  if (threads == 0) threads = 1;
  threads_.reserve(threads);
  for (std::size_t i = 0; i < threads; ++i) threads_.emplace_back([this] { worker_main(); });
}

WorkerPool::~WorkerPool() {
  {
    std::lock_guard lk(mu_);
    stopping_ = true;
    queue_.clear();
  }
  cv_.notify_all();
  for (auto& t : threads_) t.join();
}

bool WorkerPool::submit(Job job) {
  {
    std::lock_guard lk(mu_);
    if (stopping_ || queue_.size() >= max_queued_) {
      ++dropped_;
      return false;
    }
    queue_.push_back(std::move(job));
    ++submitted_;
  }
  cv_.notify_one();
  return true;
}

WorkerPool::Stats WorkerPool::stats() const {
  std::lock_guard lk(mu_);
  return Stats{.submitted = submitted_,
               .dropped = dropped_,
               .completed = completed_.load(std::memory_order_relaxed),
               .queued = queue_.size()};
}

void WorkerPool::worker_main() {
  for (;;) {
    Job job;
    {
      std::unique_lock lk(mu_);
      cv_.wait(lk, [this] { return stopping_ || !queue_.empty(); });
      if (stopping_) return;
      job = std::move(queue_.front());
      queue_.pop_front();
    }
    Completion done;
    try {
      done = job();
    } catch (const std::exception& e) {
      log::error(log::Subsys::dmn, "worker job threw: {}", e.what());
    } catch (...) {
      log::error(log::Subsys::dmn, "worker job threw a non-standard exception");
    }
    completed_.fetch_add(1, std::memory_order_relaxed);
    if (done) loop_.post(std::move(done));
  }
}

}  // namespace answerd::daemon
