// matmul(): run-time dispatch to a kernel set, activation quantization, and the split of the
// work over threads (output rows) and tiles (rows x tokens, so a tile of weight rows stays in
// L1 while every token tile of the prompt passes over it). Cache blocking after Goto & van de
// Geijn, "Anatomy of High-Performance Matrix Multiplication" (ACM TOMS 2008).
#include "engine/cpu/matmul.h"

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/half.h"
#include "engine/cpu/cpu-features.h"
#include "engine/cpu/kernels.h"
#include "engine/quant/block-formats.h"
#include "engine/quant/quantize.h"

namespace gemba::engine {
namespace {

using cpu::KernelSet;
using cpu::WeightKind;

const char* type_label(GgmlType type) {
  switch (type) {
    case GgmlType::F32: return "f32";
    case GgmlType::F16: return "f16";
    case GgmlType::BF16: return "bf16";
    case GgmlType::Q8_0: return "q8_0";
    case GgmlType::Q4_0: return "q4_0";
    case GgmlType::Q4_K: return "q4_k";
    case GgmlType::Q6_K: return "q6_k";
    default: return "an unsupported type";
  }
}

bool kind_of(GgmlType type, WeightKind* kind) {
  switch (type) {
    case GgmlType::F32: *kind = WeightKind::F32; return true;
    case GgmlType::F16: *kind = WeightKind::F16; return true;
    case GgmlType::BF16: *kind = WeightKind::BF16; return true;
    case GgmlType::Q8_0: *kind = WeightKind::Q8_0; return true;
    case GgmlType::Q4_0: *kind = WeightKind::Q4_0; return true;
    case GgmlType::Q4_K: *kind = WeightKind::Q4_K; return true;
    case GgmlType::Q6_K: *kind = WeightKind::Q6_K; return true;
    default: return false;
  }
}

int64_t block_elements(GgmlType type) {
  switch (type) {
    case GgmlType::Q8_0: case GgmlType::Q4_0: return quant::kQk;
    case GgmlType::Q4_K: case GgmlType::Q6_K: return quant::kQkK;
    default: return 1;
  }
}

bool is_quantized(WeightKind k) {
  return k == WeightKind::Q8_0 || k == WeightKind::Q4_0 || k == WeightKind::Q4_K || k == WeightKind::Q6_K;
}

// Kernel sets compiled into this binary and runnable on this CPU, best first.
std::vector<const KernelSet*> runnable_sets() {
  std::vector<const KernelSet*> sets;
  [[maybe_unused]] const CpuFeatures& f = cpu_features();
#if defined(GEMBA_ARCH_X86)
  if (f.avx512f && f.avx512bw && f.avx512vl && f.avx512vnni && f.fma && f.f16c)
    sets.push_back(&cpu::avx512_kernel_set());
  if (f.avx2 && f.fma && f.f16c) sets.push_back(&cpu::avx2_kernel_set());
#endif
#if defined(GEMBA_ARCH_ARM)
  if (f.neon) sets.push_back(&cpu::neon_kernel_set());
#endif
  sets.push_back(&cpu::scalar_kernel_set());
  return sets;
}

const KernelSet* find_set(const std::string& name) {
  std::string want = name == "avx512" ? "avx512-vnni" : name;
  for (const KernelSet* s : runnable_sets())
    if (want == s->name) return s;
  return nullptr;
}

std::atomic<const KernelSet*> g_active{nullptr};
std::once_flag g_init;

const KernelSet& active() {
  std::call_once(g_init, [] {
    const KernelSet* chosen = runnable_sets().front();
    if (const char* env = std::getenv("GEMBA_KERNELS"); env && *env) {
      if (const KernelSet* s = find_set(env)) chosen = s;
      // An unknown or unsupported name keeps the best set: a bad env var must not crash a run.
    }
    const KernelSet* expected = nullptr;
    g_active.compare_exchange_strong(expected, chosen);
  });
  return *g_active.load(std::memory_order_acquire);
}

void check(const WeightMatrix& w, WeightKind* kind) {
  if (!kind_of(w.type, kind))
    fail("matmul: weight type ", static_cast<uint32_t>(w.type),
         " is not supported (supported: f32, f16, bf16, q8_0, q4_0, q4_k, q6_k); re-quantize the model");
  const int64_t be = block_elements(w.type);
  if (w.cols <= 0 || w.rows <= 0 || w.cols % be != 0)
    fail("matmul: a ", type_label(w.type), " matrix of ", w.rows, "x", w.cols,
         " is invalid (columns must be a positive multiple of ", be, ")");
  if (is_quantized(*kind) && w.cols % quant::kQk != 0)
    fail("matmul: columns must be a multiple of 32 for quantized types");
  const size_t min_bytes = w.type == GgmlType::F32 ? w.cols * 4
                           : (w.type == GgmlType::F16 || w.type == GgmlType::BF16) ? w.cols * 2
                           : w.type == GgmlType::Q8_0 ? w.cols / 32 * sizeof(quant::BlockQ8_0)
                           : w.type == GgmlType::Q4_0 ? w.cols / 32 * sizeof(quant::BlockQ4_0)
                           : w.type == GgmlType::Q4_K ? w.cols / 256 * sizeof(quant::BlockQ4K)
                                                      : w.cols / 256 * sizeof(quant::BlockQ6K);
  if (w.row_bytes < min_bytes)
    fail("matmul: row_bytes ", w.row_bytes, " is smaller than one ", type_label(w.type), " row of ", w.cols,
         " values (", min_bytes, " bytes)");
}

// Rows per tile: enough weight bytes to fill about half of L1 (weights stay resident while
// the token tiles stream past); between 4 and 64 rows. The AVX-512 set's float kernel
// (F32/F16/BF16) takes 48 rows whatever the width: it walks a tile in 6-row groups, each
// resident in L1 while the tokens pass, and prefetches the next group itself (a 2048-column
// F16 tile of 4 rows left it 2 + 2-row groups and a cold start every 4 rows).
int64_t rows_per_tile(const KernelSet& ks, WeightKind kind, size_t row_bytes) {
  const bool float_kind = kind == WeightKind::F32 || kind == WeightKind::F16 || kind == WeightKind::BF16;
  if (float_kind && std::strcmp(ks.name, "avx512-vnni") == 0) return 48;
  const int64_t r = static_cast<int64_t>(24 * 1024 / std::max<size_t>(row_bytes, 1));
  return std::clamp<int64_t>(r / 4 * 4, 4, 64);
}
constexpr int64_t kTokensPerTile = 64;

// The tile of rows [r0, r0 + n_rows) and tokens [t0, t0 + n_tokens) of y = W x.
cpu::Tile tile_of(const WeightMatrix& w, int64_t r0, int64_t n_rows, const uint8_t* xa, size_t x_stride, int64_t t0,
                  int64_t n_tokens, float* y, int64_t ldy) {
  cpu::Tile t;
  t.w = w.data + r0 * w.row_bytes;
  t.w_stride = w.row_bytes;
  t.n_rows = n_rows;
  t.x = xa + t0 * x_stride;
  t.x_stride = x_stride;
  t.n_tokens = n_tokens;
  t.cols = w.cols;
  t.y = y + t0 * ldy + r0;
  t.ldy = ldy;
  return t;
}

// Rows [row_begin, row_end) of y[t * ldy + r] = W row r . x row t, tile by tile: row_tile
// weight rows stay in cache while the tokens pass in tiles of kTokensPerTile.
void run_tiles(cpu::TileFn fn, int64_t row_tile, const WeightMatrix& w, const uint8_t* xa, size_t x_stride,
               int64_t n_tokens, float* y, int64_t ldy, int64_t row_begin, int64_t row_end) {
  for (int64_t r0 = row_begin; r0 < row_end; r0 += row_tile) {
    const int64_t nr = std::min<int64_t>(row_tile, row_end - r0);
    for (int64_t t0 = 0; t0 < n_tokens; t0 += kTokensPerTile)
      fn(tile_of(w, r0, nr, xa, x_stride, t0, std::min<int64_t>(kTokensPerTile, n_tokens - t0), y, ldy));
  }
}

void run(const KernelSet& ks, const WeightMatrix& w, const float* x, int64_t n_tokens, float* y,
         ThreadPool* pool) {
  WeightKind kind;
  check(w, &kind);
  if (n_tokens <= 0) return;
  const cpu::TileFn fn = ks.tile[static_cast<int>(kind)];
  GEMBA_ASSERT(fn != nullptr, "kernel set ", ks.name, " lacks a tile kernel");

  // Activations in the form the kernel reads: f32 as given, or quantized to 8 bits.
  const uint8_t* xa = reinterpret_cast<const uint8_t*>(x);
  size_t x_stride = static_cast<size_t>(w.cols) * sizeof(float);
  thread_local std::vector<uint8_t> scratch;
  if (is_quantized(kind)) {
    const quant::ActRowLayout layout{w.cols};
    x_stride = layout.row_bytes();
    const size_t need = x_stride * n_tokens + quant::ActRowLayout::kAlign;
    if (scratch.size() < need) scratch.resize(need);
    uint8_t* base = scratch.data();
    base += (quant::ActRowLayout::kAlign - reinterpret_cast<uintptr_t>(base) % quant::ActRowLayout::kAlign) %
            quant::ActRowLayout::kAlign;
    auto quantize = [&](size_t begin, size_t end, int) {
      for (size_t t = begin; t < end; ++t) ks.quantize_act(x + t * w.cols, base + t * x_stride, w.cols);
    };
    if (pool && n_tokens > 1) pool->parallel_for(n_tokens, quantize);
    else quantize(0, n_tokens, 0);
    xa = base;
  }

  const int64_t row_tile = rows_per_tile(ks, kind, w.row_bytes);
  const int kind_index = static_cast<int>(kind);
  const cpu::TileFn panel = n_tokens >= ks.panel_min_tokens[kind_index] ? ks.panel[kind_index] : nullptr;
  auto work = [&](size_t row_begin, size_t row_end, int) {
    if (panel) {
      // Whole panels of 16 rows with every token; a last partial panel falls to the tiles.
      const int64_t panel_rows = (static_cast<int64_t>(row_end - row_begin)) / cpu::kPanelRows * cpu::kPanelRows;
      if (panel_rows > 0) {
        panel(tile_of(w, row_begin, panel_rows, xa, x_stride, 0, n_tokens, y, w.rows));
        row_begin += panel_rows;
      }
    }
    run_tiles(fn, row_tile, w, xa, x_stride, n_tokens, y, w.rows, row_begin, row_end);
  };
  if (!pool || pool->size() == 1) {
    work(0, w.rows, 0);
    return;
  }
  // Split rows in groups of 16 (one 64-byte line of y per token), so threads never write the
  // same cache line. Each output is computed the same way whatever the split: results do not
  // depend on the thread count.
  constexpr int64_t kGroup = 16;
  static_assert(kGroup % cpu::kPanelRows == 0, "a thread's rows must start on a panel boundary");
  const size_t groups = static_cast<size_t>((w.rows + kGroup - 1) / kGroup);
  pool->parallel_for(groups, [&](size_t g0, size_t g1, int i) {
    work(g0 * kGroup, std::min<size_t>(g1 * kGroup, w.rows), i);
  });
}

}  // namespace

void matmul(const WeightMatrix& w, const float* x, int64_t n_tokens, float* y, ThreadPool& pool) {
  run(active(), w, x, n_tokens, y, &pool);
}

void matmul_float_strided(const WeightMatrix& w, const float* x, int64_t x_stride, int64_t n_tokens, float* y,
                          int64_t ldy) {
  WeightKind kind;
  check(w, &kind);
  if (is_quantized(kind)) fail("matmul_float_strided: ", type_label(w.type), " weights are not float weights");
  if (n_tokens <= 0) return;
  const KernelSet& ks = active();
  const cpu::TileFn fn = ks.tile[static_cast<int>(kind)];
  run_tiles(fn, rows_per_tile(ks, kind, w.row_bytes), w, reinterpret_cast<const uint8_t*>(x),
            static_cast<size_t>(x_stride) * sizeof(float), n_tokens, y, ldy, 0, w.rows);
}

void matmul_reference(const WeightMatrix& w, const float* x, int64_t n_tokens, float* y) {
  run(cpu::scalar_kernel_set(), w, x, n_tokens, y, nullptr);
}

void matmul_with_kernels(const std::string& kernel_set, const WeightMatrix& w, const float* x,
                         int64_t n_tokens, float* y, ThreadPool& pool) {
  const KernelSet* ks = find_set(kernel_set);
  if (!ks) fail("kernel set '", kernel_set, "' is not available on this CPU (available: ",
                [] {
                  std::string s;
                  for (const auto& n : available_kernel_sets()) s += (s.empty() ? "" : ", ") + n;
                  return s;
                }(), ")");
  run(*ks, w, x, n_tokens, y, &pool);
}

std::vector<std::string> available_kernel_sets() {
  std::vector<std::string> names;
  for (const KernelSet* s : runnable_sets()) names.emplace_back(s->name);
  return names;
}

void select_kernel_set(const std::string& name) {
  const KernelSet* ks = find_set(name);
  if (!ks) fail("GEMBA_KERNELS / kernel set '", name, "' is not available on this CPU; use one of the sets ",
                "`gemba` lists for this machine (scalar always works)");
  active();  // run the one-time initialization first so it cannot overwrite this choice
  g_active.store(ks, std::memory_order_release);
}

const char* active_kernel_set() { return active().name; }

bool matmul_supports(GgmlType type) {
  WeightKind k;
  return kind_of(type, &k);
}

void dequantize_row(GgmlType type, const uint8_t* src, float* dst, int64_t n) {
  const int64_t be = block_elements(type);
  if (n % be != 0) fail("dequantize_row: ", n, " values is not a multiple of the ", type_label(type), " block (", be, ")");
  switch (type) {
    case GgmlType::F32: std::memcpy(dst, src, n * sizeof(float)); return;
    case GgmlType::F16:
      for (int64_t i = 0; i < n; ++i) {
        uint16_t h;
        std::memcpy(&h, src + 2 * i, 2);
        dst[i] = f16_to_f32(h);
      }
      return;
    case GgmlType::BF16:
      for (int64_t i = 0; i < n; ++i) {
        uint16_t h;
        std::memcpy(&h, src + 2 * i, 2);
        dst[i] = bf16_to_f32(h);
      }
      return;
    case GgmlType::Q8_0: quant::dequantize_row_q8_0(reinterpret_cast<const quant::BlockQ8_0*>(src), dst, n); return;
    case GgmlType::Q4_0: quant::dequantize_row_q4_0(reinterpret_cast<const quant::BlockQ4_0*>(src), dst, n); return;
    case GgmlType::Q4_K: quant::dequantize_row_q4_k(reinterpret_cast<const quant::BlockQ4K*>(src), dst, n); return;
    case GgmlType::Q6_K: quant::dequantize_row_q6_k(reinterpret_cast<const quant::BlockQ6K*>(src), dst, n); return;
    default: fail("dequantize_row: type ", static_cast<uint32_t>(type), " is not supported");
  }
}

void quantize_row(GgmlType type, const float* src, uint8_t* dst, int64_t n) {
  const int64_t be = block_elements(type);
  if (n % be != 0) fail("quantize_row: ", n, " values is not a multiple of the ", type_label(type), " block (", be, ")");
  switch (type) {
    case GgmlType::F32: std::memcpy(dst, src, n * sizeof(float)); return;
    case GgmlType::F16:
      for (int64_t i = 0; i < n; ++i) {
        const uint16_t h = f32_to_f16(src[i]);
        std::memcpy(dst + 2 * i, &h, 2);
      }
      return;
    case GgmlType::BF16:
      for (int64_t i = 0; i < n; ++i) {
        const uint16_t h = f32_to_bf16(src[i]);
        std::memcpy(dst + 2 * i, &h, 2);
      }
      return;
    case GgmlType::Q8_0: quant::quantize_row_q8_0(src, reinterpret_cast<quant::BlockQ8_0*>(dst), n); return;
    case GgmlType::Q4_0: quant::quantize_row_q4_0(src, reinterpret_cast<quant::BlockQ4_0*>(dst), n); return;
    case GgmlType::Q4_K: quant::quantize_row_q4_k(src, reinterpret_cast<quant::BlockQ4K*>(dst), n); return;
    case GgmlType::Q6_K: quant::quantize_row_q6_k(src, reinterpret_cast<quant::BlockQ6K*>(dst), n); return;
    default: fail("quantize_row: type ", static_cast<uint32_t>(type), " is not supported");
  }
}

}  // namespace gemba::engine
