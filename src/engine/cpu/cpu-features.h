// Run-time CPU feature detection: the kernels to use are chosen once, by what this CPU
// can do, not by what the build machine could.
#pragma once
#include <string>

namespace gemba::engine {

struct CpuFeatures {
  bool avx2 = false, fma = false, f16c = false;
  bool avx512f = false, avx512bw = false, avx512vl = false, avx512vnni = false, avx_vnni = false;
  bool neon = false, neon_dotprod = false;
};

const CpuFeatures& cpu_features();
std::string cpu_features_string();  // "avx2 fma f16c avx512f ..." for logs and bench records

}  // namespace gemba::engine
