// ModelConfig: presets, validation, parameter count, HF config.json and GGUF llama.* keys.
// Architecture: Llama (Touvron et al. 2023, "LLaMA: Open and Efficient Foundation Language Models").
#include "format/model-config.h"

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <limits>

#include "core/error.h"
#include "format/gguf.h"

namespace gemba::format {
namespace {

struct Preset {
  const char* name;
  ModelConfig config;
};

ModelConfig make(int64_t vocab, int64_t hidden, int64_t layers, int64_t heads, int64_t kv_heads, int64_t ffn,
                 int64_t max_pos, const char* dtype) {
  ModelConfig c;
  c.vocab_size = vocab;
  c.hidden_size = hidden;
  c.n_layers = layers;
  c.n_heads = heads;
  c.n_kv_heads = kv_heads;
  c.ffn_size = ffn;
  c.max_position = max_pos;
  c.rope_theta = 10000.0;
  c.rms_eps = 1e-5;
  c.tie_embeddings = false;
  c.bos_id = 1;
  c.eos_id = 2;
  c.pad_id = 4;
  c.torch_dtype = dtype;
  return c;
}

const std::vector<Preset>& presets() {
  static const std::vector<Preset> kPresets = {
      // llm-jp-3 (shapes from the published config.json files).
      {"llm-jp-3-1.8b", make(99584, 2048, 24, 16, 16, 7168, 4096, "bfloat16")},
      {"llm-jp-3-3.7b", make(99584, 3072, 28, 24, 24, 8192, 4096, "bfloat16")},
      // Test shapes: small enough to build in a unit test.
      {"tiny", make(512, 64, 2, 4, 4, 176, 256, "float32")},
      {"tiny-gqa", make(512, 64, 2, 4, 2, 176, 256, "float32")},
      // Demo: ~16.9M parameters, trainable on a few CPU cores in minutes; head_dim 64, 8k vocab rows.
      {"demo", make(8192, 384, 6, 6, 6, 1024, 1024, "float32")},
      // Demo, small: ~3.4M non-embedding parameters, ~3x the training speed of "demo" on a CPU
      // (what make demo trains on 2 cores); head_dim 64.
      {"demo-small", make(4096, 256, 4, 4, 4, 768, 512, "float32")},
      // Demo, deep: demo-small's cost per token, in 8 narrower layers (head_dim 48). At the same
      // CPT budget it binds more values to products (docs/knowledge-experiments.md, run D).
      {"demo-deep", make(4096, 192, 8, 4, 4, 576, 512, "float32")},
  };
  return kPresets;
}

const char* const kDTypes[] = {"float32", "float16", "bfloat16"};

int64_t json_int(const Json& j, const std::string& key, const std::string& what) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) fail(what, ": field '", key, "' is missing");
  if (!it->is_number_integer()) fail(what, ": field '", key, "' must be an integer, got ", it->type_name());
  if (it->is_number_unsigned() && it->get<uint64_t>() > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
    fail(what, ": field '", key, "' is too large");
  return it->get<int64_t>();
}

// A token id field: an integer, null/absent (-> fallback), or a list (first element, as
// some configs list several eos ids).
int64_t json_token_id(const Json& j, const std::string& key, int64_t fallback, const std::string& what) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return fallback;
  const Json* v = &*it;
  if (v->is_array()) {
    if (v->empty()) return fallback;
    v = &(*v)[0];
  }
  if (!v->is_number_integer()) fail(what, ": field '", key, "' must be an integer token id, got ", v->type_name());
  return v->get<int64_t>();
}

double json_number(const Json& j, const std::string& key, double fallback, const std::string& what) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return fallback;
  if (!it->is_number()) fail(what, ": field '", key, "' must be a number, got ", it->type_name());
  return it->get<double>();
}

// A GGUF float: float32 values are widened through their shortest decimal form, so 1e-5
// stored as f32 reads back as the double 1e-5, not 9.99999974738e-06.
double gguf_float(const GgufFile& f, const std::string& key, double fallback) {
  const GgufValue* v = f.find(key);
  if (!v) return fallback;
  double d = v->as_float(f.path() + ": " + key);
  if (v->type != GgufValueType::FLOAT32) return d;
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), static_cast<float>(d));
  if (ec != std::errc()) return d;
  return std::strtod(std::string(buf, end).c_str(), nullptr);
}

}  // namespace

