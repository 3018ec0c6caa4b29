#include "core/thread-pool.h"

#include <algorithm>

namespace gemba {

ThreadPool::ThreadPool(int n_threads) : n_threads_(std::max(1, n_threads)) {
  for (int i = 1; i < n_threads_; ++i) workers_.emplace_back([this, i] { worker_loop(i); });
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  for (auto& t : workers_) t.join();
}

int ThreadPool::hardware_threads() { return std::max(1u, std::thread::hardware_concurrency()); }

void ThreadPool::worker_loop(int index) {
  uint64_t seen = 0;
  for (;;) {
    const std::function<void(int)>* job;
    {
      // Spin briefly before sleeping: decode steps dispatch thousands of short jobs per
      // second and a futex wake costs more than the work.
      std::unique_lock<std::mutex> lock(mutex_, std::defer_lock);
      for (int spin = 0; spin < 20000; ++spin) {
        if (__atomic_load_n(&generation_, __ATOMIC_ACQUIRE) != seen || __atomic_load_n(&stop_, __ATOMIC_ACQUIRE)) break;
        std::this_thread::yield();
      }
      lock.lock();
      wake_.wait(lock, [&] { return stop_ || generation_ != seen; });
      if (stop_) return;
      seen = generation_;
      job = job_;
    }
    (*job)(index);
    pending_.fetch_sub(1, std::memory_order_acq_rel);
  }
}

void ThreadPool::run_on_all(const std::function<void(int)>& fn) {
  if (n_threads_ == 1) {
    fn(0);
    return;
  }
  pending_.store(n_threads_ - 1, std::memory_order_release);
  {
    std::lock_guard<std::mutex> lock(mutex_);
    job_ = &fn;
    __atomic_store_n(&generation_, generation_ + 1, __ATOMIC_RELEASE);
  }
  wake_.notify_all();
  fn(0);
  while (pending_.load(std::memory_order_acquire) != 0) std::this_thread::yield();
}

void ThreadPool::parallel_for(size_t n, const std::function<void(size_t, size_t, int)>& fn) {
  if (n == 0) return;
  const size_t threads = std::min<size_t>(n_threads_, n);
  run_on_all([&](int index) {
    if (static_cast<size_t>(index) >= threads) return;
    size_t begin = n * index / threads, end = n * (index + 1) / threads;
    fn(begin, end, index);
  });
}

}  // namespace gemba
