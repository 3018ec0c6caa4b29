#include "engine/model-weights.h"

#include <filesystem>
#include <map>

#include "core/error.h"
#include "engine/float-convert.h"
#include "format/gguf.h"
#include "format/safetensors.h"

namespace gemba::engine {

ModelWeights::ModelWeights() = default;
ModelWeights::ModelWeights(ModelWeights&&) noexcept = default;
ModelWeights& ModelWeights::operator=(ModelWeights&&) noexcept = default;
ModelWeights::~ModelWeights() = default;

namespace {

const char* kSupportedTypes = "f32, f16, bf16, q8_0, q4_0";

// Tallies weight bytes per type so the model can be described as "Q4_0" etc.
struct TypeTally {
  std::map<std::string, uint64_t> bytes;
  uint64_t total = 0;
  void add(GgmlType type, uint64_t n) {
    bytes[format::ggml_type_name(type)] += n;
    total += n;
  }
  std::string main_type() const {
    std::string best;
    uint64_t most = 0;
    for (const auto& [name, n] : bytes)
      if (n > most) most = n, best = name;
    return best;
  }
};

// ---- GGUF ----

WeightMatrix gguf_matrix(const format::GgufFile& file, const std::string& name, int64_t rows, int64_t cols, TypeTally& tally) {
  const format::GgufTensorInfo* t = file.find_tensor(name);
  if (!t) fail(file.path(), ": missing tensor '", name, "'; is this a Llama-architecture GGUF?");
  if (t->dims.size() != 2 || t->dims[0] != static_cast<uint64_t>(cols) || t->dims[1] != static_cast<uint64_t>(rows))
    fail(file.path(), ": tensor '", name, "' has shape ", t->dims.size() > 1 ? cat(t->dims[0], "x", t->dims[1]) : cat(t->dims.size(), "-d"),
         " (fastest-varying first); the model config needs ", cols, "x", rows);
  if (!format::ggml_type_known(t->type) || !matmul_supports(t->type))
    fail(file.path(), ": tensor '", name, "' has type ", format::ggml_type_name(t->type),
         ", which gemba's engine does not support (supported: ", kSupportedTypes,
         "); re-quantize the source model with `gemba quantize IN OUT q8_0`");
  WeightMatrix w;
  w.type = t->type;
  w.data = t->data;
  w.rows = rows;
  w.cols = cols;
  w.row_bytes = format::ggml_row_bytes(t->type, static_cast<uint64_t>(cols));
  if (w.row_bytes * static_cast<uint64_t>(rows) != t->n_bytes)
    fail(file.path(), ": tensor '", name, "' holds ", t->n_bytes, " bytes; ", rows, " rows of ", cols, " ",
         format::ggml_type_name(t->type), " need ", w.row_bytes * rows);
  tally.add(t->type, t->n_bytes);
  return w;
}

std::vector<float> gguf_vector(const format::GgufFile& file, const std::string& name, int64_t n) {
  const format::GgufTensorInfo* t = file.find_tensor(name);
  if (!t) fail(file.path(), ": missing tensor '", name, "'");
  if (t->dims.size() != 1 || t->dims[0] != static_cast<uint64_t>(n))
    fail(file.path(), ": tensor '", name, "' should be a vector of ", n, " values");
  FloatKind kind;
  switch (t->type) {
    case GgmlType::F32: kind = FloatKind::kF32; break;
    case GgmlType::F16: kind = FloatKind::kF16; break;
    case GgmlType::BF16: kind = FloatKind::kBF16; break;
    default:
      fail(file.path(), ": tensor '", name, "' has type ", format::ggml_type_name(t->type),
           "; norm weights must be f32, f16 or bf16");
  }
  if (t->n_bytes != static_cast<uint64_t>(n) * (kind == FloatKind::kF32 ? 4 : 2))
    fail(file.path(), ": tensor '", name, "' has the wrong byte size");
  std::vector<float> v(static_cast<size_t>(n));
  float_row_to_f32(kind, t->data, v.data(), n);
  return v;
}

// ---- HF ----

GgmlType ggml_type_for_dtype(const format::TensorView& t, const std::string& dir) {
  switch (t.dtype) {
    case format::DType::F32: return GgmlType::F32;
    case format::DType::F16: return GgmlType::F16;
    case format::DType::BF16: return GgmlType::BF16;
    default:
      fail(dir, ": tensor '", t.name, "' has dtype ", format::dtype_name(t.dtype),
           ", which gemba's engine does not support (supported: F32, F16, BF16)");
  }
}

WeightMatrix hf_matrix(const format::SafetensorsModel& model, const std::string& name, int64_t rows, int64_t cols, TypeTally& tally) {
  const format::TensorView* t = model.find(name);
  if (!t) fail(model.dir(), ": missing tensor '", name, "'; is this a LlamaForCausalLM checkpoint?");
  if (t->shape.size() != 2 || t->shape[0] != rows || t->shape[1] != cols)
    fail(model.dir(), ": tensor '", name, "' has the wrong shape; config.json needs [", rows, ", ", cols, "]");
  WeightMatrix w;
  w.type = ggml_type_for_dtype(*t, model.dir());
  w.data = t->data;
  w.rows = rows;
  w.cols = cols;
  w.row_bytes = format::ggml_row_bytes(w.type, static_cast<uint64_t>(cols));
  if (w.row_bytes * static_cast<uint64_t>(rows) != t->n_bytes)
    fail(model.dir(), ": tensor '", name, "' holds ", t->n_bytes, " bytes, expected ", w.row_bytes * rows);
  if (!matmul_supports(w.type))
    fail(model.dir(), ": tensor '", name, "' has type ", format::ggml_type_name(w.type), ", which the kernels do not support");
  tally.add(w.type, t->n_bytes);
  return w;
}

std::vector<float> hf_vector(const format::SafetensorsModel& model, const std::string& name, int64_t n) {
  const format::TensorView* t = model.find(name);
  if (!t) fail(model.dir(), ": missing tensor '", name, "'");
  if (t->shape.size() != 1 || t->shape[0] != n) fail(model.dir(), ": tensor '", name, "' should be a vector of ", n, " values");
  ggml_type_for_dtype(*t, model.dir());
  return format::to_f32(*t);
}

}  // namespace

ModelWeights ModelWeights::load(const std::string& path) {
  namespace fs = std::filesystem;
  if (fs::is_directory(path)) return from_hf_dir(path);
  if (!fs::exists(path)) fail(path, ": no such file or directory; pass a .gguf file or an HF model directory");
  return from_gguf(std::make_shared<const format::GgufFile>(format::GgufFile::open(path)));
}

ModelWeights ModelWeights::from_gguf(std::shared_ptr<const format::GgufFile> file) {
  ModelWeights m;
  m.gguf_ = file;
  m.path = file->path();
  m.format_name = "gguf";
  m.rope_style = RopeStyle::kAdjacentPairs;
  const std::string arch = file->get_string("general.architecture", "llama");
  if (arch != "llama")
    fail(file->path(), ": general.architecture is '", arch, "'; gemba's engine runs Llama-architecture models only");
  m.config = format::ModelConfig::from_gguf(*file);
  const format::GgufTensorInfo* embd = file->find_tensor("token_embd.weight");
  if (!embd) fail(file->path(), ": missing tensor 'token_embd.weight'");
  if (embd->dims.size() == 2) m.config.vocab_size = static_cast<int64_t>(embd->dims[1]);
  m.config.tie_embeddings = file->find_tensor("output.weight") == nullptr;
  m.config.validate(file->path());
  const auto& c = m.config;
  const int64_t hd = c.head_dim();
  TypeTally tally;
  m.token_embd = gguf_matrix(*file, "token_embd.weight", c.vocab_size, c.hidden_size, tally);
  for (int64_t l = 0; l < c.n_layers; ++l) {
    const std::string p = cat("blk.", l, ".");
    LayerWeights w;
    w.attn_norm = gguf_vector(*file, p + "attn_norm.weight", c.hidden_size);
    w.wq = gguf_matrix(*file, p + "attn_q.weight", c.n_heads * hd, c.hidden_size, tally);
    w.wk = gguf_matrix(*file, p + "attn_k.weight", c.n_kv_heads * hd, c.hidden_size, tally);
    w.wv = gguf_matrix(*file, p + "attn_v.weight", c.n_kv_heads * hd, c.hidden_size, tally);
    w.wo = gguf_matrix(*file, p + "attn_output.weight", c.hidden_size, c.n_heads * hd, tally);
    w.ffn_norm = gguf_vector(*file, p + "ffn_norm.weight", c.hidden_size);
    w.w_gate = gguf_matrix(*file, p + "ffn_gate.weight", c.ffn_size, c.hidden_size, tally);
    w.w_up = gguf_matrix(*file, p + "ffn_up.weight", c.ffn_size, c.hidden_size, tally);
    w.w_down = gguf_matrix(*file, p + "ffn_down.weight", c.hidden_size, c.ffn_size, tally);
    m.layers.push_back(std::move(w));
  }
  m.output_norm = gguf_vector(*file, "output_norm.weight", c.hidden_size);
  m.output = c.tie_embeddings ? m.token_embd : gguf_matrix(*file, "output.weight", c.vocab_size, c.hidden_size, tally);
  m.weight_bytes = tally.total;
  m.main_type = tally.main_type();
  return m;
}

ModelWeights ModelWeights::from_hf_dir(const std::string& dir) {
  ModelWeights m;
  m.path = dir;
  m.format_name = "hf";
  m.rope_style = RopeStyle::kRotateHalf;
  m.config = format::ModelConfig::from_hf_dir(dir);
  auto model = std::make_shared<const format::SafetensorsModel>(format::SafetensorsModel::open_dir(dir));
  m.hf_ = model;
  const format::TensorView* embd = model->find("model.embed_tokens.weight");
  if (embd && embd->shape.size() == 2) m.config.vocab_size = embd->shape[0];
  const bool has_head = model->find("lm_head.weight") != nullptr;
  m.config.tie_embeddings = !has_head;
  m.config.validate(dir + "/config.json");
  const auto& c = m.config;
  const int64_t hd = c.head_dim();
  TypeTally tally;
  m.token_embd = hf_matrix(*model, "model.embed_tokens.weight", c.vocab_size, c.hidden_size, tally);
  for (int64_t l = 0; l < c.n_layers; ++l) {
    const std::string p = cat("model.layers.", l, ".");
    LayerWeights w;
    w.attn_norm = hf_vector(*model, p + "input_layernorm.weight", c.hidden_size);
    w.wq = hf_matrix(*model, p + "self_attn.q_proj.weight", c.n_heads * hd, c.hidden_size, tally);
    w.wk = hf_matrix(*model, p + "self_attn.k_proj.weight", c.n_kv_heads * hd, c.hidden_size, tally);
    w.wv = hf_matrix(*model, p + "self_attn.v_proj.weight", c.n_kv_heads * hd, c.hidden_size, tally);
    w.wo = hf_matrix(*model, p + "self_attn.o_proj.weight", c.hidden_size, c.n_heads * hd, tally);
    w.ffn_norm = hf_vector(*model, p + "post_attention_layernorm.weight", c.hidden_size);
    w.w_gate = hf_matrix(*model, p + "mlp.gate_proj.weight", c.ffn_size, c.hidden_size, tally);
    w.w_up = hf_matrix(*model, p + "mlp.up_proj.weight", c.ffn_size, c.hidden_size, tally);
    w.w_down = hf_matrix(*model, p + "mlp.down_proj.weight", c.hidden_size, c.ffn_size, tally);
    m.layers.push_back(std::move(w));
  }
  m.output_norm = hf_vector(*model, "model.norm.weight", c.hidden_size);
  m.output = has_head ? hf_matrix(*model, "lm_head.weight", c.vocab_size, c.hidden_size, tally) : m.token_embd;
  m.weight_bytes = tally.total;
  m.main_type = tally.main_type();
  return m;
}

}  // namespace gemba::engine
