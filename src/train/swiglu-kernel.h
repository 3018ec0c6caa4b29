// The CPU loops behind train/fused-swiglu.h, free of libtorch so that this file builds with -O3
// and without the trainer's precompiled header (as train/rope-kernel.h). f32 math on f32 or
// bf16 storage (bf16 as its raw uint16_t bits), rounded once per output.
#pragma once
#include <cstdint>

namespace gemba::train {

// Elements [begin, end): h = silu(g) * u = g * sigmoid(g) * u.
void swiglu_f32(const float* g, const float* u, float* h, int64_t begin, int64_t end);
void swiglu_bf16(const uint16_t* g, const uint16_t* u, uint16_t* h, int64_t begin, int64_t end);

// The backward, for dh (h's gradient), with s = sigmoid(g):
//   dg = dh * u * s * (1 + g * (1 - s)),  du = dh * g * s.
void swiglu_backward_f32(const float* g, const float* u, const float* dh, float* dg, float* du, int64_t begin,
                         int64_t end);
void swiglu_backward_bf16(const uint16_t* g, const uint16_t* u, const uint16_t* dh, uint16_t* dg, uint16_t* du,
                          int64_t begin, int64_t end);

// train/vector-math.h's exp (a polynomial within 2 ulp of expf that vectorizes), as a plain
// function for its test.
float vectorizable_exp(float x);

}  // namespace gemba::train
