// AVX2 + FMA + F16C kernel set. Types without an AVX2 kernel here use the scalar one.
#include <immintrin.h>

#include "engine/cpu/kernels.h"

namespace gemba::engine::cpu {
namespace {

KernelSet make() {
  KernelSet k = scalar_kernel_set();
  k.name = "avx2";
  return k;
}

}  // namespace

const KernelSet& avx2_kernel_set() {
  static const KernelSet set = make();
  return set;
}

}  // namespace gemba::engine::cpu
