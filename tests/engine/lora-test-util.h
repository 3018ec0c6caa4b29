// Helpers for the LoRA tests: random adapters for tiny models, and logits of a model with
// adapters attached.
#pragma once
#include <random>
#include <string>
#include <vector>

#include "engine/engine-test-util.h"
#include "engine/llama-model.h"
#include "engine/lora-apply.h"
#include "engine/lora-weights.h"
#include "engine/random-model.h"

namespace gemba::engine::testing {

inline const std::vector<int32_t> kLoraPrompt = {1, 77, 5, 260, 130, 42, 299, 9};

// A random adapter in HF q/k order for every layer and all seven projections (or `targets`).
// Factors are uniform in [-range, range], large enough to move the logits visibly.
inline LoraAdapter random_lora(const format::ModelConfig& c, int64_t rank, float alpha, uint32_t seed,
                               std::vector<Projection> targets = {std::begin(kLoraProjections), std::end(kLoraProjections)},
                               float range = 0.3f) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> u(-range, range);
  LoraAdapter a;
  a.source = "random-lora-" + std::to_string(seed);
  a.alpha = alpha;
  a.qk_rows = RopeStyle::kRotateHalf;
  for (int64_t l = 0; l < c.n_layers; ++l)
    for (Projection p : targets) {
      const ProjectionShape s = projection_shape(c, p);
      LoraPair pair;
      pair.layer = l;
      pair.projection = p;
      pair.rank = rank;
      pair.in = s.in;
      pair.out = s.out;
      pair.name = "layers." + std::to_string(l) + "." + hf_module_name(p);
      pair.a.resize(static_cast<size_t>(rank * s.in));
      pair.b.resize(static_cast<size_t>(s.out * rank));
      for (auto& v : pair.a) v = u(rng);
      for (auto& v : pair.b) v = u(rng);
      a.pairs.push_back(std::move(pair));
    }
  return a;
}

// A tiny HF model directory with std-0.1 random weights (see test-llama-forward.cpp).
inline std::string write_tiny_hf(const ScratchDir& dir, const std::string& name, int64_t n_heads = 4, int64_t n_kv_heads = 2,
                                 bool tied = false, uint64_t seed = 7) {
  RandomModelOptions opt;
  opt.seed = seed;
  opt.init_std = 0.1f;
  opt.n_threads = 2;
  const std::string path = dir / name;
  write_random_model(tiny_config(n_heads, n_kv_heads, tied), path, opt);
  return path;
}

struct AttachedLora {
  std::string path;
  float scale = 1.0f;
};

// All-token logits [T, vocab] of `model_path` with the adapters applied unmerged.
inline std::vector<float> lora_logits(const std::string& model_path, const std::vector<std::string>& specs, int threads = 2) {
  LlamaModel model(ModelWeights::load(model_path), threads);
  const auto applier = attach_lora_adapters(model, specs);
  KvCache cache = model.new_cache(0, KvType::kF32);
  return model.forward(cache, kLoraPrompt, true);
}

}  // namespace gemba::engine::testing
