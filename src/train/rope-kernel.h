// The CPU loop behind train/fused-rope.h, free of libtorch so that this file builds with -O3
// and without the trainer's precompiled header. f32 math on f32 or bf16 storage (bf16 as its
// raw uint16_t bits), rounded once per output.
#pragma once
#include <cstdint>

namespace gemba::train {

// RoPE on rows [begin, end) of x [B, T, H, hd] seen as [B*T*H, hd] (row r at position
// (r / n_heads) % seq_len); cos, sin [seq_len, hd] f32. backward: x holds the output's gradient
// and y receives the input's.
void rope_rows_f32(bool backward, const float* x, const float* cos, const float* sin, float* y, int64_t begin, int64_t end,
                   int64_t n_heads, int64_t seq_len, int64_t hd);
void rope_rows_bf16(bool backward, const uint16_t* x, const float* cos, const float* sin, uint16_t* y, int64_t begin,
                    int64_t end, int64_t n_heads, int64_t seq_len, int64_t hd);

}  // namespace gemba::train
