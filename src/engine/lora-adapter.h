// The hook through which a low-rank adapter (LoRA, Hu et al. 2021) will modify the model's
// projections: after each projection y = W x the forward pass calls the adapter, which may
// add its delta (y += scale * B A x). This header is only the interface the forward pass
// honours; adapter files are read by lora-weights.h (PEFT, GGUF) and applied by
// lora-apply.h (LoraApplier, `--lora FILE[:scale]`).
// Note: for GGUF-loaded models the q/k rows are in llama.cpp's permuted order (rope.h), so an
// adapter's B rows for q/k must be permuted the same way (with_qk_rows does it).
#pragma once
#include <cstdint>

#include "core/thread-pool.h"

namespace gemba::engine {

enum class Projection { kQ, kK, kV, kO, kGate, kUp, kDown, kOutput };

class ProjectionAdapter {
 public:
  virtual ~ProjectionAdapter() = default;
  // x: [n_tokens, in_dim] (the projection's input), y: [n_tokens, out_dim] (W x, to update
  // in place). layer is -1 for kOutput.
  virtual void apply(int64_t layer, Projection projection, const float* x, int64_t n_tokens, int64_t in_dim, float* y,
                     int64_t out_dim, ThreadPool& pool) const = 0;
};

}  // namespace gemba::engine
