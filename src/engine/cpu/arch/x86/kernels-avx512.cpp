// AVX-512 (F, BW, VL, VNNI) kernel set. Types without an AVX-512 kernel here use the scalar one.
#include <immintrin.h>

#include "engine/cpu/kernels.h"

namespace gemba::engine::cpu {
namespace {

KernelSet make() {
  KernelSet k = scalar_kernel_set();
  k.name = "avx512-vnni";
  return k;
}

}  // namespace

const KernelSet& avx512_kernel_set() {
  static const KernelSet set = make();
  return set;
}

}  // namespace gemba::engine::cpu
