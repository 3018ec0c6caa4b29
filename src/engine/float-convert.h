// Rows of plain float types (f32, IEEE f16, bfloat16) to and from f32. Used for norm
// vectors, the f16 KV cache and the HF -> GGUF converter; F16C / NEON when compiled in.
#pragma once
#include <cstdint>
#include <string>

namespace gemba::engine {

void f16_to_f32_row(const uint16_t* src, float* dst, int64_t n);
void f32_to_f16_row(const float* src, uint16_t* dst, int64_t n);
void bf16_to_f32_row(const uint16_t* src, float* dst, int64_t n);
void f32_to_bf16_row(const float* src, uint16_t* dst, int64_t n);

// A plain float storage kind, shared by GGUF (F32/F16/BF16) and safetensors.
enum class FloatKind { kF32, kF16, kBF16 };

// dst[0..n) = src values of `kind` converted to f32.
void float_row_to_f32(FloatKind kind, const void* src, float* dst, int64_t n);

}  // namespace gemba::engine
