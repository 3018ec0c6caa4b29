// Block layouts (hand-built blocks → expected floats), llama.cpp-compatible quantization of
// known inputs, and quantize → dequantize error bounds for every weight type.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>
#include <vector>

#include "core/error.h"
#include "core/half.h"
#include "engine/cpu/matmul.h"
#include "engine/quant/block-formats.h"
#include "engine/quant/quantize.h"

namespace gemba::engine {
namespace {

using namespace quant;

TEST(QuantLayout, Q8_0KnownBlock) {
  BlockQ8_0 b;
  b.d = f32_to_f16(0.5f);
  for (int i = 0; i < 32; ++i) b.qs[i] = static_cast<int8_t>(i * 7 - 100);
  std::vector<float> y(32);
  dequantize_row(GgmlType::Q8_0, reinterpret_cast<const uint8_t*>(&b), y.data(), 32);
  for (int i = 0; i < 32; ++i) EXPECT_FLOAT_EQ(y[i], (i * 7 - 100) * 0.5f) << i;
}

TEST(QuantLayout, Q4_0KnownBlock) {
  BlockQ4_0 b;
  b.d = f32_to_f16(2.0f);
  for (int i = 0; i < 16; ++i) b.qs[i] = static_cast<uint8_t>(i | ((15 - i) << 4));
  std::vector<float> y(32);
  dequantize_row(GgmlType::Q4_0, reinterpret_cast<const uint8_t*>(&b), y.data(), 32);
  for (int i = 0; i < 16; ++i) {
    EXPECT_FLOAT_EQ(y[i], (i - 8) * 2.0f) << i;               // low nibbles: elements 0..15
    EXPECT_FLOAT_EQ(y[16 + i], (15 - i - 8) * 2.0f) << i;     // high nibbles: 16..31
  }
}

TEST(QuantLayout, Q4_KKnownBlock) {
  const int sc[8] = {1, 2, 3, 4, 17, 33, 50, 63};
  const int mn[8] = {0, 1, 2, 3, 20, 40, 60, 63};
  BlockQ4K b;
  b.d = f32_to_f16(1.0f);
  b.dmin = f32_to_f16(0.5f);
  // The 12 scale bytes, packed by the GGUF rule (6 bits each; the high 2 bits of
  // sub-blocks 4..7 live in the top bits of bytes 0..7).
  for (int j = 0; j < 4; ++j) {
    b.scales[j] = static_cast<uint8_t>(sc[j] | ((sc[j + 4] >> 4) << 6));
    b.scales[j + 4] = static_cast<uint8_t>(mn[j] | ((mn[j + 4] >> 4) << 6));
    b.scales[j + 8] = static_cast<uint8_t>((sc[j + 4] & 15) | ((mn[j + 4] & 15) << 4));
  }
  for (int i = 0; i < 128; ++i) b.qs[i] = static_cast<uint8_t>((i % 16) | ((15 - (i * 3) % 16) << 4));
  std::vector<float> y(256);
  dequantize_row(GgmlType::Q4_K, reinterpret_cast<const uint8_t*>(&b), y.data(), 256);
  for (int e = 0; e < 256; ++e) {
    const int c = e / 64, l = e % 32, j = e / 32;
    const uint8_t byte = b.qs[32 * c + l];
    const int q = (e % 64) < 32 ? (byte & 15) : (byte >> 4);
    EXPECT_FLOAT_EQ(y[e], 1.0f * sc[j] * q - 0.5f * mn[j]) << e;
  }
  // Spot values written out by hand: element 0 = 1*1*0 - 0.5*0, element 255 = sub-block 7,
  // byte qs[127] high nibble = 15 - (381 % 16) = 2 → 63*2 - 0.5*63.
  EXPECT_FLOAT_EQ(y[0], 0.0f);
  EXPECT_FLOAT_EQ(y[255], 63.0f * 2 - 31.5f);
}

TEST(QuantLayout, Q6_KKnownBlock) {
  BlockQ6K b;
  b.d = f32_to_f16(0.25f);
  for (int k = 0; k < 16; ++k) b.scales[k] = static_cast<int8_t>(k - 8);
  std::vector<int> q(256);
  for (int e = 0; e < 256; ++e) q[e] = (e * 5) % 64;
  std::memset(b.ql, 0, sizeof(b.ql));
  std::memset(b.qh, 0, sizeof(b.qh));
  for (int e = 0; e < 256; ++e) {  // the GGUF rule, element by element
    const int h = e / 128, r = e % 128, part = r / 32, l = r % 32;
    const int ql_index = 64 * h + l + (part % 2) * 32;
    b.ql[ql_index] |= static_cast<uint8_t>((q[e] & 15) << ((part / 2) * 4));
    b.qh[32 * h + l] |= static_cast<uint8_t>((q[e] >> 4) << (2 * part));
  }
  std::vector<float> y(256);
  dequantize_row(GgmlType::Q6_K, reinterpret_cast<const uint8_t*>(&b), y.data(), 256);
  for (int e = 0; e < 256; ++e) EXPECT_FLOAT_EQ(y[e], 0.25f * (e / 16 - 8) * (q[e] - 32)) << e;
}

TEST(QuantLayout, Q8_0QuantizesLikeLlamaCpp) {
  std::vector<float> x(32);
  for (int i = 0; i < 32; ++i) x[i] = static_cast<float>(i - 16);
  BlockQ8_0 b;
  quantize_row(GgmlType::Q8_0, x.data(), reinterpret_cast<uint8_t*>(&b), 32);
  EXPECT_EQ(b.d, f32_to_f16(16.0f / 127.0f));  // d = amax / 127
  const float id = 1.0f / (16.0f / 127.0f);
  for (int i = 0; i < 32; ++i) EXPECT_EQ(b.qs[i], static_cast<int8_t>(std::round(x[i] * id))) << i;
  EXPECT_EQ(b.qs[0], -127);
}

TEST(QuantLayout, Q4_0QuantizesLikeLlamaCpp) {
  std::vector<float> x(32);
  for (int i = 0; i < 32; ++i) x[i] = static_cast<float>(i - 16);  // max magnitude: -16
  BlockQ4_0 b;
  quantize_row(GgmlType::Q4_0, x.data(), reinterpret_cast<uint8_t*>(&b), 32);
  EXPECT_EQ(f16_to_f32(b.d), 2.0f);  // d = max / -8 = -16 / -8
  // q = min(15, (int8)(x / d + 8.5)): x = -16 → 0, x = -1 → 8, x = 15 → 15 (clipped from 16)
  EXPECT_EQ(b.qs[0] & 15, 0);
  EXPECT_EQ(b.qs[15] & 15, 8);
  EXPECT_EQ(b.qs[15] >> 4, 15);
  EXPECT_EQ(b.qs[0] >> 4, 8);  // x = 0 → 8
}

std::vector<float> gaussian(size_t n, uint32_t seed, float scale = 1.0f) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> dist(0.0f, scale);
  std::vector<float> v(n);
  for (auto& x : v) x = dist(rng);
  return v;
}

size_t row_bytes(GgmlType t, int64_t n) {
  switch (t) {
    case GgmlType::F32: return n * 4;
    case GgmlType::F16: case GgmlType::BF16: return n * 2;
    case GgmlType::Q8_0: return n / 32 * 34;
    case GgmlType::Q4_0: return n / 32 * 18;
    case GgmlType::Q4_K: return n / 256 * 144;
    case GgmlType::Q6_K: return n / 256 * 210;
    default: return 0;
  }
}

struct RoundTrip {
  double rel_rms;   // rms error / rms value
  double max_rel;   // max |error| / block amax
};

RoundTrip round_trip(GgmlType t, const std::vector<float>& x, int block) {
  const int64_t n = static_cast<int64_t>(x.size());
  std::vector<uint8_t> q(row_bytes(t, n));
  std::vector<float> y(n);
  quantize_row(t, x.data(), q.data(), n);
  dequantize_row(t, q.data(), y.data(), n);
  double se = 0, sv = 0, max_rel = 0;
  for (int64_t b = 0; b < n / block; ++b) {
    float amax = 0;
    for (int i = 0; i < block; ++i) amax = std::max(amax, std::fabs(x[b * block + i]));
    for (int i = 0; i < block; ++i) {
      const double e = std::fabs(static_cast<double>(x[b * block + i]) - y[b * block + i]);
      se += e * e;
      sv += static_cast<double>(x[b * block + i]) * x[b * block + i];
      if (amax > 0) max_rel = std::max(max_rel, e / amax);
    }
  }
  return {std::sqrt(se / sv), max_rel};
}

TEST(QuantRoundTrip, ErrorBoundsPerType) {
  const auto x = gaussian(4096, 7);
  // Q8_0: |error| <= d/2 (+ fp16 rounding of d) with d = amax/127.
  const auto q8 = round_trip(GgmlType::Q8_0, x, 32);
  EXPECT_LE(q8.max_rel, 0.5 / 127 + 1e-3);
  EXPECT_LT(q8.rel_rms, 0.01);
  // Q4_0: |error| <= d = amax/8 (the +max end is clipped from 8d to 7d), typically d/2.
  const auto q4 = round_trip(GgmlType::Q4_0, x, 32);
  EXPECT_LE(q4.max_rel, 1.0 / 8 + 1e-3);
  EXPECT_LT(q4.rel_rms, 0.12);
  // K-quants: affine / symmetric fits with 6-/8-bit sub-block scales.
  const auto q4k = round_trip(GgmlType::Q4_K, x, 256);
  EXPECT_LT(q4k.rel_rms, 0.12);
  EXPECT_LE(q4k.max_rel, 0.15);
  const auto q6k = round_trip(GgmlType::Q6_K, x, 256);
  EXPECT_LT(q6k.rel_rms, 0.04);
  EXPECT_LE(q6k.max_rel, 0.05);
  // Plain types.
  const auto f16 = round_trip(GgmlType::F16, x, 32);
  EXPECT_LE(f16.max_rel, 1.0 / 1024);
  const auto bf16 = round_trip(GgmlType::BF16, x, 32);
  EXPECT_LE(bf16.max_rel, 1.0 / 128);
  const auto f32 = round_trip(GgmlType::F32, x, 32);
  EXPECT_EQ(f32.max_rel, 0.0);
  std::printf("rel rms: q8_0 %.4f q4_0 %.4f q4_k %.4f q6_k %.4f\n", q8.rel_rms, q4.rel_rms, q4k.rel_rms, q6k.rel_rms);
}

TEST(QuantRoundTrip, ZerosAndConstantsSurvive) {
  for (GgmlType t : {GgmlType::Q8_0, GgmlType::Q4_0, GgmlType::Q4_K, GgmlType::Q6_K}) {
    std::vector<float> zero(256, 0.0f), y(256, 1.0f);
    std::vector<uint8_t> q(row_bytes(t, 256));
    quantize_row(t, zero.data(), q.data(), 256);
    dequantize_row(t, q.data(), y.data(), 256);
    for (float v : y) EXPECT_EQ(v, 0.0f) << static_cast<int>(t);
  }
}

TEST(QuantRoundTrip, BadLengthIsAnError) {
  std::vector<float> x(48);
  std::vector<uint8_t> q(1024);
  EXPECT_THROW(quantize_row(GgmlType::Q8_0, x.data(), q.data(), 48), Error);
  EXPECT_THROW(dequantize_row(GgmlType::Q4_K, q.data(), x.data(), 48), Error);
  EXPECT_THROW(quantize_row(GgmlType::Q5_0, x.data(), q.data(), 32), Error);
}

TEST(QuantActivations, BlockScaleSumAndBound) {
  const auto x = gaussian(256, 3, 4.0f);
  const ActRowLayout layout{256};
  std::vector<uint8_t> row(layout.row_bytes());
  quantize_activations(x.data(), row.data(), 256);
  const auto* q = reinterpret_cast<const int8_t*>(row.data());
  const auto* d = reinterpret_cast<const float*>(row.data() + layout.d_offset());
  const auto* s = reinterpret_cast<const int32_t*>(row.data() + layout.sum_offset());
  for (int b = 0; b < 8; ++b) {
    float amax = 0;
    int32_t sum = 0;
    for (int i = 0; i < 32; ++i) {
      amax = std::max(amax, std::fabs(x[32 * b + i]));
      sum += q[32 * b + i];
      EXPECT_LE(std::fabs(q[32 * b + i] * d[b] - x[32 * b + i]), d[b] * 0.5f * 1.0001f);
    }
    EXPECT_FLOAT_EQ(d[b], amax / 127.0f);
    EXPECT_EQ(s[b], sum);
  }
}

}  // namespace
}  // namespace gemba::engine
