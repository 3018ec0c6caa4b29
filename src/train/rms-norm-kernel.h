// The CPU loops behind train/fused-rms-norm.h, free of libtorch so that this file builds with
// -O3 and without the trainer's precompiled header (as train/rope-kernel.h). x and the weight
// are f32; the output is f32 or bf16 (raw uint16_t bits), rounded once.
#pragma once
#include <cstdint>

namespace gemba::train {

// Rows [begin, end) of x [N, d]:
//   inv_rms[r] = 1 / sqrt(mean_j x[r, j]^2 + eps),  y[r, j] = w[j] * (x[r, j] * inv_rms[r]).
void rms_norm_rows_f32(const float* x, const float* w, float eps, float* inv_rms, float* y, int64_t begin, int64_t end,
                       int64_t d);
void rms_norm_rows_bf16(const float* x, const float* w, float eps, float* inv_rms, uint16_t* y, int64_t begin,
                        int64_t end, int64_t d);

// The backward of the rows above, for dy (y's gradient, f32 or bf16):
//   n = x * inv_rms,  g = w * dy,  dx = inv_rms * (g - n * mean_j(g * n))   (f32, into dx)
//   dw_sum[j] += sum over the rows of dy[r, j] * n[r, j]                     (dw_sum may be null)
void rms_norm_backward_rows_f32(const float* x, const float* w, const float* inv_rms, const float* dy, float* dx,
                                float* dw_sum, int64_t begin, int64_t end, int64_t d);
void rms_norm_backward_rows_bf16(const float* x, const float* w, const float* inv_rms, const uint16_t* dy, float* dx,
                                 float* dw_sum, int64_t begin, int64_t end, int64_t d);

}  // namespace gemba::train
