// The AVX2 + FMA + F16C kernel set (u8 x s8 block dots with vpmaddubsw + vpmaddwd).
#define GEMBA_X86_VNNI 0
#include "engine/cpu/arch/x86/x86-kernels.h"

namespace gemba::engine::cpu {

const KernelSet& avx2_kernel_set() {
  static const KernelSet set = make_x86_set("avx2");
  return set;
}

}  // namespace gemba::engine::cpu
