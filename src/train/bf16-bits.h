// bf16 as its raw uint16_t bits, for the trainer's libtorch-free CPU kernels (rope-kernel.cpp,
// rms-norm-kernel.cpp): widen to f32 exactly, round back once. Included by .cpp files only.
#pragma once
#include <bit>
#include <cstdint>

namespace gemba::train::bf16_bits {

#define GEMBA_INLINE [[gnu::always_inline]] inline
// x86: AVX-512 and AVX2 copies of a kernel beside the baseline one, picked at load time (GCC
// function multiversioning); the kernels' loops vectorize in all of them.
#if defined(__x86_64__) && defined(__GNUC__)
#define GEMBA_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define GEMBA_CLONES
#endif

GEMBA_INLINE float to_float(float v) { return v; }
GEMBA_INLINE float to_float(uint16_t bf16) { return std::bit_cast<float>(static_cast<uint32_t>(bf16) << 16); }

template <class T>
GEMBA_INLINE T from_float(float f);
template <>
GEMBA_INLINE float from_float<float>(float f) { return f; }
// Round to nearest even, as c10::BFloat16 does; NaN stays a (quiet) NaN.
template <>
GEMBA_INLINE uint16_t from_float<uint16_t>(float f) {
  const uint32_t u = std::bit_cast<uint32_t>(f);
  const uint16_t rounded = static_cast<uint16_t>((u + 0x7FFFu + ((u >> 16) & 1u)) >> 16);
  return (u & 0x7FFFFFFFu) > 0x7F800000u ? static_cast<uint16_t>(0x7FC0) : rounded;
}

}  // namespace gemba::train::bf16_bits
