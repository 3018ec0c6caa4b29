// Scalar reference quantizers and dequantizers for the block formats in block-formats.h.
// Q8_0 and Q4_0 quantize exactly as llama.cpp's reference code does (same scale rule, same
// rounding), so gemba's files equal llama.cpp's bit for bit. Q4_K and Q6_K use a simpler
// (non-iterative) scale search than llama.cpp: the files are format-compatible and load in
// llama.cpp, but their bytes differ and their error is somewhat larger.
#pragma once
#include <cstddef>
#include <cstdint>

#include "engine/quant/block-formats.h"

namespace gemba::engine::quant {

// n must be a multiple of the block size (32 or 256) for every function below.
void quantize_row_q8_0(const float* x, BlockQ8_0* y, int64_t n);  // d = amax / 127
void quantize_row_q4_0(const float* x, BlockQ4_0* y, int64_t n);  // d = max / -8 (signed max)
void quantize_row_q4_k(const float* x, BlockQ4K* y, int64_t n);
void quantize_row_q6_k(const float* x, BlockQ6K* y, int64_t n);

void dequantize_row_q8_0(const BlockQ8_0* x, float* y, int64_t n);
void dequantize_row_q4_0(const BlockQ4_0* x, float* y, int64_t n);
void dequantize_row_q4_k(const BlockQ4K* x, float* y, int64_t n);
void dequantize_row_q6_k(const BlockQ6K* x, float* y, int64_t n);

// Activations → ActRowLayout (q int8, per-32 f32 scale d = amax/127, per-32 sum of q).
// Rounding is to nearest, ties to even (what SIMD cvtps does), so SIMD quantizers can match
// this one exactly.
void quantize_activations(const float* x, uint8_t* row, int64_t n);

}  // namespace gemba::engine::quant
