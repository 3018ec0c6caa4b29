#include "train/swiglu-kernel.h"

#include "train/bf16-bits.h"
#include "train/vector-math.h"

namespace gemba::train {
namespace {

using namespace bf16_bits;
using vector_math::kBlock;
using vector_math::narrow;
using vector_math::widen;

GEMBA_INLINE float sigmoid(float x) { return 1.0f / (1.0f + vector_math::exp(-x)); }

// f32 in, f32 out: the loops GCC vectorizes (with the exp inlined).
GEMBA_INLINE void forward_f32(const float* __restrict g, const float* __restrict u, float* __restrict h, int64_t n) {
  for (int64_t i = 0; i < n; ++i) h[i] = g[i] * sigmoid(g[i]) * u[i];
}
GEMBA_INLINE void backward_f32(const float* __restrict g, const float* __restrict u, const float* __restrict dh,
                               float* __restrict dg, float* __restrict du, int64_t n) {
  for (int64_t i = 0; i < n; ++i) {
    const float s = sigmoid(g[i]);
    dg[i] = dh[i] * u[i] * s * (1.0f + g[i] * (1.0f - s));
    du[i] = dh[i] * g[i] * s;
  }
}

GEMBA_INLINE void forward_bf16(const uint16_t* g, const uint16_t* u, uint16_t* h, int64_t begin, int64_t end) {
  alignas(64) float gf[kBlock], uf[kBlock], hf[kBlock];
  for (int64_t i = begin; i < end; i += kBlock) {
    const int64_t n = end - i < kBlock ? end - i : kBlock;
    widen(g + i, gf, n);
    widen(u + i, uf, n);
    forward_f32(gf, uf, hf, n);
    narrow(hf, h + i, n);
  }
}

GEMBA_INLINE void backward_bf16(const uint16_t* g, const uint16_t* u, const uint16_t* dh, uint16_t* dg, uint16_t* du,
                                int64_t begin, int64_t end) {
  alignas(64) float gf[kBlock], uf[kBlock], dhf[kBlock], dgf[kBlock], duf[kBlock];
  for (int64_t i = begin; i < end; i += kBlock) {
    const int64_t n = end - i < kBlock ? end - i : kBlock;
    widen(g + i, gf, n);
    widen(u + i, uf, n);
    widen(dh + i, dhf, n);
    backward_f32(gf, uf, dhf, dgf, duf, n);
    narrow(dgf, dg + i, n);
    narrow(duf, du + i, n);
  }
}

}  // namespace

float vectorizable_exp(float x) { return vector_math::exp(x); }

// The multiversioned entry points (target_clones wants plain functions, not templates).
GEMBA_CLONES void swiglu_f32(const float* g, const float* u, float* h, int64_t begin, int64_t end) {
  forward_f32(g + begin, u + begin, h + begin, end - begin);
}
GEMBA_CLONES void swiglu_bf16(const uint16_t* g, const uint16_t* u, uint16_t* h, int64_t begin, int64_t end) {
  forward_bf16(g, u, h, begin, end);
}
GEMBA_CLONES void swiglu_backward_f32(const float* g, const float* u, const float* dh, float* dg, float* du,
                                      int64_t begin, int64_t end) {
  backward_f32(g + begin, u + begin, dh + begin, dg + begin, du + begin, end - begin);
}
GEMBA_CLONES void swiglu_backward_bf16(const uint16_t* g, const uint16_t* u, const uint16_t* dh, uint16_t* dg,
                                       uint16_t* du, int64_t begin, int64_t end) {
  backward_bf16(g, u, dh, dg, du, begin, end);
}

}  // namespace gemba::train
