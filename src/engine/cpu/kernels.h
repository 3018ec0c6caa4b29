// The kernel table behind matmul(): one set of function pointers per instruction set
// (scalar, avx2, avx512-vnni, neon), filled by the file compiled for that set and chosen once
// at run time (matmul.cpp). Internal to src/engine/cpu; the public interface is matmul.h.
#pragma once
#include <cstddef>
#include <cstdint>

namespace gemba::engine::cpu {

// The weight types a kernel set handles, in table order.
enum class WeightKind : int { F32 = 0, F16, BF16, Q8_0, Q4_0, Q4_K, Q6_K, kCount };

// A tile of the product: y[t * ldy + r] = dot(W row r, X row t) for r < n_rows, t < n_tokens.
//   w: n_rows weight rows, w_stride bytes apart (GGUF row layout of the weight type)
//   x: n_tokens activation rows, x_stride bytes apart: f32 [cols] for F32/F16/BF16 weights,
//      quant::ActRowLayout rows for quantized weights
struct Tile {
  const uint8_t* w;
  size_t w_stride;
  int64_t n_rows;
  const uint8_t* x;
  size_t x_stride;
  int64_t n_tokens;
  int64_t cols;
  float* y;
  int64_t ldy;
};
using TileFn = void (*)(const Tile&);

// Quantizes one row of n activations into quant::ActRowLayout (must equal the scalar one).
using QuantizeActFn = void (*)(const float* x, uint8_t* row, int64_t n);

// Panel kernels (optional, per weight type): the same product as a tile, but over n_rows a
// multiple of kPanelRows and every token of the call at once, for kernels that repack the
// weight rows per call; matmul() uses one when a call has at least panel_min_tokens tokens.
constexpr int64_t kPanelRows = 16;
constexpr int64_t kPanelMinTokens = 20;  // the quantized repack pays from ~20 tokens (Q4_0, 1 thread)

struct KernelSet {
  const char* name = "scalar";
  QuantizeActFn quantize_act = nullptr;
  TileFn tile[static_cast<int>(WeightKind::kCount)] = {};
  TileFn panel[static_cast<int>(WeightKind::kCount)] = {};
  int64_t panel_min_tokens[static_cast<int>(WeightKind::kCount)] = {kPanelMinTokens, kPanelMinTokens, kPanelMinTokens,
                                                                    kPanelMinTokens, kPanelMinTokens, kPanelMinTokens,
                                                                    kPanelMinTokens};
};
static_assert(static_cast<int>(WeightKind::kCount) == 7, "panel_min_tokens lists one count per weight kind");

const KernelSet& scalar_kernel_set();
#if defined(GEMBA_ARCH_X86)
const KernelSet& avx2_kernel_set();    // needs avx2 + fma + f16c
const KernelSet& avx512_kernel_set();  // needs avx512f/bw/vl + avx512vnni
#endif
#if defined(GEMBA_ARCH_ARM)
const KernelSet& neon_kernel_set();
#endif

}  // namespace gemba::engine::cpu
