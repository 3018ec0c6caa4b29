#include "train/log-softmax-kernel.h"

#include <cmath>
#include <limits>

#include "train/bf16-bits.h"
#include "train/vector-math.h"

namespace gemba::train {
namespace {

using vector_math::kBlock;

// 16 independent lanes (one AVX-512 vector), then the lanes in order: GCC vectorizes neither a
// float max nor a float sum over one accumulator without -ffast-math.
constexpr int kLanes = 16;

GEMBA_INLINE float block_max(const float* __restrict x, int64_t n, float* __restrict lane) {
  int64_t j = 0;
  for (; j + kLanes <= n; j += kLanes)
    for (int k = 0; k < kLanes; ++k) lane[k] = x[j + k] > lane[k] ? x[j + k] : lane[k];
  float m = -std::numeric_limits<float>::infinity();
  for (; j < n; ++j) m = x[j] > m ? x[j] : m;
  return m;
}

GEMBA_INLINE void block_sum_exp(const float* __restrict x, int64_t n, float shift, float* __restrict lane,
                                float* __restrict tail) {
  int64_t j = 0;
  for (; j + kLanes <= n; j += kLanes)
    for (int k = 0; k < kLanes; ++k) lane[k] += vector_math::exp(x[j + k] - shift);
  for (; j < n; ++j) *tail += vector_math::exp(x[j] - shift);
}

// Row x [v] as f32: the row itself, or its bf16 widened block by block into `buf`.
template <class T>
GEMBA_INLINE const float* block_f32(const T* x, int64_t begin, int64_t n, float* buf) {
  if constexpr (sizeof(T) == sizeof(float)) {
    (void)buf;
    (void)n;
    return reinterpret_cast<const float*>(x) + begin;
  } else {
    vector_math::widen(x + begin, buf, n);
    return buf;
  }
}

template <class T>
GEMBA_INLINE float log_prob_body(const T* x, int64_t v, int64_t label, float* lse) {
  alignas(64) float buf[kBlock];
  float lane[kLanes];
  for (float& l : lane) l = -std::numeric_limits<float>::infinity();
  float m = -std::numeric_limits<float>::infinity();
  for (int64_t b = 0; b < v; b += kBlock) {
    const int64_t n = v - b < kBlock ? v - b : kBlock;
    const float bm = block_max(block_f32(x, b, n, buf), n, lane);
    m = bm > m ? bm : m;
  }
  for (float l : lane) m = l > m ? l : m;
  float sum_lane[kLanes] = {};
  float tail = 0;
  for (int64_t b = 0; b < v; b += kBlock) {
    const int64_t n = v - b < kBlock ? v - b : kBlock;
    block_sum_exp(block_f32(x, b, n, buf), n, m, sum_lane, &tail);
  }
  float sum = tail;
  for (float s : sum_lane) sum += s;
  *lse = m + std::log(sum);
  return bf16_bits::to_float(x[label]) - *lse;
}

template <class T>
GEMBA_INLINE void backward_body(const T* x, int64_t v, int64_t label, float lse, float g, T* dx) {
  alignas(64) float buf[kBlock], out[kBlock];
  for (int64_t b = 0; b < v; b += kBlock) {
    const int64_t n = v - b < kBlock ? v - b : kBlock;
    const float* xb = block_f32(x, b, n, buf);
    for (int64_t j = 0; j < n; ++j) out[j] = -g * vector_math::exp(xb[j] - lse);
    if (label >= b && label < b + n) out[label - b] += g;
    if constexpr (sizeof(T) == sizeof(float)) {
      for (int64_t j = 0; j < n; ++j) dx[b + j] = out[j];
    } else {
      vector_math::narrow(out, dx + b, n);
    }
  }
}

}  // namespace

// The multiversioned entry points (target_clones wants plain functions, not templates).
GEMBA_CLONES float row_log_prob_f32(const float* x, int64_t v, int64_t label, float* lse) {
  return log_prob_body(x, v, label, lse);
}
GEMBA_CLONES float row_log_prob_bf16(const uint16_t* x, int64_t v, int64_t label, float* lse) {
  return log_prob_body(x, v, label, lse);
}
GEMBA_CLONES void row_log_prob_backward_f32(const float* x, int64_t v, int64_t label, float lse, float g, float* dx) {
  backward_body(x, v, label, lse, g, dx);
}
GEMBA_CLONES void row_log_prob_backward_bf16(const uint16_t* x, int64_t v, int64_t label, float lse, float g,
                                             uint16_t* dx) {
  backward_body(x, v, label, lse, g, dx);
}

}  // namespace gemba::train
