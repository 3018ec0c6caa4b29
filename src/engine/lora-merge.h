// Folds LoRA adapters into a base model's weights: W += sum_adapters scale * (alpha/r) * B A,
// computed in f32 and stored back in each tensor's own type. The result runs without the
// adapter at the base model's speed (`gemba merge`).
//   * HF directory -> HF directory: model.safetensors (one file; F32/F16/BF16 kept) plus
//     every other file of the base directory (config.json, tokenizer files) copied;
//   * GGUF file -> GGUF file: metadata copied; targeted tensors f32/f16/bf16 (exact) or
//     q8_0/q4_0 (re-quantized after the merge, with a warning); other tensors copied.
// Outputs are written atomically.
#pragma once
#include <string>
#include <vector>

#include "engine/lora-weights.h"

namespace gemba::engine {

struct ScaledLora {
  LoraAdapter adapter;
  float scale = 1.0f;
};

// base: HF directory or .gguf file; out: a directory (HF base) or a .gguf file (GGUF base).
// Throws gemba::Error naming the file and tensor on any mismatch. n_threads <= 0: all.
void merge_lora(const std::string& base, const std::vector<ScaledLora>& adapters, const std::string& out, int n_threads = 0);

}  // namespace gemba::engine
