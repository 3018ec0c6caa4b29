// Seeded, platform-independent shuffling (splitmix64 + Fisher-Yates; not std::shuffle, whose
// output differs between standard libraries): the same seed gives the same order everywhere,
// so training data order and data augmentation are reproducible across machines.
#pragma once
#include <cstdint>
#include <vector>

namespace gemba {

// A permutation of 0..n-1, a pure function of (n, seed).
std::vector<uint64_t> shuffled_indices(uint64_t n, uint64_t seed);

}  // namespace gemba
