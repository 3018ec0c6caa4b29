// The AVX-512 (F, BW, VL, VNNI) kernel set: the x86 kernels with vpdpbusd block dots.
#define GEMBA_X86_VNNI 1
#include "engine/cpu/arch/x86/x86-kernels.h"

namespace gemba::engine::cpu {

const KernelSet& avx512_kernel_set() {
  static const KernelSet set = make_x86_set("avx512-vnni");
  return set;
}

}  // namespace gemba::engine::cpu