uint64_t ModelConfig::n_params() const {
  if (n_heads <= 0) return 0;  // not a valid config: validate() says why
  const uint64_t h = hidden_size, kv_dim = static_cast<uint64_t>(n_kv_heads) * head_dim();
  const uint64_t attention = h * h /*q*/ + 2 * h * kv_dim /*k, v*/ + h * h /*o*/;
  const uint64_t mlp = 3 * h * static_cast<uint64_t>(ffn_size);  // gate, up, down
  const uint64_t norms = 2 * h;                                   // attn_norm, ffn_norm
  const uint64_t embed = static_cast<uint64_t>(vocab_size) * h;
  return embed + static_cast<uint64_t>(n_layers) * (attention + mlp + norms) + h /*final norm*/ +
         (tie_embeddings ? 0 : embed);
}

void ModelConfig::validate(const std::string& what) const {
  auto positive = [&](int64_t v, const char* field) {
    if (v <= 0) fail(what, ": ", field, " must be positive, got ", v);
  };
  positive(vocab_size, "vocab_size");
  positive(hidden_size, "hidden_size");
  positive(n_layers, "num_hidden_layers");
  positive(n_heads, "num_attention_heads");
  positive(n_kv_heads, "num_key_value_heads");
  positive(ffn_size, "intermediate_size");
  positive(max_position, "max_position_embeddings");
  if (hidden_size % n_heads != 0)
    fail(what, ": hidden_size ", hidden_size, " is not divisible by num_attention_heads ", n_heads);
  if (n_heads % n_kv_heads != 0)
    fail(what, ": num_attention_heads ", n_heads, " is not divisible by num_key_value_heads ", n_kv_heads);
  if (head_dim() % 2 != 0) fail(what, ": head dimension ", head_dim(), " must be even for rotary embeddings");
  if (!(rope_theta > 0) || !std::isfinite(rope_theta)) fail(what, ": rope_theta must be positive, got ", rope_theta);
  if (!(rms_eps > 0) || !std::isfinite(rms_eps)) fail(what, ": rms_norm_eps must be positive, got ", rms_eps);
  auto token = [&](int64_t id, const char* field, bool optional) {
    if (optional && id == -1) return;
    if (id < 0 || id >= vocab_size) fail(what, ": ", field, " ", id, " is outside the vocabulary [0, ", vocab_size, ")");
  };
  token(bos_id, "bos_token_id", true);
  token(eos_id, "eos_token_id", true);
  token(pad_id, "pad_token_id", true);
  bool dtype_ok = false;
  for (const char* d : kDTypes) dtype_ok |= torch_dtype == d;
  if (!dtype_ok) fail(what, ": torch_dtype '", torch_dtype, "' is not one of float32, float16, bfloat16");
}

ModelConfig ModelConfig::preset(const std::string& name) {
  for (const auto& p : presets())
    if (name == p.name) return p.config;
  std::string names;
  for (const auto& p : presets()) names += cat(names.empty() ? "" : ", ", p.name);
  fail("unknown model preset '", name, "' (valid: ", names, ")");
}

std::vector<std::string> ModelConfig::preset_names() {
  std::vector<std::string> names;
  for (const auto& p : presets()) names.push_back(p.name);
  return names;
}

// ---- HF config.json ------------------------------------------------------------------

