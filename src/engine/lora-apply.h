// Applies one or more LoRA adapters at inference without touching the base weights: after
// each projection y = W x the forward pass calls apply(), which adds, per adapter,
//   y += user_scale * (alpha / r) * B (A x)       x [n, in], A [r, in], B [out, r]
// computed as A x first ([n, r], cheap) and then B, so the cost is r * (in + out) per token
// instead of the in * out a merged delta would need.
#pragma once
#include <array>
#include <memory>
#include <string>
#include <vector>

#include "engine/llama-model.h"
#include "engine/lora-weights.h"

namespace gemba::engine {

class LoraApplier : public ProjectionAdapter {
 public:
  // For a model of this configuration and RoPE row order (ModelWeights::rope_style).
  LoraApplier(const format::ModelConfig& config, RopeStyle rope_style, std::string model_what);

  // Adds an adapter with a user scale; validates its shapes against the model and converts
  // its q/k rows to the model's order. Throws gemba::Error naming the file and tensor.
  void add(const LoraAdapter& adapter, float scale);
  size_t n_adapters() const { return n_adapters_; }

  void apply(int64_t layer, Projection projection, const float* x, int64_t n_tokens, int64_t in_dim, float* y, int64_t out_dim,
             ThreadPool& pool) const override;

 private:
  struct Term {
    const LoraPair* pair;
    float scale;            // user scale * alpha / r
    std::vector<float> at;  // A transposed: [in, r], so A x is `in` axpys of length r (no reductions)
    std::vector<float> bt;  // B transposed: [r, out], so B (A x) is r axpys of length out
  };
  format::ModelConfig config_;
  RopeStyle rope_style_;
  std::string model_what_;
  std::vector<std::unique_ptr<LoraAdapter>> adapters_;  // in the model's q/k row order
  std::vector<std::array<std::vector<Term>, 7>> terms_;  // [layer][projection]
  size_t n_adapters_ = 0;
};

// Several adapters over one base model, chosen per token row (the server: each request
// names base or an adapter, and one batched forward serves them all). Before each forward
// the caller says which adapter every row of the call uses (-1: none); apply() gathers the
// rows of each adapter, runs its applier on them and adds the result back.
class LoraRouter : public ProjectionAdapter {
 public:
  // Adds a named adapter set (one or more adapters with scales); returns its index.
  int add(std::unique_ptr<LoraApplier> applier);
  size_t size() const { return appliers_.size(); }

  // The adapter of each row of the next forward() ([T] over all its tokens, in input order).
  void set_rows(std::vector<int> adapter_of_row) { rows_ = std::move(adapter_of_row); }
  // Every row of the next forward() uses `adapter` (-1: none).
  void set_all(int adapter) { all_ = adapter; rows_.clear(); }

  void apply(int64_t layer, Projection projection, const float* x, int64_t n_tokens, int64_t in_dim, float* y, int64_t out_dim,
             ThreadPool& pool) const override;

 private:
  std::vector<std::unique_ptr<LoraApplier>> appliers_;
  std::vector<int> rows_;  // empty: all_ for every row
  int all_ = -1;
};

// Reads each "FILE[:scale]" spec and attaches the adapters to the model (set_adapter). The
// returned applier must outlive the model's use of it; null when specs is empty.
std::unique_ptr<LoraApplier> attach_lora_adapters(LlamaModel& model, const std::vector<std::string>& specs);

}  // namespace gemba::engine
