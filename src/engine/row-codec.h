// One row of a weight tensor between f32 and any storage type gemba reads or writes
// (F32, F16, BF16 directly; Q8_0 / Q4_0 through the kernel library's quantize_row).
#pragma once
#include <cstdint>

#include "format/gguf.h"

namespace gemba::engine {

// dst (ggml_row_bytes(type, n) bytes) = src [n] stored as `type`.
void encode_row(format::GgmlType type, const float* src, uint8_t* dst, int64_t n);
// dst [n] = the row stored as `type` at src, in f32.
void decode_row(format::GgmlType type, const uint8_t* src, float* dst, int64_t n);

}  // namespace gemba::engine
