// Run-time dispatch: GEMBA_KERNELS picks the kernel set at first use (set here before any
// test runs, as a user would in the environment), and the best set follows the CPU's features.
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "engine/cpu/cpu-features.h"
#include "engine/cpu/matmul.h"

namespace gemba::engine {
namespace {

const bool kEnvSet = [] { return setenv("GEMBA_KERNELS", "scalar", 1) == 0; }();

TEST(KernelDispatch, EnvironmentVariableSelectsTheSet) {
  ASSERT_TRUE(kEnvSet);
  EXPECT_STREQ(active_kernel_set(), "scalar");
}

TEST(KernelDispatch, AvailableSetsFollowCpuFeatures) {
  const auto sets = available_kernel_sets();
  const auto has = [&](const char* name) {
    for (const auto& s : sets)
      if (s == name) return true;
    return false;
  };
  const CpuFeatures& f = cpu_features();
  EXPECT_TRUE(has("scalar"));
#if defined(GEMBA_ARCH_X86)
  EXPECT_EQ(has("avx2"), f.avx2 && f.fma && f.f16c);
  EXPECT_EQ(has("avx512-vnni"), f.avx512f && f.avx512bw && f.avx512vl && f.avx512vnni && f.fma && f.f16c);
#endif
#if defined(GEMBA_ARCH_ARM)
  EXPECT_EQ(has("neon"), f.neon);
#endif
  // Best first: a SIMD set, when there is one, comes before scalar.
  EXPECT_EQ(sets.back(), "scalar");
}

TEST(KernelDispatch, SelectedSetIsUsedByMatmul) {
  // A 1x32 q8_0 product through matmul() equals the same product through the named set.
  std::vector<float> w(32), x(32);
  for (int i = 0; i < 32; ++i) {
    w[i] = 0.1f * (i - 16);
    x[i] = 0.05f * (31 - i);
  }
  std::vector<uint8_t> q(34);
  quantize_row(GgmlType::Q8_0, w.data(), q.data(), 32);
  const WeightMatrix m{GgmlType::Q8_0, q.data(), 1, 32, 34};
  ThreadPool pool(1);
  for (const auto& set : available_kernel_sets()) {
    select_kernel_set(set);
    EXPECT_EQ(set, active_kernel_set());
    float a = 0, b = 0;
    matmul(m, x.data(), 1, &a, pool);
    matmul_with_kernels(set, m, x.data(), 1, &b, pool);
    EXPECT_EQ(a, b) << set;
  }
}

}  // namespace
}  // namespace gemba::engine
