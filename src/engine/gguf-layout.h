// How a Llama model is laid out in GGUF (llama.cpp's convention): tensor names for each
// Hugging Face parameter, which tensors get their rows permuted for RoPE, and which storage
// type each tensor gets when a file is written at a requested type.
#pragma once
#include <cstdint>
#include <string>

#include "format/gguf.h"

namespace gemba::engine {

using format::GgmlType;

// "model.layers.3.self_attn.q_proj.weight" -> "blk.3.attn_q.weight"; "" if not a Llama
// parameter gemba knows.
std::string gguf_name_for_hf(const std::string& hf_name);

// 0 = not permuted, otherwise the number of heads whose rows are permuted (q: n_heads,
// k: n_kv_heads) -- see rope_gguf_source_row.
enum class RopePermute { kNone, kQuery, kKey };
RopePermute rope_permute_for_gguf(const std::string& gguf_name);

// The type a tensor is stored in when the file's requested type is `requested`:
// 1-D tensors (norms) stay F32; a matrix whose row length is not a multiple of the
// block size falls back to F16; at Q4_0 the output projection is kept at Q8_0 (it is the
// most quantization-sensitive matrix, as in llama.cpp's own Q4_0 files).
GgmlType gguf_storage_type(const std::string& gguf_name, uint64_t n_dims, uint64_t row_length, GgmlType requested);

// llama.cpp's general.file_type number for a whole-file type (ALL_F32 = 0, MOSTLY_F16 = 1,
// MOSTLY_Q4_0 = 2, MOSTLY_Q8_0 = 7, MOSTLY_BF16 = 32).
uint32_t gguf_file_type(GgmlType requested);

// Requested whole-file types gemba writes: f32, f16, bf16, q8_0, q4_0. Others: gemba::Error.
void require_writable_type(GgmlType requested, const std::string& what);

}  // namespace gemba::engine
