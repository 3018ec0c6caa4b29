// The CPU loops behind train/fused-adamw.h, free of libtorch (as train/rms-norm-kernel.h): one
// pass over a parameter's f32 weights, gradient and two moments instead of libtorch AdamW's
// ~10 tensor ops per parameter, each a pass of its own.
#pragma once
#include <cstdint>

namespace gemba::train {

// The per-step numbers of one AdamW update (Loshchilov & Hutter 2019, as torch.optim.AdamW):
//   g = grad * grad_scale
//   p *= decay                        decay = 1 - lr * weight_decay
//   m  = beta1 * m + (1 - beta1) * g
//   v  = beta2 * v + (1 - beta2) * g^2
//   p += neg_step_size * m / (sqrt(v) / sqrt_bias2 + eps)
//                                     neg_step_size = -lr / (1 - beta1^t), sqrt_bias2 = sqrt(1 - beta2^t)
// Each number is computed in double and rounded to f32 once, as libtorch passes its scalars.
struct AdamWStep {
  float grad_scale = 1, decay = 1, beta1 = 0.9f, one_minus_beta1 = 0.1f, beta2 = 0.999f, one_minus_beta2 = 0.001f;
  float eps = 1e-8f, neg_step_size = 0, sqrt_bias2 = 1;
};

// Elements [begin, end) of one parameter: p, m, v updated in place; grad is read only.
void adamw_update_f32(float* p, const float* grad, float* m, float* v, int64_t begin, int64_t end, const AdamWStep& s);

// sum of x[i]^2 over [begin, end), accumulated in f64 in a fixed order (the same for any split
// of a tensor into the same blocks).
double sum_of_squares_f32(const float* x, int64_t begin, int64_t end);

}  // namespace gemba::train
