#include "engine/lora-weights.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>

#include "core/error.h"
#include "engine/lora-gguf.h"
#include "engine/lora-peft.h"

namespace gemba::engine {

namespace {

struct ProjectionNames {
  Projection p;
  const char* hf_module;
  const char* hf_block;
  const char* gguf_stem;
};
constexpr ProjectionNames kNames[] = {
    {Projection::kQ, "q_proj", "self_attn", "attn_q"},    {Projection::kK, "k_proj", "self_attn", "attn_k"},
    {Projection::kV, "v_proj", "self_attn", "attn_v"},    {Projection::kO, "o_proj", "self_attn", "attn_output"},
    {Projection::kGate, "gate_proj", "mlp", "ffn_gate"}, {Projection::kUp, "up_proj", "mlp", "ffn_up"},
    {Projection::kDown, "down_proj", "mlp", "ffn_down"},
};

const ProjectionNames& names_of(Projection p) {
  for (const auto& n : kNames)
    if (n.p == p) return n;
  fail("LoRA: projection ", static_cast<int>(p), " cannot carry an adapter (only the seven per-layer projections)");
}

}  // namespace

const char* hf_module_name(Projection p) { return names_of(p).hf_module; }
const char* gguf_tensor_stem(Projection p) { return names_of(p).gguf_stem; }
const char* hf_block_name(Projection p) { return names_of(p).hf_block; }

std::optional<Projection> projection_from_hf_module(const std::string& module) {
  for (const auto& n : kNames)
    if (module == n.hf_module) return n.p;
  return std::nullopt;
}

std::optional<Projection> projection_from_gguf_stem(const std::string& stem) {
  for (const auto& n : kNames)
    if (stem == n.gguf_stem) return n.p;
  return std::nullopt;
}

ProjectionShape projection_shape(const format::ModelConfig& c, Projection p) {
  const int64_t H = c.hidden_size, hd = c.head_dim();
  switch (p) {
    case Projection::kQ: return {c.n_heads * hd, H};
    case Projection::kK:
    case Projection::kV: return {c.n_kv_heads * hd, H};
    case Projection::kO: return {H, c.n_heads * hd};
    case Projection::kGate:
    case Projection::kUp: return {c.ffn_size, H};
    case Projection::kDown: return {H, c.ffn_size};
    case Projection::kOutput: return {c.vocab_size, H};
  }
  return {};
}

const LoraPair* LoraAdapter::find(int64_t layer, Projection p) const {
  for (const auto& pair : pairs)
    if (pair.layer == layer && pair.projection == p) return &pair;
  return nullptr;
}

int64_t LoraAdapter::max_rank() const {
  int64_t r = 0;
  for (const auto& p : pairs) r = std::max(r, p.rank);
  return r;
}

LoraAdapter with_qk_rows(const LoraAdapter& adapter, RopeStyle order, int64_t head_dim) {
  LoraAdapter out = adapter;
  if (adapter.qk_rows == order) return out;
  out.qk_rows = order;
  for (auto& pair : out.pairs) {
    if (pair.projection != Projection::kQ && pair.projection != Projection::kK) continue;
    if (head_dim <= 0 || head_dim % 2 != 0 || pair.out % head_dim != 0)
      fail(adapter.source, ": tensor '", pair.name, "' has ", pair.out, " output rows, not a multiple of the base model's head_dim ",
           head_dim, " (is this the adapter of another model?)");
    const int64_t r = pair.rank;
    const std::vector<float>& src = adapter.find(pair.layer, pair.projection)->b;
    for (int64_t row = 0; row < pair.out; ++row) {
      // GGUF row `row` holds HF row rope_gguf_source_row(row).
      const int64_t hf_row = rope_gguf_source_row(row, head_dim);
      const int64_t to = order == RopeStyle::kAdjacentPairs ? row : hf_row;
      const int64_t from = order == RopeStyle::kAdjacentPairs ? hf_row : row;
      std::copy_n(src.begin() + from * r, r, pair.b.begin() + to * r);
    }
  }
  return out;
}

void validate_lora_for_model(const LoraAdapter& adapter, const format::ModelConfig& config, const std::string& model_what) {
  if (adapter.pairs.empty()) fail(adapter.source, ": the adapter holds no LoRA tensors");
  for (const auto& p : adapter.pairs) {
    if (p.layer < 0 || p.layer >= config.n_layers)
      fail(adapter.source, ": tensor '", p.name, "' is for layer ", p.layer, " but the model ", model_what, " has ",
           config.n_layers, " layers");
    const ProjectionShape want = projection_shape(config, p.projection);
    if (p.in != want.in || p.out != want.out)
      fail(adapter.source, ": tensor '", p.name, "' adapts a [", p.out, ", ", p.in, "] (out, in) projection (lora_A [", p.rank,
           ", ", p.in, "], lora_B [", p.out, ", ", p.rank, "]) but ", hf_module_name(p.projection), " of the model ", model_what,
           " is [", want.out, ", ", want.in, "]; the adapter was trained for another model");
  }
}

LoraAdapter read_lora_adapter(const std::string& path) {
  if (std::filesystem::is_directory(path)) return read_peft_adapter(path);
  if (!std::filesystem::exists(path)) fail(path, ": no such LoRA adapter (a PEFT directory or a GGUF adapter file)");
  return read_gguf_lora_adapter(path);
}

LoraSpec parse_lora_spec(const std::string& spec) {
  LoraSpec s{spec, 1.0f};
  const size_t colon = spec.rfind(':');
  if (colon == std::string::npos || colon + 1 >= spec.size()) return s;
  const std::string tail = spec.substr(colon + 1);
  char* end = nullptr;
  const float v = std::strtof(tail.c_str(), &end);
  if (end == tail.c_str() || *end != '\0') return s;  // not a number: part of the path
  s.path = spec.substr(0, colon);
  s.scale = v;
  if (s.path.empty()) fail("--lora '", spec, "': expected FILE[:scale]");
  return s;
}

}  // namespace gemba::engine
