// GGUF -> GGUF at another weight type (`gemba quantize` with a GGUF input): metadata and
// tokenizer carried over unchanged, every matrix re-encoded (via f32) at the type
// gguf_storage_type() picks; tensors already at that type are copied byte for byte.
#pragma once
#include <string>

#include "format/gguf.h"

namespace gemba::engine {

void quantize_gguf(const std::string& in_path, const std::string& out_path, format::GgmlType type, int n_threads = 0);

}  // namespace gemba::engine
