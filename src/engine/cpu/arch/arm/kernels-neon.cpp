// The NEON kernel set for aarch64 (ARMv8.0 baseline; int8 block dots use vdotq_s32 when the
// CPU has the dot-product extension, chosen at run time, else vmull_s8 + vpadalq_s16).
// One weight row x one token at a time.
// Integer block dots after ggml's vec_dot_q4_0_q8_0 scheme (llama.cpp, 2023).
//
// Checked on x86 by cross-compiling the kernel tests (g++-aarch64-linux-gnu, gtest sources
// from /usr/src/googletest, -static) and running them under qemu-aarch64-static, with
// `-cpu max` (dotprod path) and `-cpu cortex-a53` (baseline path).
#if defined(__aarch64__)
#include <arm_neon.h>

#include <cstdint>
#include <cstring>

#include "core/half.h"
#include "engine/cpu/cpu-features.h"
#include "engine/cpu/kernels.h"
#include "engine/quant/block-formats.h"

namespace gemba::engine::cpu {
namespace {

using namespace quant;

struct ActView {
  const int8_t* q;
  const float* d;
  const int32_t* sum;
  ActView(const uint8_t* row, int64_t n) {
    const ActRowLayout layout{n};
    q = reinterpret_cast<const int8_t*>(row);
    d = reinterpret_cast<const float*>(row + layout.d_offset());
    sum = reinterpret_cast<const int32_t*>(row + layout.sum_offset());
  }
};

// Sum of 16 s8 x s8 products into 4 int32 lanes (baseline NEON).
inline int32x4_t dot16_base(int32x4_t acc, int8x16_t a, int8x16_t b) {
  const int16x8_t lo = vmull_s8(vget_low_s8(a), vget_low_s8(b));
  const int16x8_t hi = vmull_s8(vget_high_s8(a), vget_high_s8(b));
  return vpadalq_s16(vpadalq_s16(acc, lo), hi);
}

#pragma GCC push_options
#pragma GCC target("arch=armv8.2-a+dotprod")
inline int32x4_t dot16_dotprod(int32x4_t acc, int8x16_t a, int8x16_t b) { return vdotq_s32(acc, a, b); }
#pragma GCC pop_options

void quantize_act(const float* x, uint8_t* row, int64_t n) {
  const ActRowLayout layout{n};
  int8_t* q = reinterpret_cast<int8_t*>(row);
  float* d = reinterpret_cast<float*>(row + layout.d_offset());
  int32_t* sum = reinterpret_cast<int32_t*>(row + layout.sum_offset());
  for (int64_t b = 0; b < n / kQk; ++b) {
    const float* v = x + b * kQk;
    float32x4_t f[8];
    float32x4_t m = vdupq_n_f32(0.0f);
    for (int i = 0; i < 8; ++i) {
      f[i] = vld1q_f32(v + 4 * i);
      m = vmaxq_f32(m, vabsq_f32(f[i]));
    }
    const float amax = vmaxvq_f32(m);
    const float id = amax != 0 ? 127.0f / amax : 0.0f;
    d[b] = amax / 127.0f;
    int32x4_t s = vdupq_n_s32(0);
    for (int i = 0; i < 8; i += 2) {
      const int32x4_t a = vcvtnq_s32_f32(vmulq_n_f32(f[i], id));  // nearest, ties to even
      const int32x4_t c = vcvtnq_s32_f32(vmulq_n_f32(f[i + 1], id));
      s = vaddq_s32(s, vaddq_s32(a, c));
      const int16x8_t h = vcombine_s16(vqmovn_s32(a), vqmovn_s32(c));
      vst1_s8(q + b * kQk + 4 * i, vqmovn_s16(h));
    }
    sum[b] = vaddvq_s32(s);
  }
}

template <int Kind>  // 0 f32, 1 f16, 2 bf16
float dot_float(const uint8_t* w, const float* x, int64_t n) {
  float32x4_t a0 = vdupq_n_f32(0), a1 = vdupq_n_f32(0);
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    float32x4_t w0, w1;
    if constexpr (Kind == 0) {
      w0 = vld1q_f32(reinterpret_cast<const float*>(w) + i);
      w1 = vld1q_f32(reinterpret_cast<const float*>(w) + i + 4);
    } else if constexpr (Kind == 1) {
      const float16x8_t h = vreinterpretq_f16_u16(vld1q_u16(reinterpret_cast<const uint16_t*>(w) + i));
      w0 = vcvt_f32_f16(vget_low_f16(h));
      w1 = vcvt_high_f32_f16(h);
    } else {
      const uint16x8_t h = vld1q_u16(reinterpret_cast<const uint16_t*>(w) + i);
      w0 = vreinterpretq_f32_u32(vshll_n_u16(vget_low_u16(h), 16));
      w1 = vreinterpretq_f32_u32(vshll_n_u16(vget_high_u16(h), 16));
    }
    a0 = vfmaq_f32(a0, w0, vld1q_f32(x + i));
    a1 = vfmaq_f32(a1, w1, vld1q_f32(x + i + 4));
  }
  float s = vaddvq_f32(vaddq_f32(a0, a1));
  for (; i < n; ++i) {
    uint16_t h;
    float wf;
    if constexpr (Kind == 0) {
      std::memcpy(&wf, w + 4 * i, 4);
    } else {
      std::memcpy(&h, w + 2 * i, 2);
      wf = Kind == 1 ? f16_to_f32(h) : bf16_to_f32(h);
    }
    s += wf * x[i];
  }
  return s;
}

template <int32x4_t (*Dot)(int32x4_t, int8x16_t, int8x16_t)>
float dot_q8_0(const uint8_t* w, const ActView& x, int64_t n) {
  const auto* blk = reinterpret_cast<const BlockQ8_0*>(w);
  float32x4_t acc0 = vdupq_n_f32(0), acc1 = vdupq_n_f32(0);
  for (int64_t b = 0; b < n / kQk; ++b) {
    int32x4_t s = vdupq_n_s32(0);
    s = Dot(s, vld1q_s8(blk[b].qs), vld1q_s8(x.q + b * kQk));
    s = Dot(s, vld1q_s8(blk[b].qs + 16), vld1q_s8(x.q + b * kQk + 16));
    const float scale = f16_to_f32(blk[b].d) * x.d[b];
    if (b & 1) acc1 = vfmaq_n_f32(acc1, vcvtq_f32_s32(s), scale);
    else acc0 = vfmaq_n_f32(acc0, vcvtq_f32_s32(s), scale);
  }
  return vaddvq_f32(vaddq_f32(acc0, acc1));
}

template <int32x4_t (*Dot)(int32x4_t, int8x16_t, int8x16_t)>
float dot_q4_0(const uint8_t* w, const ActView& x, int64_t n) {
  const auto* blk = reinterpret_cast<const BlockQ4_0*>(w);
  const uint8x16_t low = vdupq_n_u8(15);
  float32x4_t acc0 = vdupq_n_f32(0), acc1 = vdupq_n_f32(0);
  for (int64_t b = 0; b < n / kQk; ++b) {
    const uint8x16_t nib = vld1q_u8(blk[b].qs);
    const int8x16_t lo = vreinterpretq_s8_u8(vandq_u8(nib, low));  // elements 0..15, in [0, 15]
    const int8x16_t hi = vreinterpretq_s8_u8(vshrq_n_u8(nib, 4));   // elements 16..31
    // sum (q - 8) x = sum q x - 8 sum x; lane 0 carries the -8 sum x.
    int32x4_t s = vsetq_lane_s32(-8 * x.sum[b], vdupq_n_s32(0), 0);
    s = Dot(s, lo, vld1q_s8(x.q + b * kQk));
    s = Dot(s, hi, vld1q_s8(x.q + b * kQk + 16));
    const float scale = f16_to_f32(blk[b].d) * x.d[b];
    if (b & 1) acc1 = vfmaq_n_f32(acc1, vcvtq_f32_s32(s), scale);
    else acc0 = vfmaq_n_f32(acc0, vcvtq_f32_s32(s), scale);
  }
  return vaddvq_f32(vaddq_f32(acc0, acc1));
}

template <int32x4_t (*Dot)(int32x4_t, int8x16_t, int8x16_t)>
float dot_q4_k(const uint8_t* w, const ActView& x, int64_t n) {
  const auto* blk = reinterpret_cast<const BlockQ4K*>(w);
  const uint8x16_t low = vdupq_n_u8(15);
  float acc = 0;
  for (int64_t b = 0; b < n / kQkK; ++b) {
    const float d = f16_to_f32(blk[b].d), dmin = f16_to_f32(blk[b].dmin);
    for (int c = 0; c < 4; ++c) {
      const uint8x16_t q0 = vld1q_u8(blk[b].qs + 32 * c), q1 = vld1q_u8(blk[b].qs + 32 * c + 16);
      const int64_t ab = b * 8 + 2 * c;  // sub-blocks 2c (low nibbles) and 2c + 1 (high)
      const int8_t* x0 = x.q + ab * kQk;
      const int8_t* x1 = x0 + kQk;
      int32x4_t s0 = Dot(vdupq_n_s32(0), vreinterpretq_s8_u8(vandq_u8(q0, low)), vld1q_s8(x0));
      s0 = Dot(s0, vreinterpretq_s8_u8(vandq_u8(q1, low)), vld1q_s8(x0 + 16));
      int32x4_t s1 = Dot(vdupq_n_s32(0), vreinterpretq_s8_u8(vshrq_n_u8(q0, 4)), vld1q_s8(x1));
      s1 = Dot(s1, vreinterpretq_s8_u8(vshrq_n_u8(q1, 4)), vld1q_s8(x1 + 16));
      uint8_t sc0, m0, sc1, m1;
      q4k_scale_min(blk[b].scales, 2 * c, &sc0, &m0);
      q4k_scale_min(blk[b].scales, 2 * c + 1, &sc1, &m1);
      acc += x.d[ab] * (d * sc0 * static_cast<float>(vaddvq_s32(s0)) - dmin * m0 * static_cast<float>(x.sum[ab]));
      acc += x.d[ab + 1] *
             (d * sc1 * static_cast<float>(vaddvq_s32(s1)) - dmin * m1 * static_cast<float>(x.sum[ab + 1]));
    }
  }
  return acc;
}

template <int32x4_t (*Dot)(int32x4_t, int8x16_t, int8x16_t)>
float dot_q6_k(const uint8_t* w, const ActView& x, int64_t n) {
  const auto* blk = reinterpret_cast<const BlockQ6K*>(w);
  const uint8x16_t low = vdupq_n_u8(15), three = vdupq_n_u8(3);
  const int8x16_t k32 = vdupq_n_s8(32);
  float acc = 0;
  for (int64_t b = 0; b < n / kQkK; ++b) {
    const float d = f16_to_f32(blk[b].d);
    for (int j = 0; j < 8; ++j) {  // group j = 4h + k of 32 values; 16-value halves have own scales
      const int h = j / 4, k = j % 4;
      const uint8_t* ql = blk[b].ql + 64 * h + (k % 2) * 32;
      const uint8_t* qh = blk[b].qh + 32 * h;
      const int8_t* xq = x.q + (b * 8 + j) * kQk;
      int32_t s[2];
      for (int half = 0; half < 2; ++half) {
        const uint8x16_t l = vld1q_u8(ql + 16 * half), hb = vld1q_u8(qh + 16 * half);
        const uint8x16_t lo4 = (k / 2) ? vshrq_n_u8(l, 4) : vandq_u8(l, low);
        uint8x16_t hi2;
        switch (k) {
          case 0: hi2 = vandq_u8(hb, three); break;
          case 1: hi2 = vandq_u8(vshrq_n_u8(hb, 2), three); break;
          case 2: hi2 = vandq_u8(vshrq_n_u8(hb, 4), three); break;
          default: hi2 = vshrq_n_u8(hb, 6); break;
        }
        const int8x16_t q = vsubq_s8(vreinterpretq_s8_u8(vorrq_u8(lo4, vshlq_n_u8(hi2, 4))), k32);  // [-32, 31]
        s[half] = vaddvq_s32(Dot(vdupq_n_s32(0), q, vld1q_s8(xq + 16 * half)));
      }
      const int32_t total = blk[b].scales[2 * j] * s[0] + blk[b].scales[2 * j + 1] * s[1];
      acc += d * x.d[b * 8 + j] * static_cast<float>(total);
    }
  }
  return acc;
}

template <int Kind>
void tile_float(const Tile& t) {
  for (int64_t i = 0; i < t.n_tokens; ++i) {
    const float* x = reinterpret_cast<const float*>(t.x + i * t.x_stride);
    for (int64_t r = 0; r < t.n_rows; ++r) t.y[i * t.ldy + r] = dot_float<Kind>(t.w + r * t.w_stride, x, t.cols);
  }
}

template <float (*Dot)(const uint8_t*, const ActView&, int64_t)>
void tile_quant(const Tile& t) {
  for (int64_t i = 0; i < t.n_tokens; ++i) {
    const ActView x(t.x + i * t.x_stride, t.cols);
    for (int64_t r = 0; r < t.n_rows; ++r) t.y[i * t.ldy + r] = Dot(t.w + r * t.w_stride, x, t.cols);
  }
}

// The dot-product tiles: compiled for armv8.2-a+dotprod and flattened, so the kernels and
// vdotq_s32 are inlined into code that is only called when the CPU has the extension.
#pragma GCC push_options
#pragma GCC target("arch=armv8.2-a+dotprod")
__attribute__((flatten)) void tile_q8_0_dotprod(const Tile& t) { tile_quant<dot_q8_0<dot16_dotprod>>(t); }
__attribute__((flatten)) void tile_q4_0_dotprod(const Tile& t) { tile_quant<dot_q4_0<dot16_dotprod>>(t); }
__attribute__((flatten)) void tile_q4_k_dotprod(const Tile& t) { tile_quant<dot_q4_k<dot16_dotprod>>(t); }
__attribute__((flatten)) void tile_q6_k_dotprod(const Tile& t) { tile_quant<dot_q6_k<dot16_dotprod>>(t); }
#pragma GCC pop_options

KernelSet make() {
  KernelSet k = scalar_kernel_set();
  k.name = "neon";
  k.quantize_act = quantize_act;
  k.tile[static_cast<int>(WeightKind::F32)] = tile_float<0>;
  k.tile[static_cast<int>(WeightKind::F16)] = tile_float<1>;
  k.tile[static_cast<int>(WeightKind::BF16)] = tile_float<2>;
  if (cpu_features().neon_dotprod) {
    k.tile[static_cast<int>(WeightKind::Q8_0)] = tile_q8_0_dotprod;
    k.tile[static_cast<int>(WeightKind::Q4_0)] = tile_q4_0_dotprod;
    k.tile[static_cast<int>(WeightKind::Q4_K)] = tile_q4_k_dotprod;
    k.tile[static_cast<int>(WeightKind::Q6_K)] = tile_q6_k_dotprod;
  } else {
    k.tile[static_cast<int>(WeightKind::Q8_0)] = tile_quant<dot_q8_0<dot16_base>>;
    k.tile[static_cast<int>(WeightKind::Q4_0)] = tile_quant<dot_q4_0<dot16_base>>;
    k.tile[static_cast<int>(WeightKind::Q4_K)] = tile_quant<dot_q4_k<dot16_base>>;
    k.tile[static_cast<int>(WeightKind::Q6_K)] = tile_quant<dot_q6_k<dot16_base>>;
  }
  return k;
}

}  // namespace

const KernelSet& neon_kernel_set() {
  static const KernelSet set = make();
  return set;
}

}  // namespace gemba::engine::cpu
#endif  // __aarch64__
