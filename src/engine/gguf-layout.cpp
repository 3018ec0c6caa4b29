#include "engine/gguf-layout.h"

#include <regex>

#include "core/error.h"

namespace gemba::engine {

std::string gguf_name_for_hf(const std::string& hf_name) {
  if (hf_name == "model.embed_tokens.weight") return "token_embd.weight";
  if (hf_name == "model.norm.weight") return "output_norm.weight";
  if (hf_name == "lm_head.weight") return "output.weight";
  static const std::regex layer(R"(model\.layers\.(\d+)\.(.+)\.weight)");
  std::smatch m;
  if (!std::regex_match(hf_name, m, layer)) return "";
  static const std::pair<const char*, const char*> kMap[] = {
      {"self_attn.q_proj", "attn_q"},    {"self_attn.k_proj", "attn_k"},      {"self_attn.v_proj", "attn_v"},
      {"self_attn.o_proj", "attn_output"}, {"mlp.gate_proj", "ffn_gate"},     {"mlp.up_proj", "ffn_up"},
      {"mlp.down_proj", "ffn_down"},     {"input_layernorm", "attn_norm"},  {"post_attention_layernorm", "ffn_norm"},
  };
  for (const auto& [hf, gguf] : kMap)
    if (m[2] == hf) return "blk." + m[1].str() + "." + gguf + ".weight";
  return "";
}

RopePermute rope_permute_for_gguf(const std::string& gguf_name) {
  auto ends_with = [&](const char* s) {
    const std::string suffix(s);
    return gguf_name.size() >= suffix.size() && gguf_name.compare(gguf_name.size() - suffix.size(), suffix.size(), suffix) == 0;
  };
  if (ends_with(".attn_q.weight")) return RopePermute::kQuery;
  if (ends_with(".attn_k.weight")) return RopePermute::kKey;
  return RopePermute::kNone;
}

GgmlType gguf_storage_type(const std::string& gguf_name, uint64_t n_dims, uint64_t row_length, GgmlType requested) {
  if (n_dims < 2) return GgmlType::F32;
  GgmlType type = requested;
  if (type == GgmlType::Q4_0 && gguf_name == "output.weight") type = GgmlType::Q8_0;
  if (row_length % format::ggml_block_elements(type) != 0) type = GgmlType::F16;
  return type;
}

uint32_t gguf_file_type(GgmlType requested) {
  switch (requested) {
    case GgmlType::F32: return 0;
    case GgmlType::F16: return 1;
    case GgmlType::Q4_0: return 2;
    case GgmlType::Q8_0: return 7;
    case GgmlType::BF16: return 32;
    default: fail("no GGUF file type for ", format::ggml_type_name(requested));
  }
}

void require_writable_type(GgmlType requested, const std::string& what) {
  switch (requested) {
    case GgmlType::F32: case GgmlType::F16: case GgmlType::BF16: case GgmlType::Q8_0: case GgmlType::Q4_0: return;
    default:
      fail(what, ": gemba cannot write type ", format::ggml_type_name(requested), "; use one of f32, f16, bf16, q8_0, q4_0");
  }
}

}  // namespace gemba::engine
