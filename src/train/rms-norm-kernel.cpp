#include "train/rms-norm-kernel.h"

#include <cmath>

#include "train/bf16-bits.h"

namespace gemba::train {
namespace {

using namespace bf16_bits;

// sum_j a[j] * b[j] in 16 independent lanes (one AVX-512 vector; GCC will not reorder a plain
// float sum into vectors without -ffast-math), then the lanes in order: deterministic.
template <class T>
GEMBA_INLINE float dot(const float* __restrict a, const T* __restrict b, int64_t d) {
  constexpr int kLanes = 16;
  float lane[kLanes] = {};
  int64_t j = 0;
  for (; j + kLanes <= d; j += kLanes)
    for (int k = 0; k < kLanes; ++k) lane[k] += a[j + k] * to_float(b[j + k]);
  float sum = 0;
  for (; j < d; ++j) sum += a[j] * to_float(b[j]);
  for (int k = 0; k < kLanes; ++k) sum += lane[k];
  return sum;
}

template <class T>
GEMBA_INLINE void forward_body(const float* __restrict x, const float* __restrict w, float eps, float* __restrict inv_rms,
                               T* __restrict y, int64_t begin, int64_t end, int64_t d) {
  for (int64_t r = begin; r < end; ++r) {
    const float* xr = x + r * d;
    const float inv = 1.0f / std::sqrt(dot(xr, xr, d) / static_cast<float>(d) + eps);
    inv_rms[r] = inv;
    T* yr = y + r * d;
    for (int64_t j = 0; j < d; ++j) yr[j] = from_float<T>(w[j] * (xr[j] * inv));
  }
}

template <class T>
GEMBA_INLINE void backward_body(const float* __restrict x, const float* __restrict w, const float* __restrict inv_rms,
                                const T* __restrict dy, float* __restrict dx, float* __restrict dw_sum, int64_t begin,
                                int64_t end, int64_t d) {
  for (int64_t r = begin; r < end; ++r) {
    const float* xr = x + r * d;
    const T* dyr = dy + r * d;
    float* dxr = dx + r * d;
    const float inv = inv_rms[r];
    // dxr holds g = w * dy first; mean(g * n) = inv * mean(g * x).
    for (int64_t j = 0; j < d; ++j) dxr[j] = w[j] * to_float(dyr[j]);
    const float mean_gn = inv * dot(dxr, xr, d) / static_cast<float>(d);
    for (int64_t j = 0; j < d; ++j) dxr[j] = inv * (dxr[j] - (xr[j] * inv) * mean_gn);
    if (dw_sum)
      for (int64_t j = 0; j < d; ++j) dw_sum[j] += to_float(dyr[j]) * (xr[j] * inv);
  }
}

}  // namespace

// The multiversioned entry points (target_clones wants plain functions, not templates).
GEMBA_CLONES void rms_norm_rows_f32(const float* x, const float* w, float eps, float* inv_rms, float* y, int64_t begin,
                                    int64_t end, int64_t d) {
  forward_body<float>(x, w, eps, inv_rms, y, begin, end, d);
}
GEMBA_CLONES void rms_norm_rows_bf16(const float* x, const float* w, float eps, float* inv_rms, uint16_t* y,
                                     int64_t begin, int64_t end, int64_t d) {
  forward_body<uint16_t>(x, w, eps, inv_rms, y, begin, end, d);
}
GEMBA_CLONES void rms_norm_backward_rows_f32(const float* x, const float* w, const float* inv_rms, const float* dy,
                                             float* dx, float* dw_sum, int64_t begin, int64_t end, int64_t d) {
  backward_body<float>(x, w, inv_rms, dy, dx, dw_sum, begin, end, d);
}
GEMBA_CLONES void rms_norm_backward_rows_bf16(const float* x, const float* w, const float* inv_rms, const uint16_t* dy,
                                              float* dx, float* dw_sum, int64_t begin, int64_t end, int64_t d) {
  backward_body<uint16_t>(x, w, inv_rms, dy, dx, dw_sum, begin, end, d);
}

}  // namespace gemba::train
