#include "engine/row-codec.h"

#include <cstring>

#include "engine/cpu/matmul.h"
#include "engine/float-convert.h"

namespace gemba::engine {

void encode_row(format::GgmlType type, const float* src, uint8_t* dst, int64_t n) {
  switch (type) {
    case GgmlType::F32: std::memcpy(dst, src, static_cast<size_t>(n) * 4); return;
    case GgmlType::F16: f32_to_f16_row(src, reinterpret_cast<uint16_t*>(dst), n); return;
    case GgmlType::BF16: f32_to_bf16_row(src, reinterpret_cast<uint16_t*>(dst), n); return;
    default: quantize_row(type, src, dst, n); return;
  }
}

void decode_row(format::GgmlType type, const uint8_t* src, float* dst, int64_t n) {
  switch (type) {
    case GgmlType::F32: std::memcpy(dst, src, static_cast<size_t>(n) * 4); return;
    case GgmlType::F16: f16_to_f32_row(reinterpret_cast<const uint16_t*>(src), dst, n); return;
    case GgmlType::BF16: bf16_to_f32_row(reinterpret_cast<const uint16_t*>(src), dst, n); return;
    default: dequantize_row(type, src, dst, n); return;
  }
}

}  // namespace gemba::engine
