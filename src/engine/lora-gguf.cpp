#include "engine/lora-gguf.h"

#include <filesystem>
#include <map>
#include <regex>

#include "core/error.h"
#include "core/log.h"
#include "engine/cpu/matmul.h"
#include "engine/lora-peft.h"
#include "engine/row-codec.h"

namespace gemba::engine {

namespace {

// Rows of a 2-D GGUF tensor (ne = [cols, rows]) decoded to f32: [rows, cols].
std::vector<float> decode_matrix(const format::GgufTensorInfo& t, const std::string& path) {
  const format::GgmlType type = t.type;
  const bool plain = type == format::GgmlType::F32 || type == format::GgmlType::F16 || type == format::GgmlType::BF16;
  if (!plain && !matmul_supports(type))
    fail(path, ": tensor '", t.name, "' has type ", format::ggml_type_name(type),
         "; LoRA factors must be f32, f16, bf16, q8_0 or q4_0");
  const int64_t cols = static_cast<int64_t>(t.dims[0]), rows = static_cast<int64_t>(t.dims[1]);
  const uint64_t row_bytes = format::ggml_row_bytes(type, t.dims[0]);
  if (row_bytes * t.dims[1] != t.n_bytes) fail(path, ": tensor '", t.name, "' holds ", t.n_bytes, " bytes, its shape needs ", row_bytes * t.dims[1]);
  std::vector<float> out(static_cast<size_t>(rows * cols));
  for (int64_t r = 0; r < rows; ++r) decode_row(type, t.data + static_cast<uint64_t>(r) * row_bytes, out.data() + r * cols, cols);
  return out;
}

}  // namespace

LoraAdapter read_gguf_lora_adapter(const std::string& path) {
  const format::GgufFile file = format::GgufFile::open(path);
  const std::string general_type = file.get_string("general.type", "");
  if (general_type != "adapter")
    fail(path, ": general.type is '", general_type, "', not 'adapter'",
         general_type.empty() || general_type == "model" ? " (this looks like a model file, not a LoRA adapter)" : "");
  const std::string adapter_type = file.get_string("adapter.type", "");
  if (adapter_type != "lora") fail(path, ": adapter.type is '", adapter_type, "'; only 'lora' adapters are supported");
  const std::string arch = file.get_string("general.architecture", "llama");
  if (arch != "llama") fail(path, ": the adapter is for architecture '", arch, "'; gemba runs 'llama' models");

  LoraAdapter adapter;
  adapter.source = path;
  adapter.alpha = static_cast<float>(file.get_float("adapter.lora.alpha", 0.0));
  adapter.qk_rows = RopeStyle::kAdjacentPairs;
  adapter.base_model = file.get_string("general.base_model.0.name", "");

  static const std::regex kName(R"(^blk\.(\d+)\.(\w+)\.weight\.lora_([ab])$)");
  struct Halves {
    const format::GgufTensorInfo* a = nullptr;
    const format::GgufTensorInfo* b = nullptr;
  };
  std::map<std::pair<int64_t, int>, Halves> found;
  for (const auto& t : file.tensors()) {
    std::smatch m;
    const auto p = std::regex_match(t.name, m, kName) ? projection_from_gguf_stem(m[2].str()) : std::nullopt;
    if (!p)
      fail(path, ": tensor '", t.name,
           "' is not a LoRA factor gemba applies (expected blk.N.{attn_q,attn_k,attn_v,attn_output,ffn_gate,ffn_up,ffn_down}"
           ".weight.lora_{a,b})");
    if (t.dims.size() != 2) fail(path, ": tensor '", t.name, "' has ", t.dims.size(), " dimensions; expected 2");
    Halves& h = found[{std::stoll(m[1].str()), static_cast<int>(*p)}];
    (m[3] == "a" ? h.a : h.b) = &t;
  }
  for (const auto& [key, h] : found) {
    const format::GgufTensorInfo* some = h.a ? h.a : h.b;
    if (!h.a || !h.b) fail(path, ": tensor '", some->name, "' has no matching lora_", h.a ? "b" : "a", " tensor (the file is incomplete)");
    LoraPair pair;
    pair.layer = key.first;
    pair.projection = static_cast<Projection>(key.second);
    pair.name = h.a->name;
    pair.in = static_cast<int64_t>(h.a->dims[0]);
    pair.rank = static_cast<int64_t>(h.a->dims[1]);
    pair.out = static_cast<int64_t>(h.b->dims[1]);
    if (static_cast<int64_t>(h.b->dims[0]) != pair.rank)
      fail(path, ": '", h.a->name, "' has ne [", h.a->dims[0], ", ", h.a->dims[1], "] but '", h.b->name, "' has ne [", h.b->dims[0], ", ",
           h.b->dims[1], "]; lora_b must be ne [r, out] with lora_a's r (ne [in, r])");
    if (pair.rank <= 0 || pair.in <= 0 || pair.out <= 0) fail(path, ": tensor '", h.a->name, "' has an empty shape");
    pair.a = decode_matrix(*h.a, path);  // [r, in]
    pair.b = decode_matrix(*h.b, path);  // [out, r]
    adapter.pairs.push_back(std::move(pair));
  }
  if (adapter.pairs.empty()) fail(path, ": no LoRA tensors found");
  return adapter;
}

void write_gguf_lora_adapter(const LoraAdapter& adapter_in, const std::string& path, int64_t head_dim, format::GgmlType type) {
  if (type != format::GgmlType::F32 && type != format::GgmlType::F16 && type != format::GgmlType::BF16 && type != format::GgmlType::Q8_0)
    fail(path, ": LoRA adapters are written as f32, f16, bf16 or q8_0, not ", format::ggml_type_name(type));
  const LoraAdapter adapter = with_qk_rows(adapter_in, RopeStyle::kAdjacentPairs, head_dim);
  format::GgufWriter writer;
  writer.set_string("general.architecture", "llama");
  writer.set_string("general.type", "adapter");
  writer.set_string("general.name", std::filesystem::path(adapter.source).filename().string());
  if (!adapter.base_model.empty()) {
    writer.set_u32("general.base_model.count", 1);
    writer.set_string("general.base_model.0.name", adapter.base_model);
  }
  writer.set_string("adapter.type", "lora");
  writer.set_f32("adapter.lora.alpha", adapter.alpha);
  // Factors are encoded at write(), from this copy.
  auto owned = std::make_shared<LoraAdapter>(adapter);
  for (const auto& p : owned->pairs) {
    const std::string stem = "blk." + std::to_string(p.layer) + "." + gguf_tensor_stem(p.projection) + ".weight";
    auto add = [&](const std::string& name, const std::vector<float>& m, int64_t rows, int64_t cols) {
      format::GgmlType t = type;
      if (cols % static_cast<int64_t>(format::ggml_block_elements(t)) != 0) t = format::GgmlType::F16;
      const uint64_t row_bytes = format::ggml_row_bytes(t, static_cast<uint64_t>(cols));
      const float* src = m.data();
      writer.add_tensor(name, {static_cast<uint64_t>(cols), static_cast<uint64_t>(rows)}, t, row_bytes * static_cast<uint64_t>(rows),
                        [owned, src, rows, cols, row_bytes, t](uint8_t* dst) {
                          for (int64_t r = 0; r < rows; ++r) encode_row(t, src + r * cols, dst + static_cast<uint64_t>(r) * row_bytes, cols);
                        });
    };
    add(stem + ".lora_a", p.a, p.rank, p.in);   // ne [in, r]
    add(stem + ".lora_b", p.b, p.out, p.rank);  // ne [r, out]
  }
  writer.write(path);
}

format::ModelConfig read_base_model_config(const std::string& path) {
  if (std::filesystem::is_directory(path)) return format::ModelConfig::from_hf_dir(path);
  if (!std::filesystem::exists(path)) fail(path, ": no such base model (an HF directory or a GGUF file)");
  return format::ModelConfig::from_gguf(format::GgufFile::open(path));
}

void convert_peft_to_gguf(const std::string& peft_dir, const std::string& gguf_path, const std::string& base_model,
                          format::GgmlType type) {
  const LoraAdapter adapter = read_peft_adapter(peft_dir);
  std::string base = base_model;
  if (base.empty() && !adapter.base_model.empty() && std::filesystem::exists(adapter.base_model)) base = adapter.base_model;
  int64_t head_dim = 0;
  if (!base.empty()) {
    const format::ModelConfig config = read_base_model_config(base);
    validate_lora_for_model(adapter, config, base);
    head_dim = config.head_dim();
  } else {
    for (const auto& p : adapter.pairs)
      if (p.projection == Projection::kQ || p.projection == Projection::kK)
        fail(peft_dir, ": the adapter targets q_proj/k_proj, whose rows GGUF permutes per attention head; name the base model "
             "(its config gives head_dim) -- base_model_name_or_path '", adapter.base_model, "' is not a local path");
  }
  write_gguf_lora_adapter(adapter, gguf_path, head_dim, type);
  log_info("wrote ", gguf_path, " (", adapter.pairs.size(), " LoRA pairs from ", peft_dir, ")");
}

}  // namespace gemba::engine
