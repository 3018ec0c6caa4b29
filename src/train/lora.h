// LoRA (Hu et al. 2021, "LoRA: Low-Rank Adaptation of Large Language Models") for the
// trainer's Llama. A targeted projection y = W x becomes
//   y = W x + (alpha / r) · B A dropout(x)        A [r, in], B [out, r]
// with W frozen and only A, B trained. A starts kaiming-uniform(a=√5) like PEFT, B at zero, so
// an adapted model computes exactly what the base model does until the first optimizer step.
//
// Parameter names: the wrapper registers the base weight itself, so the base names stay the
// HF names and the adapter sits beside them:
//   model.layers.{i}.self_attn.q_proj.weight          [out, in]  frozen
//   model.layers.{i}.self_attn.q_proj.lora_A.weight   [r, in]
//   model.layers.{i}.self_attn.q_proj.lora_B.weight   [out, r]
// Training checkpoints hold all three (write_training_checkpoint). What leaves training is
// either a PEFT adapter directory (save_peft_adapter) or a merged plain model (merge_lora, then
// save_hf_model); write_hf_files refuses a model that still holds an unmerged adapter, since
// its model.safetensors would read as the base model to anything that ignores lora_* tensors.
#pragma once
#include <torch/torch.h>

#include <string>
#include <vector>

#include "train/model.h"

namespace gemba::train {

struct LoraOptions {
  int64_t rank = 0;      // 0: LoRA off (full fine-tuning)
  double alpha = 16;     // scale = alpha / rank
  double dropout = 0.0;  // on the adapter's input, training only
  std::vector<std::string> targets = {"q", "k", "v", "o", "gate", "up", "down"};
  bool enabled() const { return rank > 0; }
};

// "q,k,v,o,gate,up,down" (also accepts q_proj... names; duplicates dropped, canonical order);
// unknown or no names -> gemba::Error listing the valid ones.
std::vector<std::string> parse_lora_targets(const std::string& csv);

// A Linear without bias plus a LoRA adapter. Holds the base weight tensor itself (not a copy),
// so wrapping costs no memory and the weight keeps its place on the device.
class LoraLinearImpl : public torch::nn::Module {
 public:
  // `weight` [out, in]; A [r, in] is drawn from `generator` (CPU), B [out, r] = 0.
  LoraLinearImpl(torch::Tensor weight, int64_t rank, double alpha, double dropout, at::Generator& generator);
  torch::Tensor forward(const torch::Tensor& x);  // [..., in] -> [..., out]
  // W + (alpha/r) B A, detached: the weight a plain Linear needs to compute the same function.
  torch::Tensor merged_weight() const;          // [out, in]
  double scale() const { return alpha / static_cast<double>(rank); }

  torch::Tensor weight;  // [out, in], frozen
  torch::Tensor lora_A;  // [r, in], registered as child "lora_A" parameter "weight"
  torch::Tensor lora_B;  // [out, r], registered as child "lora_B" parameter "weight"
  int64_t rank;
  double alpha, dropout;
  bool active = true;  // false: computes W x alone (the base model), see LoraDisabled
};
TORCH_MODULE(LoraLinear);

// Wraps each targeted projection of every layer in a LoraLinear and freezes EVERY base
// parameter (embeddings, norms, lm_head, all projection weights); only lora_A/lora_B train.
// A no-op when !options.enabled(). `seed` alone fixes the A initialisation (its own generator;
// the global RNG is untouched). Throws on a model that already has LoRA or on bad options.
void apply_lora(LlamaForCausalLM& model, const LoraOptions& options, uint64_t seed);
bool has_lora(LlamaForCausalLM& model);
// The options the model's adapters were built with (rank 0 when there are none); targets in
// canonical short form.
LoraOptions lora_options_of(LlamaForCausalLM& model);

// While alive, every adapter of `model` is bypassed, so the model computes the base model
// exactly (e.g. DPO's reference log-probs without a second copy of the weights). Restores the
// previous state on destruction.
class LoraDisabled {
 public:
  explicit LoraDisabled(LlamaForCausalLM& model);
  ~LoraDisabled();
  LoraDisabled(const LoraDisabled&) = delete;
  LoraDisabled& operator=(const LoraDisabled&) = delete;

 private:
  std::vector<std::pair<std::shared_ptr<LoraLinearImpl>, bool>> previous_;
};

// PEFT directory: adapter_config.json (peft_type "LORA", task_type "CAUSAL_LM", r, lora_alpha,
// lora_dropout, target_modules as q_proj.., bias "none", base_model_name_or_path = base_model)
// + adapter_model.safetensors (f32) with PEFT names
//   base_model.model.model.layers.{i}.self_attn.q_proj.lora_A.weight [r, in] / lora_B.weight [out, r].
// Each file is written atomically into `dir` (created if missing; other files in it are left
// alone). `options` must describe the model's adapters (rank, alpha, targets).
void save_peft_adapter(LlamaForCausalLM& model, const LoraOptions& options, const std::string& dir,
                       const std::string& base_model);

// Loads such a PEFT directory into a model that has had apply_lora with the same rank and
// targets. The adapter's lora_alpha and lora_dropout replace the model's (they define what the
// adapter computes). Throws gemba::Error naming the file and field or tensor on a mismatch.
void load_peft_adapter(LlamaForCausalLM& model, const std::string& dir);

// W += (alpha/r) B A for every LoRA projection and replaces it with a plain Linear, so the model
// is an ordinary LlamaForCausalLM again (write_hf_files/save_hf_model then write the merged
// model). Every parameter stays frozen; set requires_grad to train the merged model further.
void merge_lora(LlamaForCausalLM& model);

}  // namespace gemba::train
