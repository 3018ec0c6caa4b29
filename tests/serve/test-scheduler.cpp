// serve: the scheduler over the fake backend: outputs, batching, FIFO fairness, the queue
// limit, cancellation (active and queued), timeouts, stop strings, max_tokens, shutdown.
#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "serve/fake-backend.h"
#include "serve/scheduler.h"

using namespace gemba::serve;
using namespace std::chrono_literals;

namespace {

// Collects one task's output and waits for its end.
struct Collector {
  std::mutex mutex;
  std::condition_variable cv;
  std::string text;
  std::vector<std::string> pieces;
  std::optional<TaskResult> result;

  std::shared_ptr<Task> make_task(const std::vector<int32_t>& prompt, int max_tokens = 1000) {
    auto task = std::make_shared<Task>();
    task->model = "fake";
    task->prompt = prompt;
    task->sampling.temperature = 0;
    task->max_tokens = max_tokens;
    task->on_text = [this](std::string_view t) {
      std::lock_guard lock(mutex);
      text += t;
      pieces.emplace_back(t);
      cv.notify_all();
    };
    task->on_done = [this](const TaskResult& r) {
      std::lock_guard lock(mutex);
      result = r;
      cv.notify_all();
    };
    return task;
  }
  TaskResult wait() {
    std::unique_lock lock(mutex);
    EXPECT_TRUE(cv.wait_for(lock, 10s, [&] { return result.has_value(); })) << "task did not finish";
    return result.value_or(TaskResult{FinishReason::kError, "no result"});
  }
  bool wait_for_text(size_t n_bytes) {
    std::unique_lock lock(mutex);
    return cv.wait_for(lock, 10s, [&] { return text.size() >= n_bytes; });
  }
};

std::vector<int32_t> prompt_for(FakeBackend& b, int i) { return b.encode_prompt("prompt number " + std::to_string(i)); }

}  // namespace

TEST(Scheduler, GreedyOutputsMatchAndDecodeIsBatched) {
  FakeBackend backend({"fake", 256, 2});
  Scheduler scheduler(backend, {4, 8});
  std::vector<Collector> c(6);
  for (int i = 0; i < 6; ++i) ASSERT_TRUE(scheduler.submit(c[i].make_task(prompt_for(backend, i))));
  for (int i = 0; i < 6; ++i) {
    TaskResult r = c[i].wait();
    EXPECT_EQ(r.reason, FinishReason::kStop);
    std::string expected = backend.greedy_answer(prompt_for(backend, i), false);
    EXPECT_EQ(c[i].text, expected);
    EXPECT_EQ(r.completion_tokens, static_cast<int>(expected.size()));
    EXPECT_EQ(r.prompt_tokens, static_cast<int>(prompt_for(backend, i).size()));
  }
  EXPECT_EQ(backend.max_batch_seen(), 4);  // never more than --parallel, and it did batch
  EXPECT_EQ(backend.live_sequences(), 0);
}

TEST(Scheduler, ActiveSequencesAdvanceTogetherAndQueueIsFifo) {
  FakeBackend backend({"fake", 256, 1});
  Scheduler scheduler(backend, {2, 8});
  std::mutex log_mutex;
  std::vector<int> log;  // task index per emitted piece, in order
  std::vector<Collector> c(3);
  std::vector<std::shared_ptr<Task>> tasks;
  for (int i = 0; i < 3; ++i) {
    auto task = c[i].make_task(prompt_for(backend, i));
    auto inner = task->on_text;
    task->on_text = [&, i, inner](std::string_view t) {
      { std::lock_guard lock(log_mutex); log.push_back(i); }
      inner(t);
    };
    tasks.push_back(task);
  }
  for (auto& t : tasks) ASSERT_TRUE(scheduler.submit(t));
  for (auto& col : c) EXPECT_EQ(col.wait().reason, FinishReason::kStop);
  // Tasks 0 and 1 run side by side: their counts never drift apart by more than one step.
  int n0 = 0, n1 = 0, first2 = -1;
  for (size_t k = 0; k < log.size(); ++k) {
    if (log[k] == 0) ++n0;
    if (log[k] == 1) ++n1;
    if (log[k] == 2 && first2 < 0) first2 = static_cast<int>(k);
    if (first2 < 0) {
      EXPECT_LE(std::abs(n0 - n1), 1) << "at event " << k;
    }
  }
  // Task 2 waited for a slot: it starts only after one of the first two finished.
  ASSERT_GE(first2, 0);
  EXPECT_GE(n0 + n1, static_cast<int>(backend.greedy_answer(prompt_for(backend, 0), false).size()));
}

TEST(Scheduler, QueueLimitRejects) {
  FakeBackend backend({"fake", 256, 20});
  Scheduler scheduler(backend, {1, 2});
  std::vector<Collector> c(4);
  std::vector<bool> accepted;
  for (int i = 0; i < 4; ++i) accepted.push_back(scheduler.submit(c[i].make_task(prompt_for(backend, i), 3)));
  EXPECT_EQ(accepted, (std::vector<bool>{true, true, true, false}));  // 1 slot + 2 waiting
  for (int i = 0; i < 3; ++i) EXPECT_EQ(c[i].wait().reason, FinishReason::kLength);
  EXPECT_FALSE(c[3].result.has_value());  // a rejected task is never touched
  // Room again once the queue drained.
  Collector again;
  EXPECT_TRUE(scheduler.submit(again.make_task(prompt_for(backend, 9), 2)));
  EXPECT_EQ(again.wait().completion_tokens, 2);
}

