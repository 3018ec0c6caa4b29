// Element functions for the trainer's libtorch-free kernels (swiglu-kernel.cpp,
// log-softmax-kernel.cpp), written so that loops over them vectorize without -ffast-math.
// Included by .cpp files only, after train/bf16-bits.h.
#pragma once
#include <bit>
#include <cstdint>

#include "train/bf16-bits.h"

namespace gemba::train::vector_math {

// exp(x) = 2^n * exp(r), n = round(x / ln 2), r = x - n ln 2 in [-ln2/2, ln2/2]. Branch-free:
// rounding by adding and subtracting 1.5 * 2^23, 2^n built in the exponent bits. Within 2 ulp
// of expf on [-87, 88]; inputs outside are clamped there (0 < result < inf), so exp(-inf) is
// a tiny positive number, not 0. libm's expf does not vectorize.
GEMBA_INLINE float exp(float x) {
  x = x < -87.0f ? -87.0f : (x > 88.0f ? 88.0f : x);
  constexpr float kLog2e = 1.44269504088896341f;
  constexpr float kRound = 12582912.0f;             // 1.5 * 2^23
  constexpr float kLn2Hi = 0.693359375f;            // ln 2 split so that n * kLn2Hi is exact
  constexpr float kLn2Lo = -2.12194440e-4f;
  const float n = (x * kLog2e + kRound) - kRound;  // round to nearest
  const float r = (x - n * kLn2Hi) - n * kLn2Lo;
  // Taylor coefficients 1/k!, k = 2..6, by Horner.
  float p = 1.0f / 720.0f;
  p = p * r + 1.0f / 120.0f;
  p = p * r + 1.0f / 24.0f;
  p = p * r + 1.0f / 6.0f;
  p = p * r + 0.5f;
  p = p * r * r + r + 1.0f;
  const int32_t e = static_cast<int32_t>(n) + 127;  // in [1, 254] after the clamp
  return p * std::bit_cast<float>(static_cast<uint32_t>(e) << 23);
}

// bf16 goes through f32 blocks of this size: GCC does not vectorize a conversion and exp in one
// loop (5 ms instead of 0.8 on 1.2M elements for SwiGLU), but does each loop alone.
constexpr int64_t kBlock = 256;

GEMBA_INLINE void widen(const uint16_t* __restrict x, float* __restrict y, int64_t n) {
  for (int64_t i = 0; i < n; ++i) y[i] = bf16_bits::to_float(x[i]);
}
GEMBA_INLINE void narrow(const float* __restrict x, uint16_t* __restrict y, int64_t n) {
  for (int64_t i = 0; i < n; ++i) y[i] = bf16_bits::from_float<uint16_t>(x[i]);
}

}  // namespace gemba::train::vector_math
