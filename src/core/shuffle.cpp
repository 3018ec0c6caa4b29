#include "core/shuffle.h"

#include <utility>

#include "core/splitmix64.h"

namespace gemba {
namespace {

// Unbiased integer in [0, bound) by rejection (Lemire 2019's idea, simple modulo form).
uint64_t below(uint64_t& state, uint64_t bound) {
  const uint64_t limit = ~0ull - (~0ull % bound);
  for (;;) {
    uint64_t r = splitmix64_next(state);
    if (r < limit) return r % bound;
  }
}

}  // namespace

std::vector<uint64_t> shuffled_indices(uint64_t n, uint64_t seed) {
  std::vector<uint64_t> idx(n);
  for (uint64_t i = 0; i < n; ++i) idx[i] = i;
  uint64_t state = seed;
  // Fisher-Yates (Durstenfeld 1964).
  for (uint64_t i = n; i > 1; --i) std::swap(idx[i - 1], idx[below(state, i)]);
  return idx;
}

}  // namespace gemba
