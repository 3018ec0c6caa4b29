#include "train/shared-memory-reduce.h"

#include <fcntl.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <new>
#include <utility>

#include "core/error.h"

namespace gemba::train {

namespace {

// The segment starts with this; the slots follow at kSlotsOffset.
struct Header {
  alignas(64) std::atomic<uint32_t> arrived;     // ranks at the current barrier
  alignas(64) std::atomic<uint32_t> generation;  // barriers completed
};
static_assert(std::atomic<uint32_t>::is_always_lock_free, "the barrier needs lock-free atomics across processes");

constexpr size_t kSlotsOffset = 4096;
constexpr size_t kAlignFloats = 16;  // each rank's part of a chunk starts on a 64-byte line

size_t round_up(size_t n, size_t to) { return (n + to - 1) / to * to; }

size_t segment_bytes(int world_size, size_t slot_floats) {
  return kSlotsOffset + static_cast<size_t>(world_size) * round_up(slot_floats, kAlignFloats) * sizeof(float);
}

void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  asm volatile("yield");
#endif
}

void* map_segment(int fd, size_t bytes, const std::string& name) {
  void* base = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (base == MAP_FAILED) fail("shared memory ", name, ": mmap of ", bytes, " bytes failed: ", std::strerror(errno));
  return base;
}

// Calls f(piece pointer, offset in the chunk, length) for the parts of `spans` (seen as one
// concatenated buffer) that fall in [begin, begin + len).
template <class F>
void for_each_piece(const std::vector<FloatSpan>& spans, size_t begin, size_t len, F&& f) {
  size_t span_start = 0;
  const size_t end = begin + len;
  for (const auto& s : spans) {
    const size_t span_end = span_start + s.size;
    const size_t lo = std::max(begin, span_start), hi = std::min(end, span_end);
    if (lo < hi) f(s.data + (lo - span_start), lo - begin, hi - lo);
    if (span_end >= end) break;
    span_start = span_end;
  }
}

}  // namespace

SharedMemoryReducer::SharedMemoryReducer(std::string name, int rank, int world_size, size_t slot_floats, void* base,
                                         size_t bytes)
    : name_(std::move(name)), rank_(rank), world_size_(world_size), slot_floats_(slot_floats), base_(base), bytes_(bytes) {}

SharedMemoryReducer SharedMemoryReducer::create(int world_size, size_t slot_floats) {
  static std::atomic<int> counter{0};
  const std::string name = "/gemba-dp-" + std::to_string(getpid()) + "-" + std::to_string(counter++);
  const size_t bytes = segment_bytes(world_size, slot_floats);
  const int fd = shm_open(name.c_str(), O_CREAT | O_EXCL | O_RDWR, 0600);
  if (fd < 0) fail("shared memory ", name, ": shm_open failed: ", std::strerror(errno));
  // posix_fallocate, not ftruncate: a /dev/shm too small fails here, not with SIGBUS mid-step.
  const int err = posix_fallocate(fd, 0, static_cast<off_t>(bytes));
  if (err != 0) {
    close(fd);
    shm_unlink(name.c_str());
    fail("shared memory ", name, ": cannot reserve ", bytes, " bytes in /dev/shm: ", std::strerror(err));
  }
  void* base = nullptr;
  try {
    base = map_segment(fd, bytes, name);
  } catch (...) {
    close(fd);
    shm_unlink(name.c_str());
    throw;
  }
  close(fd);
  new (base) Header{};  // the fresh segment is zeros; construct the atomics properly anyway
  return SharedMemoryReducer(name, 0, world_size, slot_floats, base, bytes);
}

