// IEEE fp16 and bfloat16 <-> fp32 conversions (scalar; round to nearest even).
#pragma once
#include <cstdint>
#include <cstring>

namespace gemba {

inline float bits_to_float(uint32_t u) { float f; std::memcpy(&f, &u, 4); return f; }
inline uint32_t float_to_bits(float f) { uint32_t u; std::memcpy(&u, &f, 4); return u; }

inline float bf16_to_f32(uint16_t h) { return bits_to_float(static_cast<uint32_t>(h) << 16); }

inline uint16_t f32_to_bf16(float f) {
  uint32_t u = float_to_bits(f);
  if ((u & 0x7fffffffu) > 0x7f800000u) return static_cast<uint16_t>((u >> 16) | 0x40);  // quiet NaN
  u += 0x7fffu + ((u >> 16) & 1u);  // round to nearest even
  return static_cast<uint16_t>(u >> 16);
}

inline float f16_to_f32(uint16_t h) {
  // Exponent re-bias trick: exact for normals, subnormals, inf and NaN.
  const uint32_t sign = static_cast<uint32_t>(h & 0x8000u) << 16;
  const uint32_t exp_mant = static_cast<uint32_t>(h & 0x7fffu) << 13;
  const float magic = bits_to_float(113u << 23);  // 2^-14 scale fix for subnormals
  uint32_t bits;
  if ((h & 0x7c00u) == 0x7c00u) {
    bits = sign | 0x7f800000u | exp_mant;  // inf / NaN
  } else if ((h & 0x7c00u) == 0) {
    float f = bits_to_float(exp_mant + (113u << 23)) - magic;  // subnormal
    bits = sign | float_to_bits(f);
  } else {
    bits = sign | (exp_mant + ((127u - 15u) << 23));
  }
  return bits_to_float(bits);
}

inline uint16_t f32_to_f16(float f) {
  uint32_t u = float_to_bits(f);
  const uint32_t sign = (u >> 16) & 0x8000u;
  u &= 0x7fffffffu;
  if (u > 0x7f800000u) return static_cast<uint16_t>(sign | 0x7e00u);  // NaN
  if (u >= 0x477ff000u) return static_cast<uint16_t>(sign | 0x7c00u);  // overflow -> inf
  if (u < 0x38800000u) {
    // Subnormal or zero: add 0.5 so the FPU rounds the mantissa for us.
    float r = bits_to_float(u) + 0.5f;
    return static_cast<uint16_t>(sign | (float_to_bits(r) - float_to_bits(0.5f)));
  }
  uint32_t mant_odd = (u >> 13) & 1u;
  u += 0xc8000fffu + mant_odd;  // re-bias exponent (-112 << 23) and round to nearest even
  return static_cast<uint16_t>(sign | (u >> 13));
}

}  // namespace gemba
