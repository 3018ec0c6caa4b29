# SIMD: kernels for each instruction set live in their own files compiled with that set's
# flags (src/engine/cpu/arch/...), and are chosen at run time by CPU features. GEMBA_NATIVE
# additionally tunes the generic code for the build machine.
include(CheckCXXCompilerFlag)
if(GEMBA_NATIVE)
  check_cxx_compiler_flag(-march=native GEMBA_HAS_MARCH_NATIVE)
  if(GEMBA_HAS_MARCH_NATIVE)
    add_compile_options(-march=native)
  endif()
endif()
if(CMAKE_SYSTEM_PROCESSOR MATCHES "x86_64|AMD64|amd64")
  set(GEMBA_ARCH_X86 ON)
  set(GEMBA_FLAGS_AVX2 -mavx2 -mfma -mf16c -mno-avx512f)
  set(GEMBA_FLAGS_AVX512 -mavx512f -mavx512bw -mavx512vl -mavx512dq -mavx512vnni -mfma -mf16c)
elseif(CMAKE_SYSTEM_PROCESSOR MATCHES "aarch64|arm64")
  set(GEMBA_ARCH_ARM ON)
endif()
