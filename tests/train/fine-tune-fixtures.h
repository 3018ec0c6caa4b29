// Shared fixtures of the SFT and DPO tests: a byte-fallback tokenizer (every string encodes,
// no trained vocabulary needed), a tiny model config sized for it, temp directories.
#pragma once
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <string>

#include "format/model-config.h"
#include "tokenizer/tokenizer-spec.h"
#include "tokenizer/tokenizer.h"

namespace gemba::test {

// Ids: 0 <unk>, 1 <s>, 2 </s>, 3 <pad>, 4..259 bytes <0x00>..<0xFF>, 260 "▁".
inline tokenizer::Tokenizer byte_tokenizer() {
  tokenizer::TokenizerSpec spec;
  spec.type = tokenizer::TokenizerType::kUnigram;
  spec.entries.push_back({"<unk>", 0, tokenizer::TokenKind::kUnknown});
  spec.entries.push_back({"<s>", 0, tokenizer::TokenKind::kControl});
  spec.entries.push_back({"</s>", 0, tokenizer::TokenKind::kControl});
  spec.entries.push_back({"<pad>", 0, tokenizer::TokenKind::kControl});
  for (int b = 0; b < 256; ++b) {
    char piece[8];
    std::snprintf(piece, sizeof piece, "<0x%02X>", b);
    spec.entries.push_back({piece, 0, tokenizer::TokenKind::kByte});
  }
  spec.entries.push_back({"\xe2\x96\x81", -1, tokenizer::TokenKind::kNormal});
  spec.unk_id = 0;
  spec.bos_id = 1;
  spec.eos_id = 2;
  spec.pad_id = 3;
  spec.byte_fallback = true;
  return tokenizer::Tokenizer::from_spec(spec);
}

inline format::ModelConfig byte_model_config() {
  format::ModelConfig c;
  c.vocab_size = 264;
  c.hidden_size = 64;
  c.n_layers = 2;
  c.n_heads = 4;
  c.n_kv_heads = 2;
  c.ffn_size = 128;
  c.max_position = 128;
  c.bos_id = 1;
  c.eos_id = 2;
  c.pad_id = 3;
  return c;
}

inline std::string fresh_temp_dir(const std::string& name) {
  auto dir = std::filesystem::temp_directory_path() / ("gemba-test-" + name + "-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir.string();
}

}  // namespace gemba::test
