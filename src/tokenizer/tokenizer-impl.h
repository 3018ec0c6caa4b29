// Tokenizer::Impl: the spec plus the encoder built from it. Internal to src/tokenizer.
#pragma once
#include <array>
#include <memory>
#include <string>
#include <unordered_map>

#include "tokenizer/bpe-encoder.h"
#include "tokenizer/normalizer.h"
#include "tokenizer/tokenizer-spec.h"
#include "tokenizer/tokenizer.h"
#include "tokenizer/unigram-encoder.h"

namespace gemba::tokenizer {

struct Tokenizer::Impl {
  explicit Impl(TokenizerSpec s);

  TokenizerSpec spec;
  NormalizerOptions normalizer;
  std::unordered_map<std::string, int32_t> piece_ids;  // every piece, incl. control and byte
  std::array<int32_t, 256> byte_ids{};                 // "<0xXX>" ids; unk_id where absent
  std::unique_ptr<BpeEncoder> bpe;
  std::unique_ptr<UnigramEncoder> unigram;
};

}  // namespace gemba::tokenizer
