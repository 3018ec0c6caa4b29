// A fixed pool of worker threads for data-parallel loops. The calling thread takes part,
// so ThreadPool(1) runs everything inline. parallel_for blocks until all chunks are done.
#pragma once
#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace gemba {

class ThreadPool {
 public:
  explicit ThreadPool(int n_threads);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  int size() const { return n_threads_; }

  // Runs fn(thread_index) once on each of the size() threads (index 0 = caller).
  void run_on_all(const std::function<void(int)>& fn);

  // Splits [0, n) into contiguous chunks, one per thread: fn(begin, end, thread_index).
  void parallel_for(size_t n, const std::function<void(size_t, size_t, int)>& fn);

  // The number of hardware threads (>= 1).
  static int hardware_threads();

 private:
  void worker_loop(int index);

  int n_threads_;
  std::vector<std::thread> workers_;
  std::mutex mutex_;
  std::condition_variable wake_;
  const std::function<void(int)>* job_ = nullptr;
  uint64_t generation_ = 0;
  std::atomic<int> pending_{0};
  bool stop_ = false;
};

}  // namespace gemba
