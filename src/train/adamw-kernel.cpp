#include "train/adamw-kernel.h"

#include <cmath>

#include "train/bf16-bits.h"  // GEMBA_CLONES

namespace gemba::train {

// libtorch's AdamW ops on one element, in its order and with its operand order. The compiler may
// fuse a multiply and an add into one FMA, so results agree with libtorch's to rounding, not bit
// for bit.
GEMBA_CLONES void adamw_update_f32(float* __restrict p, const float* __restrict grad, float* __restrict m,
                                   float* __restrict v, int64_t begin, int64_t end, const AdamWStep& s) {
  const float scale = s.grad_scale, decay = s.decay, b1 = s.beta1, b2 = s.beta2, eps = s.eps;
  const float one_minus_b1 = s.one_minus_beta1, one_minus_b2 = s.one_minus_beta2;
  const float neg_step = s.neg_step_size, sqrt_bias2 = s.sqrt_bias2;
  for (int64_t i = begin; i < end; ++i) {
    const float g = grad[i] * scale;
    const float mi = m[i] * b1 + g * one_minus_b1;
    const float vi = v[i] * b2 + one_minus_b2 * g * g;
    m[i] = mi;
    v[i] = vi;
    const float denom = std::sqrt(vi) / sqrt_bias2 + eps;
    p[i] = p[i] * decay + neg_step * mi / denom;
  }
}

GEMBA_CLONES double sum_of_squares_f32(const float* __restrict x, int64_t begin, int64_t end) {
  // 8 independent f64 lanes so that the loop vectorizes without reassociating a single sum.
  constexpr int kLanes = 8;
  double lane[kLanes] = {};
  int64_t i = begin;
  for (; i + kLanes <= end; i += kLanes)
    for (int k = 0; k < kLanes; ++k) {
      const double xi = x[i + k];
      lane[k] += xi * xi;
    }
  double sum = 0;
  for (; i < end; ++i) sum += static_cast<double>(x[i]) * x[i];
  for (int k = 0; k < kLanes; ++k) sum += lane[k];
  return sum;
}

}  // namespace gemba::train