ModelConfig ModelConfig::from_hf_json(const Json& j, const std::string& what) {
  if (!j.is_object()) fail(what, ": expected a JSON object");
  std::string model_type = json_optional<std::string>(j, "model_type", "llama", what);
  if (model_type != "llama")
    fail(what, ": model_type '", model_type, "' is not supported (gemba runs Llama-architecture models: 'llama')");
  if (auto it = j.find("architectures"); it != j.end() && !it->is_null()) {
    if (!it->is_array()) fail(what, ": field 'architectures' must be a list of strings");
    for (const auto& a : *it)
      if (!a.is_string() || a.get<std::string>() != "LlamaForCausalLM")
        fail(what, ": architectures lists ", a.dump(), "; gemba supports LlamaForCausalLM only");
  }
  std::string act = json_optional<std::string>(j, "hidden_act", "silu", what);
  if (act != "silu") fail(what, ": hidden_act '", act, "' is not supported (Llama uses 'silu')");
  if (json_optional<bool>(j, "attention_bias", false, what))
    fail(what, ": attention_bias = true is not supported (Llama has no attention biases)");
  if (json_optional<bool>(j, "mlp_bias", false, what)) fail(what, ": mlp_bias = true is not supported");
  if (auto it = j.find("rope_scaling"); it != j.end() && !it->is_null())
    fail(what, ": rope_scaling ", it->dump(), " is not supported (use a model without RoPE scaling)");

  ModelConfig c;
  c.vocab_size = json_int(j, "vocab_size", what);
  c.hidden_size = json_int(j, "hidden_size", what);
  c.n_layers = json_int(j, "num_hidden_layers", what);
  c.n_heads = json_int(j, "num_attention_heads", what);
  c.n_kv_heads = j.contains("num_key_value_heads") && !j["num_key_value_heads"].is_null()
                     ? json_int(j, "num_key_value_heads", what)
                     : c.n_heads;
  c.ffn_size = json_int(j, "intermediate_size", what);
  c.max_position = j.contains("max_position_embeddings") ? json_int(j, "max_position_embeddings", what) : 2048;
  c.rope_theta = json_number(j, "rope_theta", 10000.0, what);
  c.rms_eps = json_number(j, "rms_norm_eps", 1e-6, what);  // transformers' LlamaConfig default
  c.tie_embeddings = json_optional<bool>(j, "tie_word_embeddings", false, what);
  c.bos_id = json_token_id(j, "bos_token_id", -1, what);
  c.eos_id = json_token_id(j, "eos_token_id", -1, what);
  c.pad_id = json_token_id(j, "pad_token_id", -1, what);
  c.torch_dtype = json_optional<std::string>(j, "torch_dtype", "float32", what);
  if (j.contains("head_dim") && !j["head_dim"].is_null() && c.n_heads > 0) {
    int64_t head_dim = json_int(j, "head_dim", what);
    if (head_dim != c.hidden_size / c.n_heads)
      fail(what, ": head_dim ", head_dim, " differs from hidden_size / num_attention_heads = ",
           c.hidden_size / c.n_heads, " (not supported)");
  }
  c.validate(what);
  return c;
}

ModelConfig ModelConfig::from_hf_dir(const std::string& dir) {
  const std::string path = (std::filesystem::path(dir) / "config.json").string();
  if (!std::filesystem::exists(path)) fail(dir, ": no config.json (is this a Hugging Face model directory?)");
  return from_hf_json(read_json_file(path), path);
}

Json ModelConfig::to_hf_json() const {
  Json j = Json::object();
  j["architectures"] = Json::array({"LlamaForCausalLM"});
  j["model_type"] = "llama";
  j["vocab_size"] = vocab_size;
  j["hidden_size"] = hidden_size;
  j["num_hidden_layers"] = n_layers;
  j["num_attention_heads"] = n_heads;
  j["num_key_value_heads"] = n_kv_heads;
  j["intermediate_size"] = ffn_size;
  j["max_position_embeddings"] = max_position;
  j["rope_theta"] = rope_theta;
  j["rms_norm_eps"] = rms_eps;
  j["tie_word_embeddings"] = tie_embeddings;
  j["hidden_act"] = "silu";
  j["attention_bias"] = false;
  j["mlp_bias"] = false;
  j["rope_scaling"] = nullptr;
  j["initializer_range"] = 0.02;
  j["use_cache"] = true;
  j["bos_token_id"] = bos_id >= 0 ? Json(bos_id) : Json(nullptr);
  j["eos_token_id"] = eos_id >= 0 ? Json(eos_id) : Json(nullptr);
  j["pad_token_id"] = pad_id >= 0 ? Json(pad_id) : Json(nullptr);
  j["torch_dtype"] = torch_dtype;
  return j;
}

// ---- GGUF llama.* keys ---------------------------------------------------------------

