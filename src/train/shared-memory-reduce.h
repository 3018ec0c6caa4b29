// Sums f32 buffers across the data-parallel ranks of one machine through a shared memory
// segment, instead of Gloo's TCP loopback. On the 2-core demo machine Gloo's allreduce of the
// gradients (~5M floats) took ~25 ms of a ~180 ms step; this takes a few (bench/RESULTS.md).
//
// The segment: a small header (a barrier) and one slot of `slot_floats` per rank. A reduction
// streams the buffer through the slots in chunks:
//   1. every rank copies its chunk into its slot;                          barrier
//   2. rank r sums the r-th part of the chunk over all slots, in rank order, into slot 0;  barrier
//   3. every rank copies slot 0 back;                                       barrier
// The sum's order is fixed (slot 0 + slot 1 + ...), so results do not depend on timing.
// No libtorch here.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace gemba::train {

// A piece of a buffer to reduce: the pieces of one call are summed as if concatenated.
struct FloatSpan {
  float* data;
  size_t size;
};

class SharedMemoryReducer {
 public:
  // Rank 0: creates a new segment for `world_size` ranks; name() is what the others open.
  // Throws gemba::Error when shared memory is unavailable (e.g. /dev/shm too small): callers
  // fall back to Gloo.
  static SharedMemoryReducer create(int world_size, size_t slot_floats);
  // Ranks 1..world_size-1: opens rank 0's segment.
  static SharedMemoryReducer open(const std::string& name, int rank, int world_size, size_t slot_floats);

  SharedMemoryReducer(SharedMemoryReducer&& other) noexcept;
  SharedMemoryReducer& operator=(SharedMemoryReducer&& other) noexcept;
  SharedMemoryReducer(const SharedMemoryReducer&) = delete;
  SharedMemoryReducer& operator=(const SharedMemoryReducer&) = delete;
  ~SharedMemoryReducer();

  const std::string& name() const { return name_; }
  // Removes the name (rank 0, once every rank has opened it): the memory lives on while mapped,
  // and nothing is left in /dev/shm if a rank dies.
  void unlink();

  // In place: x[i] = the sum over ranks of their x[i], for x the concatenation of `spans`
  // (e.g. every parameter's gradient, without copying them into one tensor first). Every rank
  // calls it with the same sizes, the same number of times, in the same order. Any total size:
  // more than a slot goes through in chunks.
  void allreduce_sum(const std::vector<FloatSpan>& spans);

  // Every rank waits until all have arrived: spinning briefly, then yielding, then sleeping.
  // Fails (gemba::Error) after `timeout_s` seconds, so a rank that died without the launcher
  // stopping the others does not hang them forever.
  void barrier(double timeout_s = 3600);

 private:
  SharedMemoryReducer(std::string name, int rank, int world_size, size_t slot_floats, void* base, size_t bytes);
  float* slot(int r) const;

  std::string name_;
  int rank_ = 0;
  int world_size_ = 1;
  size_t slot_floats_ = 0;
  void* base_ = nullptr;
  size_t bytes_ = 0;
};

}  // namespace gemba::train
