// Which OpenBLAS kernels the trainer (libtorch's matrix products) should use on this CPU.
//
// Debian's OpenBLAS picks its kernels from the CPU's model number. Cloud VMs often hide it
// ("Intel(R) Xeon(R) Processor"), and OpenBLAS then falls back to its SSE3 "Prescott" kernels:
// measured on a 2-vCPU Xeon with AVX-512, sgemm ran at 60 GFLOP/s instead of 255 with the
// SkylakeX kernels, and the trainer at 1.7k instead of 4.5k tokens/s. The CPU's feature
// flags are reliable where the model number is not, so gemba chooses from those.
#pragma once
#include <string>

namespace gemba {

// "SkylakeX" (AVX-512 F/CD/BW/DQ/VL), "Haswell" (AVX2 + FMA), or "" (anything else: leave
// OpenBLAS's own choice).
std::string openblas_coretype_for_this_cpu();

// Sets OPENBLAS_CORETYPE for processes started after this call (it is read when OpenBLAS
// loads), unless the user already set it. Returns the value now in effect ("" = none).
std::string choose_openblas_kernels();

// The kernels the OpenBLAS loaded in this process uses ("Prescott", "SkylakeX", ...), or ""
// when this process has no OpenBLAS (another BLAS, or none loaded).
std::string openblas_kernels_in_use();

}  // namespace gemba
