// The OpenBLAS kernel choice for the trainer's process: from the CPU's flags, never over the
// user's own OPENBLAS_CORETYPE.
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include "core/blas-kernels.h"

using namespace gemba;

TEST(BlasKernels, ChoosesFromTheCpuFlagsWhenUnset) {
  ::unsetenv("OPENBLAS_CORETYPE");
  const std::string expected = openblas_coretype_for_this_cpu();
  EXPECT_EQ(choose_openblas_kernels(), expected);
  const char* now = std::getenv("OPENBLAS_CORETYPE");
  if (expected.empty()) {
    EXPECT_EQ(now, nullptr);
  } else {
    ASSERT_NE(now, nullptr);
    EXPECT_EQ(std::string(now), expected);
  }
#if defined(__x86_64__)
  // Every x86-64 CPU this project builds for (-march=native on the dev box) has AVX2 + FMA.
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) EXPECT_FALSE(expected.empty());
  if (!__builtin_cpu_supports("avx512f")) EXPECT_NE(expected, "SkylakeX");
#endif
}

TEST(BlasKernels, KeepsTheUsersChoice) {
  ::setenv("OPENBLAS_CORETYPE", "Zen", 1);
  EXPECT_EQ(choose_openblas_kernels(), "Zen");
  EXPECT_EQ(std::string(std::getenv("OPENBLAS_CORETYPE")), "Zen");
  ::unsetenv("OPENBLAS_CORETYPE");
}

TEST(BlasKernels, NoOpenBlasInAProcessWithoutIt) {
  // gemba_core links no BLAS: nothing to report.
  EXPECT_EQ(openblas_kernels_in_use(), "");
}
