// The engine's one hot operation: activations (f32) times a weight matrix stored in any
// supported GGUF type. Prefill passes many tokens (matrix x matrix), decode passes one
// (matrix x vector). Quantized weights are multiplied with activations quantized to 8 bits
// using integer dot products. Every variant has a scalar reference; SIMD variants are chosen
// at run time (cpu-features.h).
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "core/thread-pool.h"
#include "format/gguf.h"

namespace gemba::engine {

using format::GgmlType;

// A row-major weight matrix W[rows, cols] (rows = output features, cols = input features),
// as stored in GGUF: each row is ggml_row_bytes(type, cols) bytes.
struct WeightMatrix {
  GgmlType type = GgmlType::F32;
  const uint8_t* data = nullptr;
  int64_t rows = 0;
  int64_t cols = 0;
  size_t row_bytes = 0;
};

// y[t, r] = sum_c W[r, c] * x[t, c]
//   x: [n_tokens, cols] f32 (row stride cols), y: [n_tokens, rows] f32 (row stride rows).
// Work is split over the pool's threads by output rows.
void matmul(const WeightMatrix& w, const float* x, int64_t n_tokens, float* y, ThreadPool& pool);

// The same for f32/f16/bf16 weights with explicit strides, on the calling thread (callers that
// already split their work, as attention does by head): x row t at x + t * x_stride,
// y[t * ldy + r]. Attention runs Q K^T and P V with it straight from the f16 KV cache.
void matmul_float_strided(const WeightMatrix& w, const float* x, int64_t x_stride, int64_t n_tokens, float* y,
                          int64_t ldy);

// The same with the scalar reference kernels only (tests compare SIMD against this).
void matmul_reference(const WeightMatrix& w, const float* x, int64_t n_tokens, float* y);

// One row of n values to/from a weight type (n a multiple of the block size).
void dequantize_row(GgmlType type, const uint8_t* src, float* dst, int64_t n);
void quantize_row(GgmlType type, const float* src, uint8_t* dst, int64_t n);

// True if matmul supports this weight type; the loader reports others by name.
bool matmul_supports(GgmlType type);

// Which kernel set runs on this CPU: "avx512-vnni", "avx2", "neon", "scalar".
// Chosen once, at first use, as the best set this CPU runs; the environment variable
// GEMBA_KERNELS=scalar|avx2|avx512|neon overrides it (an unavailable name is ignored).
const char* active_kernel_set();

// Kernel sets this binary has and this CPU runs, best first ("scalar" always last).
std::vector<std::string> available_kernel_sets();
// Makes matmul() use the named set from now on; gemba::Error if it is not available.
void select_kernel_set(const std::string& name);
// matmul() with an explicitly named kernel set (tests and benches compare sets with this).
void matmul_with_kernels(const std::string& kernel_set, const WeightMatrix& w, const float* x,
                         int64_t n_tokens, float* y, ThreadPool& pool);

}  // namespace gemba::engine
