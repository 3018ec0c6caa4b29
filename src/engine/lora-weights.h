// A LoRA adapter (Hu et al. 2021) in memory, whatever file it came from: per (layer,
// projection) the low-rank factors A [r, in] and B [out, r] in f32 and the adapter's alpha.
// The projection's output becomes y = W x + user_scale * (alpha / r) * B (A x).
//
// q/k row order: GGUF models keep q/k rows permuted for adjacent-pairs RoPE (rope.h), HF
// models keep them in rotate-half order. B's rows (the projection's outputs) must follow the
// order of the model the adapter is applied to, so every adapter records its order
// (`qk_rows`) and with_qk_rows() converts it. A is never permuted (it maps the input side).
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "engine/lora-adapter.h"
#include "engine/rope.h"
#include "format/model-config.h"

namespace gemba::engine {

// The seven per-layer projections an adapter may target.
inline constexpr Projection kLoraProjections[] = {Projection::kQ,    Projection::kK,  Projection::kV,   Projection::kO,
                                                  Projection::kGate, Projection::kUp, Projection::kDown};

// "q_proj", "k_proj", ... (the HF module name) and "attn_q", "attn_k", ... (the GGUF name).
const char* hf_module_name(Projection p);
const char* gguf_tensor_stem(Projection p);
// "self_attn" or "mlp": the HF submodule the projection lives in.
const char* hf_block_name(Projection p);
std::optional<Projection> projection_from_hf_module(const std::string& module);  // "q_proj" -> kQ
std::optional<Projection> projection_from_gguf_stem(const std::string& stem);    // "attn_q" -> kQ

// The weight shape [out, in] of one projection in a model of this configuration.
struct ProjectionShape {
  int64_t out = 0, in = 0;
};
ProjectionShape projection_shape(const format::ModelConfig& config, Projection p);

struct LoraPair {
  int64_t layer = 0;
  Projection projection = Projection::kQ;
  int64_t rank = 0, in = 0, out = 0;
  std::vector<float> a;  // [rank, in]
  std::vector<float> b;  // [out, rank]
  std::string name;      // the tensor name in the source file, for error messages
};

struct LoraAdapter {
  std::string source;  // the file or directory read (named in errors)
  float alpha = 0;     // scale alpha / rank per pair; llama.cpp: alpha 0 means scale 1
  RopeStyle qk_rows = RopeStyle::kRotateHalf;  // order of B's rows for q/k (see top)
  std::string base_model;  // adapter_config.json's base_model_name_or_path, if any
  std::vector<LoraPair> pairs;

  // alpha / rank of one pair (1 when alpha is 0, as llama.cpp does).
  float pair_scale(const LoraPair& p) const { return alpha == 0 ? 1.0f : alpha / static_cast<float>(p.rank); }
  const LoraPair* find(int64_t layer, Projection p) const;
  // The largest rank of any pair (0 for an empty adapter).
  int64_t max_rank() const;
};

// The adapter with q/k B rows in `order` (a copy; unchanged when already in that order).
// head_dim: the base model's; needed whenever q or k is targeted.
LoraAdapter with_qk_rows(const LoraAdapter& adapter, RopeStyle order, int64_t head_dim);

// Checks every pair against the base model: layer in range, A [r, in] and B [out, r] with the
// projection's in/out. Throws gemba::Error naming the adapter, the tensor and both shapes.
void validate_lora_for_model(const LoraAdapter& adapter, const format::ModelConfig& config, const std::string& model_what);

// Reads an adapter: a directory is PEFT (adapter_config.json + adapter_model.safetensors),
// a file is a GGUF LoRA adapter (llama.cpp's format). See lora-peft.h / lora-gguf.h.
LoraAdapter read_lora_adapter(const std::string& path);

// "FILE[:scale]" -> (FILE, scale); scale defaults to 1. The last ':' splits only when what
// follows it is a number, so paths with colons still work.
struct LoraSpec {
  std::string path;
  float scale = 1.0f;
};
LoraSpec parse_lora_spec(const std::string& spec);

}  // namespace gemba::engine
