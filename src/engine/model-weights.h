// A Llama model's weights, memory-mapped from a GGUF file (gemba's or llama.cpp's) or an HF
// directory (config.json + safetensors f32/f16/bf16). Matrices are views into the mapped
// files, never copies; only the small norm vectors are converted to f32.
//
// RoPE convention: GGUF q/k rows come permuted by the converter (llama.cpp layout) and are
// run with adjacent-pairs RoPE; HF q_proj/k_proj are used unchanged and run with
// rotate-half RoPE. Both compute the same function (checked by tests/engine).
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "engine/cpu/matmul.h"
#include "engine/rope.h"
#include "format/model-config.h"

namespace gemba::format {
class GgufFile;
class SafetensorsModel;
}  // namespace gemba::format

namespace gemba::engine {

struct LayerWeights {
  std::vector<float> attn_norm;  // [hidden]
  WeightMatrix wq;               // [n_heads * head_dim, hidden]
  WeightMatrix wk;               // [n_kv_heads * head_dim, hidden]
  WeightMatrix wv;               // [n_kv_heads * head_dim, hidden]
  WeightMatrix wo;               // [hidden, n_heads * head_dim]
  std::vector<float> ffn_norm;   // [hidden]
  WeightMatrix w_gate;           // [ffn, hidden]
  WeightMatrix w_up;             // [ffn, hidden]
  WeightMatrix w_down;           // [hidden, ffn]
};

class ModelWeights {
 public:
  // `path`: a .gguf file or an HF model directory. Throws gemba::Error naming the file and
  // tensor on a missing tensor, a wrong shape or an unsupported type.
  static ModelWeights load(const std::string& path);
  static ModelWeights from_gguf(std::shared_ptr<const format::GgufFile> file);
  static ModelWeights from_hf_dir(const std::string& dir);

  ModelWeights(ModelWeights&&) noexcept;
  ModelWeights& operator=(ModelWeights&&) noexcept;
  ~ModelWeights();

  format::ModelConfig config;
  RopeStyle rope_style = RopeStyle::kAdjacentPairs;
  WeightMatrix token_embd;         // [vocab, hidden]
  std::vector<LayerWeights> layers;
  std::vector<float> output_norm;  // [hidden]
  WeightMatrix output;             // [vocab, hidden] (== token_embd when tied)

  std::string path;          // what was loaded
  std::string format_name;   // "gguf" or "hf"
  uint64_t weight_bytes = 0; // bytes of all weight tensors (model_size in bench)
  std::string main_type;     // type of most weight bytes, e.g. "q4_0"

  // The GGUF file when loaded from one (for metadata such as the tokenizer), else null.
  const format::GgufFile* gguf() const { return gguf_.get(); }

 private:
  ModelWeights();
  std::shared_ptr<const format::GgufFile> gguf_;
  std::shared_ptr<const format::SafetensorsModel> hf_;
};

}  // namespace gemba::engine
