// The scheduler: a bounded FIFO queue and N parallel slots. One thread admits queued tasks
// into free slots (prefill), then advances every active sequence one token per step with a
// single batched decode() over all of them (continuous batching, as in Orca: Yu et al. 2022),
// so every active request progresses at the same rate. Each step it also retires tasks that
// were cancelled (client gone) or ran past their deadline, freeing their slots.
#pragma once
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "serve/backend.h"

namespace gemba::serve {

enum class FinishReason { kStop, kLength, kCancelled, kTimeout, kError };
const char* finish_reason_name(FinishReason reason);  // "stop", "length", "cancelled", ...

struct TaskResult {
  FinishReason reason = FinishReason::kStop;
  std::string error;  // kError: what went wrong
  int prompt_tokens = 0;
  int completion_tokens = 0;
};

struct Task {
  std::string model;
  std::vector<int32_t> prompt;
  SamplingParams sampling;
  int max_tokens = 16;                    // completion tokens at most
  std::vector<std::string> stop;
  std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();

  // Called on the scheduler thread: text as it becomes final (valid UTF-8), then exactly once
  // the result. They must not block for long; they must not call back into the scheduler.
  std::function<void(std::string_view text)> on_text;
  std::function<void(const TaskResult& result)> on_done;

  // Any thread: ask for the generation to stop; on_done follows with kCancelled.
  void cancel() { cancelled_.store(true); }
  bool cancelled() const { return cancelled_.load(); }

 private:
  std::atomic<bool> cancelled_{false};
};

struct SchedulerOptions {
  int parallel = 4;  // slots: sequences decoded together
  int queue = 16;    // tasks that may wait for a slot
};

class Scheduler {
 public:
  Scheduler(Backend& backend, SchedulerOptions options);
  ~Scheduler();  // stop()
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  // Queues a task; false (and the task untouched) when the queue is full.
  bool submit(std::shared_ptr<Task> task);
  // Finishes every queued and active task with kCancelled and joins the thread.
  void stop();

  int queue_depth() const { return queue_depth_.load(); }
  int active_slots() const { return active_slots_.load(); }
  int parallel() const { return options_.parallel; }

 private:
  struct Slot;
  void loop();

  Backend& backend_;
  SchedulerOptions options_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::shared_ptr<Task>> queue_;
  bool stopping_ = false;
  std::atomic<int> queue_depth_{0}, active_slots_{0};
  std::thread thread_;
};

}  // namespace gemba::serve
