// One description of a Llama-family model, read from and written to both HF config.json
// and GGUF `llama.*` keys. Presets give the shapes of real models (llm-jp-3) and tiny ones.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "core/json.h"

namespace gemba::format {

class GgufFile;
class GgufWriter;

struct ModelConfig {
  int64_t vocab_size = 0;      // rows of the embedding (may exceed the tokenizer's size: padding)
  int64_t hidden_size = 0;     // model width
  int64_t n_layers = 0;
  int64_t n_heads = 0;
  int64_t n_kv_heads = 0;      // == n_heads: multi-head; fewer: grouped-query attention
  int64_t ffn_size = 0;        // SwiGLU intermediate size
  int64_t max_position = 2048; // context length
  double rope_theta = 10000.0;
  double rms_eps = 1e-5;
  bool tie_embeddings = false;
  int64_t bos_id = 1, eos_id = 2, pad_id = -1;
  std::string torch_dtype = "float32";  // as stored in config.json

  int64_t head_dim() const { return hidden_size / n_heads; }
  uint64_t n_params() const;
  // Throws gemba::Error "<what>: <field> ..." when shapes are inconsistent.
  void validate(const std::string& what) const;

  static ModelConfig preset(const std::string& name);  // throws listing the valid names
  static std::vector<std::string> preset_names();

  static ModelConfig from_hf_json(const Json& config, const std::string& what);
  static ModelConfig from_hf_dir(const std::string& dir);  // reads dir/config.json
  Json to_hf_json() const;

  static ModelConfig from_gguf(const GgufFile& file);
  void to_gguf(GgufWriter& writer) const;  // general.architecture = llama + llama.* keys
};

}  // namespace gemba::format
