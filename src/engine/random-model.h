// Random-weight Llama models of any shape (`gemba model init --random`), for speed and
// memory work and for tests. Every value is a function of (seed, HF tensor name, HF row),
// so the same seed gives the same model as a GGUF file or an HF directory (the GGUF's q/k
// rows are permuted as the converter would).
#pragma once
#include <cstdint>
#include <string>

#include "format/gguf.h"
#include "format/model-config.h"

namespace gemba::engine {

struct RandomModelOptions {
  uint64_t seed = 0;
  format::GgmlType type = format::GgmlType::F32;  // HF: f32/f16/bf16; GGUF: also q8_0/q4_0
  std::string tokenizer_path;  // empty: a byte-level vocabulary (<unk> <s> </s> <pad>, 256 bytes, ▁)
  float init_std = 0.02f;      // weights ~ uniform with this standard deviation; norms ~ 1 ± 0.1
  int n_threads = 0;           // <= 0: all hardware threads
};

// out_path ending in ".gguf": a GGUF file; otherwise an HF directory (config.json,
// model.safetensors, tokenizer.json). Written atomically.
void write_random_model(const format::ModelConfig& config, const std::string& out_path, const RandomModelOptions& options);

// The byte-level tokenizer.json (HF Unigram with byte fallback) used when none is given.
std::string byte_level_tokenizer_json();

}  // namespace gemba::engine
