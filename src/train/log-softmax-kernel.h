// The CPU loops behind train/fused-token-log-probs.h, free of libtorch (as
// train/rms-norm-kernel.h): one row of logits [V] at a time, f32 math on f32 or bf16 storage
// (bf16 as raw uint16_t bits).
#pragma once
#include <cstdint>

namespace gemba::train {

// log softmax(x)[label] of one row x [V]; *lse = log sum_j exp(x[j]) (for the backward).
float row_log_prob_f32(const float* x, int64_t v, int64_t label, float* lse);
float row_log_prob_bf16(const uint16_t* x, int64_t v, int64_t label, float* lse);

// The row's gradient of g * log softmax(x)[label]: dx[j] = g * ([j == label] - exp(x[j] - lse)).
void row_log_prob_backward_f32(const float* x, int64_t v, int64_t label, float lse, float g, float* dx);
void row_log_prob_backward_bf16(const uint16_t* x, int64_t v, int64_t label, float lse, float g, uint16_t* dx);

}  // namespace gemba::train