TEST(Scheduler, CancelStopsActiveAndQueuedTasks) {
  FakeBackend backend({"fake", 256, 30});
  Scheduler scheduler(backend, {1, 4});
  Collector active, queued;
  auto t1 = active.make_task(prompt_for(backend, 1));
  auto t2 = queued.make_task(prompt_for(backend, 2));
  ASSERT_TRUE(scheduler.submit(t1));
  ASSERT_TRUE(scheduler.submit(t2));
  ASSERT_TRUE(active.wait_for_text(2));
  t2->cancel();
  t1->cancel();
  TaskResult r1 = active.wait(), r2 = queued.wait();
  EXPECT_EQ(r1.reason, FinishReason::kCancelled);
  EXPECT_LT(r1.completion_tokens, static_cast<int>(backend.greedy_answer(t1->prompt, false).size()));
  EXPECT_EQ(r2.reason, FinishReason::kCancelled);
  EXPECT_EQ(r2.completion_tokens, 0);
  EXPECT_EQ(backend.prefill_calls(), 1);  // the queued one never took a slot
  EXPECT_EQ(backend.live_sequences(), 0);
}

TEST(Scheduler, DeadlinePassesForActiveAndQueued) {
  FakeBackend backend({"fake", 256, 40});
  Scheduler scheduler(backend, {1, 4});
  Collector a, b;
  auto t1 = a.make_task(prompt_for(backend, 1));
  auto t2 = b.make_task(prompt_for(backend, 2));
  t1->deadline = t2->deadline = std::chrono::steady_clock::now() + 150ms;
  ASSERT_TRUE(scheduler.submit(t1));
  ASSERT_TRUE(scheduler.submit(t2));
  EXPECT_EQ(a.wait().reason, FinishReason::kTimeout);
  EXPECT_EQ(b.wait().reason, FinishReason::kTimeout);
  EXPECT_GT(a.result->completion_tokens, 0);
  EXPECT_EQ(b.result->completion_tokens, 0);
}

TEST(Scheduler, StopStringsAndMaxTokens) {
  FakeBackend backend({"fake", 256, 0});
  Scheduler scheduler(backend, {2, 2});
  auto prompt = prompt_for(backend, 5);
  std::string full = backend.greedy_answer(prompt, false);

  Collector s;
  auto t = s.make_task(prompt);
  t->stop = {"quick"};
  ASSERT_TRUE(scheduler.submit(t));
  TaskResult r = s.wait();
  EXPECT_EQ(r.reason, FinishReason::kStop);
  EXPECT_EQ(s.text, full.substr(0, full.find("quick")));

  Collector m;
  ASSERT_TRUE(scheduler.submit(m.make_task(prompt, 5)));
  r = m.wait();
  EXPECT_EQ(r.reason, FinishReason::kLength);
  EXPECT_EQ(r.completion_tokens, 5);
  EXPECT_EQ(m.text, full.substr(0, 5));
}

TEST(Scheduler, ContextLimitEndsWithLength) {
  FakeBackend backend({"fake", 24, 0});
  Scheduler scheduler(backend, {1, 1});
  Collector c;
  auto prompt = backend.encode_prompt("0123456789");  // 11 tokens of 24
  ASSERT_TRUE(scheduler.submit(c.make_task(prompt)));
  TaskResult r = c.wait();
  EXPECT_EQ(r.reason, FinishReason::kLength);
  EXPECT_EQ(r.prompt_tokens + r.completion_tokens, 24);
}

TEST(Scheduler, SampledOutputDependsOnlyOnSeed) {
  FakeBackend backend({"fake", 256, 0});
  Scheduler scheduler(backend, {4, 4});
  std::vector<Collector> c(3);
  for (int i = 0; i < 3; ++i) {
    auto t = c[i].make_task(prompt_for(backend, 1));
    t->sampling.temperature = 1;
    t->sampling.seed = i == 2 ? 7 : 42;
    ASSERT_TRUE(scheduler.submit(t));
  }
  for (auto& col : c) col.wait();
  EXPECT_EQ(c[0].text, c[1].text);
  EXPECT_NE(c[0].text, c[2].text);
}

TEST(Scheduler, StopCancelsEverything) {
  FakeBackend backend({"fake", 256, 30});
  auto scheduler = std::make_unique<Scheduler>(backend, SchedulerOptions{1, 4});
  Collector a, b;
  ASSERT_TRUE(scheduler->submit(a.make_task(prompt_for(backend, 1))));
  ASSERT_TRUE(scheduler->submit(b.make_task(prompt_for(backend, 2))));
  ASSERT_TRUE(a.wait_for_text(1));
  scheduler->stop();
  EXPECT_EQ(a.wait().reason, FinishReason::kCancelled);
  EXPECT_EQ(b.wait().reason, FinishReason::kCancelled);
  Collector late;
  EXPECT_FALSE(scheduler->submit(late.make_task(prompt_for(backend, 3))));
  EXPECT_EQ(backend.live_sequences(), 0);
}