ModelConfig ModelConfig::from_gguf(const GgufFile& f) {
  const std::string arch = f.get_string("general.architecture", "");
  if (arch != "llama")
    fail(f.path(), ": general.architecture is '", arch, "', gemba runs 'llama' models only");
  ModelConfig c;
  c.hidden_size = static_cast<int64_t>(f.get_uint("llama.embedding_length"));
  c.n_layers = static_cast<int64_t>(f.get_uint("llama.block_count"));
  c.n_heads = static_cast<int64_t>(f.get_uint("llama.attention.head_count"));
  c.n_kv_heads = static_cast<int64_t>(f.get_uint("llama.attention.head_count_kv", c.n_heads));
  c.ffn_size = static_cast<int64_t>(f.get_uint("llama.feed_forward_length"));
  c.max_position = static_cast<int64_t>(f.get_uint("llama.context_length", 2048));
  c.rope_theta = gguf_float(f, "llama.rope.freq_base", 10000.0);
  c.rms_eps = gguf_float(f, "llama.attention.layer_norm_rms_epsilon", 1e-5);

  const GgufTensorInfo* embd = f.find_tensor("token_embd");
  uint64_t vocab = f.get_uint("llama.vocab_size", 0);
  if (vocab == 0 && embd && embd->dims.size() == 2) vocab = embd->dims[1];
  if (vocab == 0)
    if (const GgufValue* tokens = f.find("tokenizer.ggml.tokens"); tokens && tokens->type == GgufValueType::ARRAY)
      vocab = tokens->array.size();
  if (vocab == 0) fail(f.path(), ": cannot tell the vocabulary size (no llama.vocab_size, token_embd or tokenizer.ggml.tokens)");
  c.vocab_size = static_cast<int64_t>(vocab);
  if (embd && (embd->dims.size() != 2 || embd->dims[1] != vocab || embd->dims[0] != static_cast<uint64_t>(c.hidden_size)))
    fail(f.path(), ": token_embd has shape [", embd->dims.size() > 1 ? embd->dims[1] : 0, ", ", embd->dims[0],
         "], expected [", vocab, ", ", c.hidden_size, "] from the llama.* keys");
  c.tie_embeddings = embd && !f.find_tensor("output");
  if (uint64_t rope_dims = f.get_uint("llama.rope.dimension_count", 0); rope_dims != 0 && c.n_heads > 0 &&
                                                                       rope_dims != static_cast<uint64_t>(c.hidden_size / c.n_heads))
    fail(f.path(), ": llama.rope.dimension_count ", rope_dims, " differs from the head dimension ",
         c.hidden_size / c.n_heads, " (partial rotary embeddings are not supported)");

  auto token_id = [&](const char* key, int64_t fallback) -> int64_t {
    const GgufValue* v = f.find(key);
    return v ? v->as_int(f.path() + ": " + key) : fallback;
  };
  c.bos_id = token_id("tokenizer.ggml.bos_token_id", -1);
  c.eos_id = token_id("tokenizer.ggml.eos_token_id", -1);
  c.pad_id = token_id("tokenizer.ggml.padding_token_id", -1);
  c.torch_dtype = "float32";
  if (embd && embd->type == GgmlType::F16) c.torch_dtype = "float16";
  if (embd && embd->type == GgmlType::BF16) c.torch_dtype = "bfloat16";
  c.validate(f.path());
  return c;
}

void ModelConfig::to_gguf(GgufWriter& w) const {
  validate("model config");
  auto u32 = [](int64_t v, const char* key) {
    if (v < 0 || v > static_cast<int64_t>(std::numeric_limits<uint32_t>::max()))
      fail("model config: ", key, " ", v, " does not fit in a uint32");
    return static_cast<uint32_t>(v);
  };
  w.set_string("general.architecture", "llama");
  w.set_u32("llama.vocab_size", u32(vocab_size, "vocab_size"));
  w.set_u32("llama.context_length", u32(max_position, "max_position"));
  w.set_u32("llama.embedding_length", u32(hidden_size, "hidden_size"));
  w.set_u32("llama.block_count", u32(n_layers, "n_layers"));
  w.set_u32("llama.feed_forward_length", u32(ffn_size, "ffn_size"));
  w.set_u32("llama.attention.head_count", u32(n_heads, "n_heads"));
  w.set_u32("llama.attention.head_count_kv", u32(n_kv_heads, "n_kv_heads"));
  w.set_u32("llama.rope.dimension_count", u32(head_dim(), "head_dim"));
  w.set_f32("llama.rope.freq_base", static_cast<float>(rope_theta));
  w.set_f32("llama.attention.layer_norm_rms_epsilon", static_cast<float>(rms_eps));
  if (bos_id >= 0) w.set_u32("tokenizer.ggml.bos_token_id", u32(bos_id, "bos_id"));
  if (eos_id >= 0) w.set_u32("tokenizer.ggml.eos_token_id", u32(eos_id, "eos_id"));
  if (pad_id >= 0) w.set_u32("tokenizer.ggml.padding_token_id", u32(pad_id, "pad_id"));
}

}  // namespace gemba::format
