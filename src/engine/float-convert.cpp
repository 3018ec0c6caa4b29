#include "engine/float-convert.h"

#include <cstring>

#include "core/half.h"

#if defined(__F16C__) && defined(__AVX__)
#include <immintrin.h>
#define GEMBA_HAVE_F16C 1
#elif defined(__ARM_NEON) && defined(__aarch64__)
#include <arm_neon.h>
#define GEMBA_HAVE_NEON_F16 1
#endif

namespace gemba::engine {

void f16_to_f32_row(const uint16_t* src, float* dst, int64_t n) {
  int64_t i = 0;
#if defined(GEMBA_HAVE_F16C)
  for (; i + 8 <= n; i += 8)
    _mm256_storeu_ps(dst + i, _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(src + i))));
#elif defined(GEMBA_HAVE_NEON_F16)
  for (; i + 4 <= n; i += 4) vst1q_f32(dst + i, vcvt_f32_f16(vreinterpret_f16_u16(vld1_u16(src + i))));
#endif
  for (; i < n; ++i) dst[i] = f16_to_f32(src[i]);
}

void f32_to_f16_row(const float* src, uint16_t* dst, int64_t n) {
  int64_t i = 0;
#if defined(GEMBA_HAVE_F16C)
  for (; i + 8 <= n; i += 8)
    _mm_storeu_si128(reinterpret_cast<__m128i*>(dst + i),
                     _mm256_cvtps_ph(_mm256_loadu_ps(src + i), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC));
#elif defined(GEMBA_HAVE_NEON_F16)
  for (; i + 4 <= n; i += 4) vst1_u16(dst + i, vreinterpret_u16_f16(vcvt_f16_f32(vld1q_f32(src + i))));
#endif
  for (; i < n; ++i) dst[i] = f32_to_f16(src[i]);
}

void bf16_to_f32_row(const uint16_t* src, float* dst, int64_t n) {
  for (int64_t i = 0; i < n; ++i) dst[i] = bf16_to_f32(src[i]);
}

void f32_to_bf16_row(const float* src, uint16_t* dst, int64_t n) {
  for (int64_t i = 0; i < n; ++i) dst[i] = f32_to_bf16(src[i]);
}

void float_row_to_f32(FloatKind kind, const void* src, float* dst, int64_t n) {
  switch (kind) {
    case FloatKind::kF32: std::memcpy(dst, src, static_cast<size_t>(n) * sizeof(float)); return;
    case FloatKind::kF16: f16_to_f32_row(static_cast<const uint16_t*>(src), dst, n); return;
    case FloatKind::kBF16: bf16_to_f32_row(static_cast<const uint16_t*>(src), dst, n); return;
  }
}

}  // namespace gemba::engine
