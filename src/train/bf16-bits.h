// bf16 as its raw uint16_t bits, for the trainer's libtorch-free CPU kernels (rope-kernel.cpp,
// rms-norm-kernel.cpp, swiglu-kernel.cpp): widen to f32 exactly, round back once (round to
// nearest even, as c10::BFloat16). Included by .cpp files only.
#pragma once
#include <cstdint>

#include "core/half.h"

namespace gemba::train::bf16_bits {

using gemba::bf16_to_f32;
using gemba::f32_to_bf16;

#define GEMBA_INLINE [[gnu::always_inline]] inline
// x86: AVX-512 and AVX2 copies of a kernel beside the baseline one, picked at load time (GCC
// function multiversioning).
#if defined(__x86_64__) && defined(__GNUC__)
#define GEMBA_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define GEMBA_CLONES
#endif

// The kernels' loops are templates over the storage type: f32 as is, bf16 through core/half.h.
GEMBA_INLINE float to_float(float v) { return v; }
GEMBA_INLINE float to_float(uint16_t bf16) { return bf16_to_f32(bf16); }

template <class T>
GEMBA_INLINE T from_float(float f);
template <>
GEMBA_INLINE float from_float<float>(float f) { return f; }
template <>
GEMBA_INLINE uint16_t from_float<uint16_t>(float f) { return f32_to_bf16(f); }

}  // namespace gemba::train::bf16_bits
