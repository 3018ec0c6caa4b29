// splitmix64 (Steele, Lea & Flood 2014, "Fast splittable pseudorandom number generators"):
// the one small PRNG/mixer behind gemba's seeded, library-independent randomness.
#pragma once
#include <cstdint>

namespace gemba {

// The finalizer alone: a well-mixed 64-bit function of x (hashing, seeding).
inline uint64_t splitmix64_mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

// The generator: advances `state` and returns the next value.
inline uint64_t splitmix64_next(uint64_t& state) {
  uint64_t out = splitmix64_mix(state);
  state += 0x9e3779b97f4a7c15ull;
  return out;
}

}  // namespace gemba
