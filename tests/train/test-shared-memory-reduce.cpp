// Gradient sums across ranks through shared memory: forked processes as the ranks.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <numeric>
#include <string>
#include <vector>

#include "core/error.h"
#include "train/shared-memory-reduce.h"

using gemba::train::FloatSpan;
using gemba::train::SharedMemoryReducer;

namespace {

// Rank r's value at position i: small integers, so every sum is exact whatever the order.
float value(int rank, size_t i) { return static_cast<float>((rank + 1) * static_cast<int>(i % 97) - rank); }

// Sums `rounds` times over spans of the given sizes; true when every element is the sum over ranks.
bool reduce_and_check(SharedMemoryReducer& reducer, int rank, int world, const std::vector<size_t>& sizes, int rounds) {
  for (int round = 0; round < rounds; ++round) {
    std::vector<std::vector<float>> buffers;
    std::vector<FloatSpan> spans;
    size_t at = 0;
    for (size_t n : sizes) {
      buffers.emplace_back(n);
      for (size_t i = 0; i < n; ++i) buffers.back()[i] = value(rank, at + i) * static_cast<float>(round + 1);
      at += n;
    }
    for (auto& b : buffers) spans.push_back({b.data(), b.size()});
    reducer.allreduce_sum(spans);
    at = 0;
    for (const auto& b : buffers) {
      for (size_t i = 0; i < b.size(); ++i) {
        float expected = 0;
        for (int r = 0; r < world; ++r) expected += value(r, at + i) * static_cast<float>(round + 1);
        if (b[i] != expected) return false;
      }
      at += b.size();
    }
  }
  return true;
}

// Runs ranks 1..world-1 as children and rank 0 here; true when all ranks saw the right sums.
bool run_ranks(int world, size_t slot_floats, const std::vector<size_t>& sizes, int rounds) {
  SharedMemoryReducer root = SharedMemoryReducer::create(world, slot_floats);
  std::vector<pid_t> children;
  for (int r = 1; r < world; ++r) {
    const pid_t pid = fork();
    if (pid == 0) {
      bool ok = false;
      try {
        SharedMemoryReducer mine = SharedMemoryReducer::open(root.name(), r, world, slot_floats);
        ok = reduce_and_check(mine, r, world, sizes, rounds);
      } catch (...) {
      }
      _exit(ok ? 0 : 1);
    }
    children.push_back(pid);
  }
  const bool root_ok = reduce_and_check(root, 0, world, sizes, rounds);
  root.unlink();
  bool children_ok = true;
  for (pid_t pid : children) {
    int status = 0;
    waitpid(pid, &status, 0);
    children_ok = children_ok && WIFEXITED(status) && WEXITSTATUS(status) == 0;
  }
  return root_ok && children_ok;
}

}  // namespace

TEST(SharedMemoryReduce, TwoRanksSumOneBuffer) { EXPECT_TRUE(run_ranks(2, 1 << 12, {1000}, 3)); }

// Three ranks (parts of a chunk that do not divide evenly), spans that straddle chunk borders,
// a buffer 5x larger than a slot, and an empty span.
TEST(SharedMemoryReduce, ThreeRanksManySpansInChunks) {
  EXPECT_TRUE(run_ranks(3, 1000, {7, 0, 1999, 1, 2500, 496}, 4));
}

TEST(SharedMemoryReduce, BarrierFailsWhenARankNeverArrives) {
  SharedMemoryReducer root = SharedMemoryReducer::create(2, 16);
  root.unlink();
  try {
    root.barrier(0.2);
    FAIL() << "the barrier returned without the other rank";
  } catch (const gemba::Error& e) {
    EXPECT_NE(std::string(e.what()).find("did a rank stop"), std::string::npos) << e.what();
  }
}

TEST(SharedMemoryReduce, OpeningAMissingSegmentIsAnError) {
  EXPECT_THROW(SharedMemoryReducer::open("/gemba-dp-no-such-segment", 1, 2, 16), gemba::Error);
}
