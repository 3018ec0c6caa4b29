// The trainer's Llama model (libtorch). Parameter names are exactly those of transformers'
// LlamaForCausalLM, so an HF directory loads with no renaming and a checkpoint is an HF
// directory again:
//   model.embed_tokens.weight                      [V, D]
//   model.layers.{i}.input_layernorm.weight        [D]
//   model.layers.{i}.self_attn.q_proj.weight       [H*hd, D]
//   model.layers.{i}.self_attn.k_proj.weight       [KV*hd, D]
//   model.layers.{i}.self_attn.v_proj.weight       [KV*hd, D]
//   model.layers.{i}.self_attn.o_proj.weight       [D, H*hd]
//   model.layers.{i}.post_attention_layernorm.weight [D]
//   model.layers.{i}.mlp.gate_proj.weight          [F, D]
//   model.layers.{i}.mlp.up_proj.weight            [F, D]
//   model.layers.{i}.mlp.down_proj.weight          [D, F]
//   model.norm.weight                              [D]
//   lm_head.weight                                 [V, D]  (absent when embeddings are tied)
//
// The seven projections of each layer are held as torch::nn::AnyModule submodules so LoRA can
// wrap them (replace_projection) without touching this file.
#pragma once
#include <torch/torch.h>

#include <string>
#include <vector>

#include "format/model-config.h"
#include "format/safetensors.h"

namespace gemba::train {

// RMSNorm (Zhang & Sennrich 2019), HF convention: normalise in f32, scale in the input dtype.
class RmsNormImpl : public torch::nn::Module {
 public:
  RmsNormImpl(int64_t dim, double eps);
  torch::Tensor forward(const torch::Tensor& x);  // [..., D] -> [..., D]
  torch::Tensor weight;                            // [D]
  double eps;
};
TORCH_MODULE(RmsNorm);

// Rotary position embedding tables (Su et al. 2021, "RoFormer"), HF rotate-half layout.
struct RopeTables {
  torch::Tensor cos, sin;  // [T, hd] each
};
RopeTables rope_tables(int64_t seq_len, int64_t head_dim, double theta, torch::Device device);

// Multi-head attention with grouped-query heads (Ainslie et al. 2023, "GQA").
class AttentionImpl : public torch::nn::Module {
 public:
  explicit AttentionImpl(const format::ModelConfig& config);
  torch::Tensor forward(const torch::Tensor& x, const RopeTables& rope);  // [B, T, D] -> [B, T, D]
  torch::nn::AnyModule q_proj, k_proj, v_proj, o_proj;
  int64_t n_heads, n_kv_heads, head_dim;
};
TORCH_MODULE(Attention);

// SwiGLU feed-forward (Shazeer 2020, "GLU Variants Improve Transformer").
class MlpImpl : public torch::nn::Module {
 public:
  explicit MlpImpl(const format::ModelConfig& config);
  torch::Tensor forward(const torch::Tensor& x);  // [B, T, D] -> [B, T, D]
  torch::nn::AnyModule gate_proj, up_proj, down_proj;
};
TORCH_MODULE(Mlp);

class DecoderLayerImpl : public torch::nn::Module {
 public:
  explicit DecoderLayerImpl(const format::ModelConfig& config);
  torch::Tensor forward(const torch::Tensor& x, const RopeTables& rope);  // [B, T, D] -> [B, T, D]
  RmsNorm input_layernorm{nullptr}, post_attention_layernorm{nullptr};
  Attention self_attn{nullptr};
  Mlp mlp{nullptr};
};
TORCH_MODULE(DecoderLayer);

class LlamaBodyImpl : public torch::nn::Module {
 public:
  explicit LlamaBodyImpl(const format::ModelConfig& config);
  torch::nn::Embedding embed_tokens{nullptr};
  torch::nn::ModuleList layers{nullptr};
  RmsNorm norm{nullptr};
};
TORCH_MODULE(LlamaBody);

class LlamaForCausalLMImpl : public torch::nn::Module {
 public:
  explicit LlamaForCausalLMImpl(const format::ModelConfig& config);

  // input_ids [B, T] int64 -> final hidden states [B, T, D] (after model.norm).
  torch::Tensor hidden_states(const torch::Tensor& input_ids);
  // input_ids [B, T] int64 -> logits [B, T, V].
  torch::Tensor forward(const torch::Tensor& input_ids);
  // hidden [..., D] -> logits [..., V] (lm_head, or the embedding when tied).
  torch::Tensor logits(const torch::Tensor& hidden);

  // Recompute each decoder layer in the backward pass instead of keeping its activations
  // (Chen et al. 2016, "Training Deep Nets with Sublinear Memory Cost").
  void set_activation_checkpointing(bool on) { checkpointing_ = on; }
  bool activation_checkpointing() const { return checkpointing_; }

  DecoderLayer layer(int64_t i) const { return layers_[static_cast<size_t>(i)]; }
  // Replaces one projection ("self_attn.q_proj", "mlp.down_proj", ...) of layer i: the hook
  // for LoRA. The new module keeps the parameter path model.layers.{i}.<name>.
  void replace_projection(int64_t i, const std::string& name, torch::nn::AnyModule module);

  const format::ModelConfig& config() const { return config_; }
  // Normal(0, 0.02) linears/embedding, ones for norms (HF's initializer_range default).
  void init_weights(double stddev = 0.02);

  LlamaBody model{nullptr};
  torch::nn::Linear lm_head{nullptr};  // null when tie_embeddings

 private:
  format::ModelConfig config_;
  std::vector<DecoderLayer> layers_;
  bool checkpointing_ = false;
};
TORCH_MODULE(LlamaForCausalLM);

// Loads an HF directory (config.json + model.safetensors or shards; f32/bf16/f16 weights)
// into a new f32 model on `device`. Throws gemba::Error naming the file/tensor on a mismatch.
LlamaForCausalLM load_hf_model(const std::string& dir, torch::Device device);

// A safetensors tensor (any stored dtype) as a new f32 CPU tensor of its shape.
torch::Tensor tensor_from_view(const format::TensorView& view);

// Copies tensors from an HF directory into an existing model (shapes must match the model).
void load_hf_weights(LlamaForCausalLM& model, const std::string& dir);

// Writes config.json + model.safetensors (f32) of `model` into `dir` (an existing directory,
// e.g. an AtomicDir's temp_path()); copies tokenizer files from `tokenizer_dir` if given.
// Throws on a model with unmerged LoRA adapters (merge_lora or save_peft_adapter instead).
void write_hf_files(LlamaForCausalLM& model, const std::string& dir, const std::string& tokenizer_dir);

// write_hf_files refuses a model holding unmerged LoRA adapters (train/lora.h); this one also
// writes them ("...q_proj.lora_A.weight" beside "...q_proj.weight"), for training checkpoints.
void write_hf_files_with_adapters(LlamaForCausalLM& model, const std::string& dir, const std::string& tokenizer_dir);

// Saves an HF directory atomically (temp dir + rename).
void save_hf_model(LlamaForCausalLM& model, const std::string& dir, const std::string& tokenizer_dir);

// Copies tokenizer.json / tokenizer.model / tokenizer_config.json / special_tokens_map.json
// (those present) from `from_dir` to `to_dir`.
void copy_tokenizer_files(const std::string& from_dir, const std::string& to_dir);

// Matmul FLOPs of one training token: 6·N (N = non-embedding params incl. lm_head) plus
// attention 12·L·D·T (Chowdhery et al. 2022, "PaLM", appendix B).
double train_flops_per_token(const format::ModelConfig& config, int64_t seq_len);

}  // namespace gemba::train