SharedMemoryReducer SharedMemoryReducer::open(const std::string& name, int rank, int world_size, size_t slot_floats) {
  const size_t bytes = segment_bytes(world_size, slot_floats);
  const int fd = shm_open(name.c_str(), O_RDWR, 0600);
  if (fd < 0) fail("shared memory ", name, ": shm_open failed: ", std::strerror(errno));
  struct stat st{};
  if (fstat(fd, &st) != 0 || static_cast<size_t>(st.st_size) != bytes) {
    close(fd);
    fail("shared memory ", name, ": expected ", bytes, " bytes, found ", st.st_size);
  }
  void* base = nullptr;
  try {
    base = map_segment(fd, bytes, name);
  } catch (...) {
    close(fd);
    throw;
  }
  close(fd);
  return SharedMemoryReducer(name, rank, world_size, slot_floats, base, bytes);
}

SharedMemoryReducer::SharedMemoryReducer(SharedMemoryReducer&& other) noexcept { *this = std::move(other); }

SharedMemoryReducer& SharedMemoryReducer::operator=(SharedMemoryReducer&& other) noexcept {
  if (this == &other) return *this;
  if (base_) munmap(base_, bytes_);
  name_ = std::move(other.name_);
  rank_ = other.rank_;
  world_size_ = other.world_size_;
  slot_floats_ = other.slot_floats_;
  base_ = std::exchange(other.base_, nullptr);
  bytes_ = std::exchange(other.bytes_, 0);
  return *this;
}

SharedMemoryReducer::~SharedMemoryReducer() {
  if (base_) munmap(base_, bytes_);
}

void SharedMemoryReducer::unlink() { shm_unlink(name_.c_str()); }

float* SharedMemoryReducer::slot(int r) const {
  return reinterpret_cast<float*>(static_cast<char*>(base_) + kSlotsOffset) +
         static_cast<size_t>(r) * round_up(slot_floats_, kAlignFloats);
}

void SharedMemoryReducer::barrier(double timeout_s) {
  auto* h = static_cast<Header*>(base_);
  // Read the generation before arriving: the last rank to arrive bumps it.
  const uint32_t generation = h->generation.load(std::memory_order_acquire);
  if (h->arrived.fetch_add(1, std::memory_order_acq_rel) + 1 == static_cast<uint32_t>(world_size_)) {
    h->arrived.store(0, std::memory_order_relaxed);
    h->generation.fetch_add(1, std::memory_order_release);  // publishes the reset too
    return;
  }
  const auto start = std::chrono::steady_clock::now();
  for (uint64_t spins = 0; h->generation.load(std::memory_order_acquire) == generation; ++spins) {
    if (spins < 4096) {
      cpu_relax();
      continue;
    }
    // A longer wait (rank 0 alone computing DPO's reference, more ranks than cores): give the
    // core away, then sleep rather than spin.
    if (spins < 65536) sched_yield();
    else usleep(100);
    if (spins % 4096 == 0 &&
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() > timeout_s)
      fail("data parallel: rank ", rank_, " waited ", timeout_s, " s at a barrier for the other ranks (shared memory ",
           name_, "); did a rank stop?");
  }
}

void SharedMemoryReducer::allreduce_sum(const std::vector<FloatSpan>& spans) {
  size_t total = 0;
  for (const auto& s : spans) total += s.size;
  float* const mine = slot(rank_);
  float* const sum = slot(0);
  for (size_t begin = 0; begin < total; begin += slot_floats_) {
    const size_t len = std::min(slot_floats_, total - begin);
    for_each_piece(spans, begin, len, [&](float* piece, size_t at, size_t n) { std::memcpy(mine + at, piece, n * sizeof(float)); });
    barrier();
    // This rank's part of the chunk, summed over the slots in rank order.
    const size_t part = round_up((len + world_size_ - 1) / world_size_, kAlignFloats);
    const size_t lo = std::min(len, part * rank_), hi = std::min(len, lo + part);
    for (int r = 1; r < world_size_; ++r) {
      const float* in = slot(r);
      for (size_t i = lo; i < hi; ++i) sum[i] += in[i];
    }
    barrier();
    for_each_piece(spans, begin, len, [&](float* piece, size_t at, size_t n) { std::memcpy(piece, sum + at, n * sizeof(float)); });
    barrier();  // slot 0 is read by all before the next chunk overwrites it
  }
}

}  // namespace gemba::train
