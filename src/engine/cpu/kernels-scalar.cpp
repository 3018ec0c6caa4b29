// Scalar reference kernels: the definition every SIMD set is tested against. Quantized
// weights are multiplied with 8-bit activations using exact integer block dot products,
// then scaled in f32 (the scheme of ggml's vec_dot_q*_q8 kernels, llama.cpp 2023).
#include <cstring>

#include "core/half.h"
#include "engine/cpu/kernels.h"
#include "engine/quant/block-formats.h"
#include "engine/quant/quantize.h"

namespace gemba::engine::cpu {
namespace {

using namespace quant;

struct Act {  // a view of one quantized activation row
  const int8_t* q;
  const float* d;
  const int32_t* sum;
  explicit Act(const uint8_t* row, int64_t n) {
    const ActRowLayout layout{n};
    q = reinterpret_cast<const int8_t*>(row);
    d = reinterpret_cast<const float*>(row + layout.d_offset());
    sum = reinterpret_cast<const int32_t*>(row + layout.sum_offset());
  }
};

float dot_f32(const uint8_t* w, const uint8_t* x, int64_t n) {
  const float* a = reinterpret_cast<const float*>(w);
  const float* b = reinterpret_cast<const float*>(x);
  double acc = 0;  // double: the reference should be the accurate one
  for (int64_t i = 0; i < n; ++i) acc += static_cast<double>(a[i]) * b[i];
  return static_cast<float>(acc);
}

float dot_f16(const uint8_t* w, const uint8_t* x, int64_t n) {
  const float* b = reinterpret_cast<const float*>(x);
  double acc = 0;  // double: the reference should be the accurate one
  for (int64_t i = 0; i < n; ++i) {
    uint16_t h;
    std::memcpy(&h, w + 2 * i, 2);
    acc += static_cast<double>(f16_to_f32(h)) * b[i];
  }
  return static_cast<float>(acc);
}

float dot_bf16(const uint8_t* w, const uint8_t* x, int64_t n) {
  const float* b = reinterpret_cast<const float*>(x);
  double acc = 0;  // double: the reference should be the accurate one
  for (int64_t i = 0; i < n; ++i) {
    uint16_t h;
    std::memcpy(&h, w + 2 * i, 2);
    acc += static_cast<double>(bf16_to_f32(h)) * b[i];
  }
  return static_cast<float>(acc);
}

float dot_q8_0(const uint8_t* w, const uint8_t* x, int64_t n) {
  const auto* blocks = reinterpret_cast<const BlockQ8_0*>(w);
  const Act a(x, n);
  double acc = 0;  // double: the reference should be the accurate one
  for (int64_t b = 0; b < n / kQk; ++b) {
    int32_t s = 0;
    for (int i = 0; i < kQk; ++i) s += blocks[b].qs[i] * a.q[b * kQk + i];
    acc += static_cast<float>(s) * (f16_to_f32(blocks[b].d) * a.d[b]);
  }
  return static_cast<float>(acc);
}

float dot_q4_0(const uint8_t* w, const uint8_t* x, int64_t n) {
  const auto* blocks = reinterpret_cast<const BlockQ4_0*>(w);
  const Act a(x, n);
  double acc = 0;  // double: the reference should be the accurate one
  for (int64_t b = 0; b < n / kQk; ++b) {
    const int8_t* q = a.q + b * kQk;
    int32_t s = 0;
    for (int i = 0; i < kQk / 2; ++i) s += (blocks[b].qs[i] & 15) * q[i] + (blocks[b].qs[i] >> 4) * q[i + kQk / 2];
    s -= 8 * a.sum[b];
    acc += static_cast<float>(s) * (f16_to_f32(blocks[b].d) * a.d[b]);
  }
  return static_cast<float>(acc);
}

float dot_q4_k(const uint8_t* w, const uint8_t* x, int64_t n) {
  const auto* blocks = reinterpret_cast<const BlockQ4K*>(w);
  const Act a(x, n);
  double acc = 0;  // double: the reference should be the accurate one
  for (int64_t b = 0; b < n / kQkK; ++b) {
    const float d = f16_to_f32(blocks[b].d), dmin = f16_to_f32(blocks[b].dmin);
    for (int j = 0; j < 8; ++j) {
      const int64_t ab = b * 8 + j;  // activation block of this sub-block
      const int8_t* q = a.q + ab * kQk;
      const uint8_t* nib = blocks[b].qs + 32 * (j / 2);
      const int shift = (j % 2) * 4;
      int32_t s = 0;
      for (int l = 0; l < 32; ++l) s += ((nib[l] >> shift) & 15) * q[l];
      uint8_t sc, m;
      q4k_scale_min(blocks[b].scales, j, &sc, &m);
      acc += a.d[ab] * (d * static_cast<float>(sc * s) - dmin * static_cast<float>(m * a.sum[ab]));
    }
  }
  return static_cast<float>(acc);
}

float dot_q6_k(const uint8_t* w, const uint8_t* x, int64_t n) {
  const auto* blocks = reinterpret_cast<const BlockQ6K*>(w);
  const Act a(x, n);
  double acc = 0;  // double: the reference should be the accurate one
  for (int64_t b = 0; b < n / kQkK; ++b) {
    const float d = f16_to_f32(blocks[b].d);
    for (int j = 0; j < 8; ++j) {  // 32-value groups: j = 4h + k, k selects the bit field
      const int h = j / 4, k = j % 4;
      const uint8_t* ql = blocks[b].ql + 64 * h + (k % 2) * 32;
      const uint8_t* qh = blocks[b].qh + 32 * h;
      const int lshift = (k / 2) * 4, hshift = 2 * k;
      const int64_t ab = b * 8 + j;
      const int8_t* q = a.q + ab * kQk;
      int32_t s0 = 0, s1 = 0;
      for (int l = 0; l < 32; ++l) {
        const int v = (((ql[l] >> lshift) & 15) | (((qh[l] >> hshift) & 3) << 4)) - 32;
        (l < 16 ? s0 : s1) += v * q[l];
      }
      const int32_t s = blocks[b].scales[2 * j] * s0 + blocks[b].scales[2 * j + 1] * s1;
      acc += d * a.d[ab] * static_cast<float>(s);
    }
  }
  return static_cast<float>(acc);
}

template <float (*Dot)(const uint8_t*, const uint8_t*, int64_t)>
void tile(const Tile& t) {
  for (int64_t i = 0; i < t.n_tokens; ++i)
    for (int64_t r = 0; r < t.n_rows; ++r)
      t.y[i * t.ldy + r] = Dot(t.w + r * t.w_stride, t.x + i * t.x_stride, t.cols);
}

KernelSet make() {
  KernelSet k;
  k.name = "scalar";
  k.quantize_act = quant::quantize_activations;
  k.tile[static_cast<int>(WeightKind::F32)] = tile<dot_f32>;
  k.tile[static_cast<int>(WeightKind::F16)] = tile<dot_f16>;
  k.tile[static_cast<int>(WeightKind::BF16)] = tile<dot_bf16>;
  k.tile[static_cast<int>(WeightKind::Q8_0)] = tile<dot_q8_0>;
  k.tile[static_cast<int>(WeightKind::Q4_0)] = tile<dot_q4_0>;
  k.tile[static_cast<int>(WeightKind::Q4_K)] = tile<dot_q4_k>;
  k.tile[static_cast<int>(WeightKind::Q6_K)] = tile<dot_q6_k>;
  return k;
}

}  // namespace

const KernelSet& scalar_kernel_set() {
  static const KernelSet set = make();
  return set;
}

}  // namespace gemba::engine::cpu
