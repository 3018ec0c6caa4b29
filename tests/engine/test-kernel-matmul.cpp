// matmul: every kernel set equals the scalar reference on awkward sizes; quantized products
// stay within the bound the activation quantization allows; thread counts give identical
// bits; bad matrices are errors.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "core/error.h"
#include "engine/cpu/matmul.h"

namespace gemba::engine {
namespace {

const GgmlType kTypes[] = {GgmlType::F32,  GgmlType::F16,  GgmlType::BF16, GgmlType::Q8_0,
                           GgmlType::Q4_0, GgmlType::Q4_K, GgmlType::Q6_K};

int64_t block_of(GgmlType t) { return (t == GgmlType::Q4_K || t == GgmlType::Q6_K) ? 256 : 32; }

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

std::vector<float> random_floats(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> dist(0.0f, 1.0f);
  std::vector<float> v(n);
  for (auto& x : v) x = dist(rng);
  return v;
}

struct Matrix {
  std::vector<uint8_t> bytes;
  std::vector<float> dequantized;  // [rows, cols]
  WeightMatrix w;
};

Matrix make_matrix(GgmlType t, int64_t rows, int64_t cols, uint32_t seed) {
  Matrix m;
  const auto f = random_floats(rows * cols, seed);
  const size_t rb = row_bytes(t, cols);
  m.bytes.resize(rb * rows);
  m.dequantized.resize(rows * cols);
  for (int64_t r = 0; r < rows; ++r) {
    quantize_row(t, f.data() + r * cols, m.bytes.data() + r * rb, cols);
    dequantize_row(t, m.bytes.data() + r * rb, m.dequantized.data() + r * cols, cols);
  }
  m.w = WeightMatrix{t, m.bytes.data(), rows, cols, rb};
  return m;
}

// sum_c |W[r,c] x[t,c]|: the scale of each output, for relative bounds.
std::vector<double> abs_products(const Matrix& m, const std::vector<float>& x, int64_t n_tokens) {
  const int64_t rows = m.w.rows, cols = m.w.cols;
  std::vector<double> s(n_tokens * rows);
  for (int64_t t = 0; t < n_tokens; ++t)
    for (int64_t r = 0; r < rows; ++r) {
      double a = 0;
      for (int64_t c = 0; c < cols; ++c) a += std::fabs(static_cast<double>(m.dequantized[r * cols + c]) * x[t * cols + c]);
      s[t * rows + r] = a;
    }
  return s;
}

bool available(const std::string& name) {
  const auto sets = available_kernel_sets();
  return std::find(sets.begin(), sets.end(), name) != sets.end();
}

class KernelSetTest : public ::testing::TestWithParam<std::string> {};

// One product of awkward size with its scalar reference, built once and shared by every set.
struct Case {
  GgmlType type;
  int64_t rows, cols, n_tokens;
  Matrix m;
  std::vector<float> x, ref;
  std::vector<double> scale;
};

const std::vector<Case>& awkward_cases() {
  static const std::vector<Case> cases = [] {
    std::vector<Case> out;
    uint32_t seed = 1;
    for (GgmlType type : kTypes)
      for (int64_t rows : {1, 3, 17, 257})
        // 160 = 5 blocks of 32 (a Q4_0 group of 4 plus one, an odd Q8_0 block count); 200 is
        // not a multiple of the 16-lane float vectors; 1 and 7 (float only) are the short
        // rows attention's P V product has early in a sequence. Token counts cover every
        // remainder of the 4- and 8-token prefill kernels; 33 (>= kPanelMinTokens) takes the Q4_0/Q8_0
        // panel kernels, with 16-row panels, pairs of them and a row left over; 100 and 400 take
        // the float panel kernels (8 groups of 12 tokens and 4; more than one 384-token block).
        for (int64_t cols : {1, 7, 32, 160, 200, 256, 4096}) {
          const bool is_float = type == GgmlType::F32 || type == GgmlType::F16 || type == GgmlType::BF16;
          if (cols % (is_float ? 1 : block_of(type)) != 0) continue;
          for (int64_t n_tokens : {1, 2, 3, 4, 5, 6, 7, 8, 9, 17, 33, 100, 400}) {
            if (rows * cols * n_tokens > 257 * 4096 * 5 && rows > 17) continue;  // keep the test short
            Case c{type, rows, cols, n_tokens, make_matrix(type, rows, cols, seed), random_floats(n_tokens * cols, seed + 1), {}, {}};
            seed += 2;
            c.ref.resize(n_tokens * rows);
            matmul_reference(c.m.w, c.x.data(), n_tokens, c.ref.data());
            c.scale = abs_products(c.m, c.x, n_tokens);
            out.push_back(std::move(c));
          }
        }
    return out;
  }();
  return cases;
}

// Every set (including scalar through the threaded driver) equals matmul_reference within
// a float-rounding bound relative to sum |w x|; the integer parts of quantized dots are exact.
TEST_P(KernelSetTest, EqualsScalarReferenceOnAwkwardSizes) {
  const std::string set = GetParam();
  if (!available(set)) GTEST_SKIP() << set << " is not available on this CPU";
  ThreadPool pool(2);
  for (const Case& c : awkward_cases()) {
    std::vector<float> got(c.n_tokens * c.rows, NAN);
    matmul_with_kernels(set, c.m.w, c.x.data(), c.n_tokens, got.data(), pool);
    int bad = 0;
    for (size_t i = 0; i < c.ref.size() && bad < 5; ++i) {
      const double bound = 2e-6 * c.scale[i] + 1e-30;
      if (!(std::fabs(static_cast<double>(got[i]) - c.ref[i]) <= bound)) {
        ++bad;
        ADD_FAILURE() << set << " type " << static_cast<int>(c.type) << " rows " << c.rows << " cols " << c.cols
                      << " tokens " << c.n_tokens << " index " << i << ": got " << got[i] << " want " << c.ref[i]
                      << " (bound " << bound << ")";
      }
    }
  }
}

// 1, 2 and 3 threads (and decode vs prefill tiling) give bit-identical outputs.
TEST_P(KernelSetTest, ThreadCountDoesNotChangeResults) {
  const std::string set = GetParam();
  if (!available(set)) GTEST_SKIP() << set << " is not available on this CPU";
  uint32_t seed = 100;
  for (GgmlType type : kTypes) {
    const Matrix m = make_matrix(type, 257, 512, seed++);
    const auto x = random_floats(33 * 512, seed++);
    std::vector<float> first;
    for (int threads : {1, 2, 3}) {
      ThreadPool pool(threads);
      std::vector<float> y(33 * 257);
      matmul_with_kernels(set, m.w, x.data(), 33, y.data(), pool);
      if (first.empty()) {
        first = y;
      } else {
        EXPECT_EQ(0, std::memcmp(first.data(), y.data(), y.size() * sizeof(float)))
            << set << " type " << static_cast<int>(type) << " threads " << threads;
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(AllSets, KernelSetTest, ::testing::Values("scalar", "avx2", "avx512-vnni", "neon"),
                         [](const auto& info) {
                           std::string n = info.param;
                           std::replace(n.begin(), n.end(), '-', '_');
                           return n;
                         });

// Quantized matmul vs the exact product of the dequantized weights with the unquantized
// activations: the only error is the activations' 8-bit rounding, |dx| <= d_x/2 per value,
// so |error| <= sum_blocks d_x/2 * sum |w| (+ float rounding).
TEST(QuantizedMatmul, WithinActivationQuantizationBound) {
  const int64_t rows = 17, cols = 4096, n_tokens = 3;
  for (GgmlType type : {GgmlType::Q8_0, GgmlType::Q4_0, GgmlType::Q4_K, GgmlType::Q6_K}) {
    const Matrix m = make_matrix(type, rows, cols, 11);
    const auto x = random_floats(n_tokens * cols, 12);
    std::vector<float> y(n_tokens * rows);
    matmul_reference(m.w, x.data(), n_tokens, y.data());
    for (int64_t t = 0; t < n_tokens; ++t)
      for (int64_t r = 0; r < rows; ++r) {
        double exact = 0, bound = 0, mag = 0;
        for (int64_t b = 0; b < cols / 32; ++b) {
          float amax = 0;
          double wsum = 0;
          for (int i = 0; i < 32; ++i) {
            const int64_t c = b * 32 + i;
            amax = std::max(amax, std::fabs(x[t * cols + c]));
            wsum += std::fabs(m.dequantized[r * cols + c]);
            exact += static_cast<double>(m.dequantized[r * cols + c]) * x[t * cols + c];
            mag += std::fabs(static_cast<double>(m.dequantized[r * cols + c]) * x[t * cols + c]);
          }
          bound += amax / 127.0 / 2 * wsum;
        }
        EXPECT_LE(std::fabs(y[t * rows + r] - exact), bound + 1e-5 * mag)
            << "type " << static_cast<int>(type) << " row " << r << " token " << t;
        // And the bound is meaningful: much smaller than the output's magnitude scale.
        EXPECT_LT(bound, 0.02 * mag);
      }
  }
}

// Against the original f32 weights, the relative error is what the weight format costs.
TEST(QuantizedMatmul, CloseToF32Product) {
  const int64_t rows = 64, cols = 2048, n_tokens = 2;
  const auto wf = random_floats(rows * cols, 21);
  const auto x = random_floats(n_tokens * cols, 22);
  std::vector<double> exact(n_tokens * rows);
  for (int64_t t = 0; t < n_tokens; ++t)
    for (int64_t r = 0; r < rows; ++r) {
      double a = 0;
      for (int64_t c = 0; c < cols; ++c) a += static_cast<double>(wf[r * cols + c]) * x[t * cols + c];
      exact[t * rows + r] = a;
    }
  const std::pair<GgmlType, double> limits[] = {{GgmlType::F16, 1e-3}, {GgmlType::BF16, 1e-2}, {GgmlType::Q8_0, 0.02},
                                                {GgmlType::Q6_K, 0.05}, {GgmlType::Q4_0, 0.15}, {GgmlType::Q4_K, 0.15}};
  for (const auto& [type, limit] : limits) {
    std::vector<uint8_t> bytes(row_bytes(type, cols) * rows);
    for (int64_t r = 0; r < rows; ++r) quantize_row(type, wf.data() + r * cols, bytes.data() + r * row_bytes(type, cols), cols);
    const WeightMatrix w{type, bytes.data(), rows, cols, row_bytes(type, cols)};
    std::vector<float> y(n_tokens * rows);
    ThreadPool pool(2);
    matmul(w, x.data(), n_tokens, y.data(), pool);
    double se = 0, sv = 0;
    for (size_t i = 0; i < y.size(); ++i) {
      se += (y[i] - exact[i]) * (y[i] - exact[i]);
      sv += exact[i] * exact[i];
    }
    EXPECT_LT(std::sqrt(se / sv), limit) << "type " << static_cast<int>(type);
  }
}

// One-token Q4_0 products take their own kernel on some sets (groups of 4 blocks, 4 rows at a
// time, the activation regrouped per tile): every set equals the scalar reference for row
// counts around the 4-row step, column counts around the 4-block group (block tails 0..3,
// a single block, no full group) and rows padded beyond their blocks (row_bytes > minimum,
// padding filled with 0xff so reading it would show).
TEST(Q4_0Decode, EqualsScalarReferenceOnAwkwardSizes) {
  uint32_t seed = 500;
  for (int64_t cols : {32, 64, 96, 128, 160, 224, 256, 288, 416, 2048 + 96}) {
    for (int64_t rows : {1, 2, 3, 4, 5, 7, 9, 21, 67}) {
      for (size_t pad : {size_t{0}, size_t{6}}) {
        const size_t rb = row_bytes(GgmlType::Q4_0, cols), stride = rb + pad;
        const auto f = random_floats(rows * cols, seed++);
        std::vector<uint8_t> bytes(stride * rows, 0xff);
        for (int64_t r = 0; r < rows; ++r) quantize_row(GgmlType::Q4_0, f.data() + r * cols, bytes.data() + r * stride, cols);
        const WeightMatrix w{GgmlType::Q4_0, bytes.data(), rows, cols, stride};
        const auto x = random_floats(cols, seed++);
        std::vector<float> ref(rows), dq(cols);
        matmul_reference(w, x.data(), 1, ref.data());
        for (const std::string& set : available_kernel_sets()) {
          ThreadPool pool(set == "scalar" ? 1 : 2);
          std::vector<float> got(rows, NAN);
          matmul_with_kernels(set, w, x.data(), 1, got.data(), pool);
          for (int64_t r = 0; r < rows; ++r) {
            dequantize_row(GgmlType::Q4_0, bytes.data() + r * stride, dq.data(), cols);
            double scale = 0;
            for (int64_t c = 0; c < cols; ++c) scale += std::fabs(static_cast<double>(dq[c]) * x[c]);
            EXPECT_LE(std::fabs(static_cast<double>(got[r]) - ref[r]), 2e-6 * scale + 1e-30)
                << set << " cols " << cols << " rows " << rows << " pad " << pad << " row " << r << ": got " << got[r]
                << " want " << ref[r];
          }
        }
      }
    }
  }
}

// Float weights (F32/F16/BF16) take their own kernels on the AVX-512 set: rows in groups of
// 6 (then 2, then 1) x 4 tokens, each group prefetching the next, a 48-row tile, and a
// one-token kernel 64 columns a step; rows wider than 2048 (F32: 1024) columns are cut into
// column chunks whose sums add up. Every set equals the scalar reference for row counts around
// the 6-row group and the 48-row tile, column counts around the 16- and 64-column steps and a
// chunked width with a tail (2101: F32 704 + 704 + 693, F16/BF16 1056 + 1045), token counts
// around the 4-token group and the 64-token tile, and rows padded beyond their values (filled
// with 0xff, a NaN in F16/BF16/F32, so reading the padding would show).
TEST(FloatKernels, EqualsScalarReferenceOnAwkwardSizes) {
  uint32_t seed = 900;
  for (GgmlType type : {GgmlType::F32, GgmlType::F16, GgmlType::BF16})
    for (int64_t cols : {16, 79, 200, 2101})
      for (int64_t rows : {1, 5, 6, 7, 13, 47, 49, 97})
        for (int64_t n_tokens : {1, 3, 4, 64, 65}) {
          if (rows * cols * n_tokens > 13 * 2101 * 65 && rows > 13) continue;  // keep the test short
          const size_t pad = (rows + n_tokens) % 2 == 0 ? 0 : 6;
          const size_t rb = row_bytes(type, cols), stride = rb + pad;
          const auto f = random_floats(rows * cols, seed++);
          std::vector<uint8_t> bytes(stride * rows, 0xff);
          for (int64_t r = 0; r < rows; ++r) quantize_row(type, f.data() + r * cols, bytes.data() + r * stride, cols);
          const WeightMatrix w{type, bytes.data(), rows, cols, stride};
          const auto x = random_floats(n_tokens * cols, seed++);
          std::vector<float> ref(n_tokens * rows), dq(cols);
          matmul_reference(w, x.data(), n_tokens, ref.data());
          std::vector<double> scale(n_tokens * rows, 0.0);
          for (int64_t r = 0; r < rows; ++r) {
            dequantize_row(type, bytes.data() + r * stride, dq.data(), cols);
            for (int64_t t = 0; t < n_tokens; ++t)
              for (int64_t c = 0; c < cols; ++c) scale[t * rows + r] += std::fabs(static_cast<double>(dq[c]) * x[t * cols + c]);
          }
          for (const std::string& set : available_kernel_sets()) {
            ThreadPool pool(set == "scalar" ? 1 : 2);
            std::vector<float> got(n_tokens * rows, NAN);
            matmul_with_kernels(set, w, x.data(), n_tokens, got.data(), pool);
            int bad = 0;
            for (size_t i = 0; i < got.size() && bad < 3; ++i)
              if (!(std::fabs(static_cast<double>(got[i]) - ref[i]) <= 2e-6 * scale[i] + 1e-30)) {
                ++bad;
                ADD_FAILURE() << set << " type " << static_cast<int>(type) << " rows " << rows << " cols " << cols
                              << " tokens " << n_tokens << " pad " << pad << " index " << i << ": got " << got[i]
                              << " want " << ref[i];
              }
          }
        }
}

TEST(Matmul, BadMatricesAreErrors) {
  std::vector<uint8_t> bytes(4096);
  std::vector<float> x(256), y(16);
  ThreadPool pool(1);
  WeightMatrix w{GgmlType::Q4_K, bytes.data(), 2, 48, 144};  // 48 is not a multiple of 256
  EXPECT_THROW(matmul(w, x.data(), 1, y.data(), pool), Error);
  w = WeightMatrix{GgmlType::Q5_0, bytes.data(), 2, 32, 22};  // unsupported type
  EXPECT_THROW(matmul(w, x.data(), 1, y.data(), pool), Error);
  EXPECT_FALSE(matmul_supports(GgmlType::Q5_0));
  EXPECT_TRUE(matmul_supports(GgmlType::Q4_K));
  w = WeightMatrix{GgmlType::Q8_0, bytes.data(), 2, 64, 34};  // row_bytes too small for 64 values
  EXPECT_THROW(matmul(w, x.data(), 1, y.data(), pool), Error);
  EXPECT_THROW(select_kernel_set("no-such-set"), Error);
}

TEST(Matmul, KernelSetSelection) {
  const auto sets = available_kernel_sets();
  ASSERT_FALSE(sets.empty());
  EXPECT_EQ(sets.back(), "scalar");
  const std::string before = active_kernel_set();
  select_kernel_set("scalar");
  EXPECT_STREQ(active_kernel_set(), "scalar");
  select_kernel_set(before);
  EXPECT_EQ(before, active_kernel_set());
}

}  // namespace
}  // namespace gemba::engine
