// Hugging Face PEFT LoRA adapters: a directory with adapter_config.json (r, lora_alpha,
// target_modules, base_model_name_or_path, ...) and adapter_model.safetensors holding
//   base_model.model.model.layers.{i}.self_attn.{q,k,v,o}_proj.lora_A.weight  [r, in]
//   base_model.model.model.layers.{i}.mlp.{gate,up,down}_proj.lora_B.weight   [out, r]
// (also accepted without the "base_model.model." prefix). q/k rows are in HF order.
// Only plain LoRA is read: DoRA, rsLoRA, trained biases, fan_in_fan_out and
// modules_to_save change the function and are refused with a named error.
#pragma once
#include <string>

#include "engine/lora-weights.h"

namespace gemba::engine {

LoraAdapter read_peft_adapter(const std::string& dir);

// Writes dir/adapter_config.json + dir/adapter_model.safetensors (f32) atomically as one
// directory. q/k rows are converted to HF order (head_dim needed then, see with_qk_rows).
void write_peft_adapter(const LoraAdapter& adapter, const std::string& dir, int64_t head_dim = 0);

}  // namespace gemba::engine
