#include "serve/scheduler.h"

#include <algorithm>
#include <optional>

#include "core/log.h"
#include "serve/text-stream.h"

namespace gemba::serve {

const char* finish_reason_name(FinishReason reason) {
  switch (reason) {
    case FinishReason::kStop: return "stop";
    case FinishReason::kLength: return "length";
    case FinishReason::kCancelled: return "cancelled";
    case FinishReason::kTimeout: return "timeout";
    case FinishReason::kError: return "error";
  }
  return "error";
}

struct Scheduler::Slot {
  std::shared_ptr<Task> task;
  std::unique_ptr<Sequence> sequence;
  TextStream text;
  int generated = 0;
};

Scheduler::Scheduler(Backend& backend, SchedulerOptions options) : backend_(backend), options_(options) {
  options_.parallel = std::max(1, options_.parallel);
  options_.queue = std::max(0, options_.queue);
  thread_ = std::thread([this] { loop(); });
}

Scheduler::~Scheduler() { stop(); }

bool Scheduler::submit(std::shared_ptr<Task> task) {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return false;
    // A task waits in the queue only while every slot is busy; count free slots as room.
    int free_slots = options_.parallel - active_slots_.load();
    if (static_cast<int>(queue_.size()) >= options_.queue + std::max(0, free_slots)) return false;
    queue_.push_back(std::move(task));
    queue_depth_ = static_cast<int>(queue_.size());
  }
  wake_.notify_one();
  return true;
}

void Scheduler::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  if (thread_.joinable()) thread_.join();
}

namespace {

void finish(const std::shared_ptr<Task>& task, FinishReason reason, int prompt_tokens, int generated,
            std::string error = {}) {
  TaskResult result;
  result.reason = reason;
  result.error = std::move(error);
  result.prompt_tokens = prompt_tokens;
  result.completion_tokens = generated;
  if (task->on_done) task->on_done(result);
}

}  // namespace

void Scheduler::loop() {
  std::vector<std::unique_ptr<Slot>> active;
  std::vector<Sequence*> batch;
  std::vector<int32_t> next;
  for (;;) {
    std::vector<std::shared_ptr<Task>> admitted, expired;
    bool stopping;
    {
      std::unique_lock lock(mutex_);
      if (active.empty()) wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      stopping = stopping_;
      if (stopping) {
        expired.assign(queue_.begin(), queue_.end());
        queue_.clear();
      } else {
        // Queued tasks that were cancelled or timed out leave without taking a slot.
        auto now = std::chrono::steady_clock::now();
        for (auto it = queue_.begin(); it != queue_.end();) {
          if ((*it)->cancelled() || now >= (*it)->deadline) {
            expired.push_back(*it);
            it = queue_.erase(it);
          } else {
            ++it;
          }
        }
        while (!queue_.empty() && static_cast<int>(active.size() + admitted.size()) < options_.parallel) {
          admitted.push_back(queue_.front());
          queue_.pop_front();
        }
      }
      queue_depth_ = static_cast<int>(queue_.size());
      // Count admitted tasks as active now, so submit() sees no phantom free slots.
      active_slots_ = static_cast<int>(active.size() + admitted.size());
    }
    for (auto& task : expired) {
      FinishReason why = stopping || task->cancelled() ? FinishReason::kCancelled : FinishReason::kTimeout;
      finish(task, why, static_cast<int>(task->prompt.size()), 0);
    }
    if (stopping) {
      for (auto& slot : active)
        finish(slot->task, FinishReason::kCancelled, static_cast<int>(slot->task->prompt.size()), slot->generated);
      active_slots_ = 0;
      return;
    }

    // Prefill each admitted task (FIFO order).
    for (auto& task : admitted) {
      auto slot = std::make_unique<Slot>();
      slot->task = task;
      slot->text = TextStream(task->stop);
      try {
        slot->sequence = backend_.prefill(task->model, task->prompt, task->sampling);
      } catch (const std::exception& e) {
        log_warn("serve: prefill failed: ", e.what());
        finish(task, FinishReason::kError, static_cast<int>(task->prompt.size()), 0, e.what());
        continue;
      }
      active.push_back(std::move(slot));
    }

    // Retire cancelled and timed-out sequences before spending a step on them.
    auto now = std::chrono::steady_clock::now();
    for (auto& slot : active) {
      std::shared_ptr<Task> task = slot->task;
      if (task->cancelled() || now >= task->deadline) {
        int generated = slot->generated;
        slot.reset();  // free the sequence (KV cache) before telling the client
        finish(task, task->cancelled() ? FinishReason::kCancelled : FinishReason::kTimeout,
               static_cast<int>(task->prompt.size()), generated);
      }
    }
    std::erase(active, nullptr);
    active_slots_ = static_cast<int>(active.size());
    if (active.empty()) continue;

    // One decode step for every active sequence together.
    batch.clear();
    for (auto& slot : active) batch.push_back(slot->sequence.get());
    try {
      backend_.decode(batch, next);
    } catch (const std::exception& e) {
      log_error("serve: decode failed: ", e.what());
      for (auto& slot : active)
        finish(slot->task, FinishReason::kError, static_cast<int>(slot->task->prompt.size()), slot->generated, e.what());
      active.clear();
      active_slots_ = 0;
      continue;
    }
    for (size_t i = 0; i < active.size(); ++i) {
      Slot& slot = *active[i];
      std::shared_ptr<Task> task = slot.task;
      int prompt_tokens = static_cast<int>(task->prompt.size());
      std::optional<FinishReason> done;
      std::string text;
      try {
        if (backend_.is_end(next[i])) {
          text = slot.text.finish();
          done = FinishReason::kStop;
        } else {
          text = slot.text.push(backend_.token_bytes(next[i], slot.generated == 0));
          ++slot.generated;
          if (slot.text.stopped()) {
            done = FinishReason::kStop;
          } else if (slot.generated >= task->max_tokens ||
                     prompt_tokens + slot.generated >= backend_.context_length()) {
            text += slot.text.finish();
            done = FinishReason::kLength;
          }
        }
      } catch (const std::exception& e) {
        log_error("serve: detokenizing failed: ", e.what());
        int generated = slot.generated;
        active[i].reset();
        finish(task, FinishReason::kError, prompt_tokens, generated, e.what());
        continue;
      }
      if (!text.empty() && task->on_text) task->on_text(text);
      if (done) {
        int generated = slot.generated;
        active[i].reset();
        finish(task, *done, prompt_tokens, generated);
      }
    }
    std::erase(active, nullptr);
    active_slots_ = static_cast<int>(active.size());
  }
}

}  // namespace gemba::serve
