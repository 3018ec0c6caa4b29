// LoRA adapters as GGUF files in llama.cpp's format (what `llama-cli --lora` loads):
//   metadata: general.architecture = "llama", general.type = "adapter", adapter.type = "lora",
//             adapter.lora.alpha (FLOAT32; 0 or absent: scale 1 instead of alpha/r)
//   tensors:  blk.{i}.{attn_q,attn_k,attn_v,attn_output,ffn_gate,ffn_up,ffn_down}.weight.lora_a
//             ggml ne = [in, r] (= A [r, in] row-major), and .lora_b ne = [r, out] (= B [out, r]).
// q/k B rows are in GGUF (adjacent-pairs RoPE) order, like the base GGUF's attn_q/attn_k rows.
// Header kept free of libtorch: the trainer calls convert_peft_to_gguf after saving PEFT files.
#pragma once
#include <string>

#include "engine/lora-weights.h"
#include "format/gguf.h"

namespace gemba::engine {

// Reads f32, f16, bf16, q8_0 and q4_0 factors into f32. Throws gemba::Error naming the file and
// the tensor on anything malformed (wrong general.type, unpaired or mis-shaped tensors, ...).
LoraAdapter read_gguf_lora_adapter(const std::string& path);

// Writes the adapter as a GGUF LoRA file atomically. q/k rows are converted to GGUF order
// (head_dim needed then: the base model's). type: F32 (exact) or F16 / BF16 / Q8_0 (smaller;
// a factor whose rows do not fit Q8_0's 32-element blocks is stored as F16).
void write_gguf_lora_adapter(const LoraAdapter& adapter, const std::string& path, int64_t head_dim = 0,
                             format::GgmlType type = format::GgmlType::F32);

// PEFT directory -> GGUF LoRA file. base_model (an HF directory or a GGUF file) gives the
// head_dim for the q/k row permutation and is checked against the adapter's shapes; empty:
// the adapter's base_model_name_or_path when that is a local path, else the conversion
// fails if q or k is targeted (other targets need no base model).
void convert_peft_to_gguf(const std::string& peft_dir, const std::string& gguf_path, const std::string& base_model = "",
                          format::GgmlType type = format::GgmlType::F32);

// The configuration of a base model given as an HF directory or a GGUF file.
format::ModelConfig read_base_model_config(const std::string& path);

}  // namespace gemba::engine
