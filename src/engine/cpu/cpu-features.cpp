#include "engine/cpu/cpu-features.h"

#if defined(__x86_64__) || defined(_M_X64)
#include <cpuid.h>
#endif
#if defined(__aarch64__) && defined(__linux__)
#include <asm/hwcap.h>
#include <sys/auxv.h>
#endif

namespace gemba::engine {
namespace {

CpuFeatures detect() {
  CpuFeatures f;
#if defined(__x86_64__) || defined(_M_X64)
  unsigned eax, ebx, ecx, edx;
  if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx)) return f;
  const bool osxsave = ecx & (1u << 27);
  f.fma = ecx & (1u << 12);
  f.f16c = ecx & (1u << 29);
  unsigned xcr0 = 0;
  if (osxsave) {
    unsigned hi;
    __asm__ volatile("xgetbv" : "=a"(xcr0), "=d"(hi) : "c"(0));
  }
  const bool os_avx = (xcr0 & 0x6) == 0x6;           // XMM + YMM state saved by the OS
  const bool os_avx512 = os_avx && (xcr0 & 0xE0) == 0xE0;  // opmask + ZMM state
  if (!os_avx) f.fma = f.f16c = false;
  if (__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx)) {
    f.avx2 = os_avx && (ebx & (1u << 5));
    f.avx512f = os_avx512 && (ebx & (1u << 16));
    f.avx512bw = os_avx512 && (ebx & (1u << 30));
    f.avx512vl = os_avx512 && (ebx & (1u << 31));
    f.avx512vnni = os_avx512 && (ecx & (1u << 11));
  }
  if (__get_cpuid_count(7, 1, &eax, &ebx, &ecx, &edx)) f.avx_vnni = os_avx && (eax & (1u << 4));
#elif defined(__aarch64__)
  f.neon = true;
#if defined(__linux__) && defined(HWCAP_ASIMDDP)
  f.neon_dotprod = getauxval(AT_HWCAP) & HWCAP_ASIMDDP;
#endif
#endif
  return f;
}

}  // namespace

const CpuFeatures& cpu_features() {
  static const CpuFeatures features = detect();
  return features;
}

std::string cpu_features_string() {
  const auto& f = cpu_features();
  std::string s;
  auto add = [&](bool on, const char* name) {
    if (on) s += (s.empty() ? "" : " ") + std::string(name);
  };
  add(f.avx2, "avx2");
  add(f.fma, "fma");
  add(f.f16c, "f16c");
  add(f.avx512f, "avx512f");
  add(f.avx512bw, "avx512bw");
  add(f.avx512vl, "avx512vl");
  add(f.avx512vnni, "avx512vnni");
  add(f.avx_vnni, "avx_vnni");
  add(f.neon, "neon");
  add(f.neon_dotprod, "dotprod");
  return s.empty() ? "scalar" : s;
}

}  // namespace gemba::engine
