// Hugging Face model directory (config.json + safetensors f32/f16/bf16 + tokenizer) -> one
// GGUF file in llama.cpp's convention: tensor names mapped, q_proj/k_proj rows permuted per
// head for llama.cpp's adjacent-pairs RoPE, weights stored at the requested type, the
// tokenizer carried over. Used by `gemba quantize` (HF input) and `gemba export`.
#pragma once
#include <string>

#include "format/gguf.h"

namespace gemba::engine {

using format::GgmlType;

// Writes out_path atomically. type: F32, F16, BF16, Q8_0 or Q4_0 (see gguf_storage_type for
// the tensors kept at other types). n_threads <= 0: all hardware threads.
// Throws gemba::Error naming the directory/tensor on a missing or malformed input.
void convert_hf_to_gguf(const std::string& hf_dir, const std::string& out_path, GgmlType type, int n_threads = 0);

}  // namespace gemba::engine
