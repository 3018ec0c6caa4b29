// The data a tokenizer is made of, independent of the file it came from: the vocabulary,
// the special ids and the SentencePiece normalizer flags. Every loader (.model, tokenizer.json,
// GGUF) produces one; every writer consumes one; Tokenizer builds its encoders from it.
#pragma once
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "tokenizer/tokenizer.h"

namespace gemba::tokenizer {

// SentencePiece's default surface for <unk> when decoding: " ⁇ ".
inline constexpr const char* kDefaultUnkSurface = " \xE2\x81\x87 ";
// U+2581 LOWER ONE EIGHTH BLOCK, SentencePiece's escaped space.
inline constexpr const char* kSpaceSymbol = "\xE2\x96\x81";

struct TokenizerSpec {
  TokenizerType type = TokenizerType::kUnigram;
  std::vector<TokenEntry> entries;  // id -> piece, score, kind
  int32_t unk_id = 0;
  int32_t bos_id = -1;
  int32_t eos_id = -1;
  int32_t pad_id = -1;
  bool byte_fallback = false;
  // SentencePiece NormalizerSpec (identity rule: only the whitespace handling).
  bool add_dummy_prefix = true;
  bool remove_extra_whitespaces = true;
  bool escape_whitespaces = true;
  std::string unk_surface = kDefaultUnkSurface;
  // BPE loaded from a tokenizer.json: the explicit merge list (left id, right id), rank order.
  // Empty for SentencePiece models: there any two adjacent symbols whose concatenation is in
  // the vocabulary may merge.
  bool has_merge_list = false;
  std::vector<std::pair<int32_t, int32_t>> merges;
};

// Checks ids and kinds (unk id in range and of kind kUnknown, bos/eos in range, ...) and
// throws gemba::Error "<what>: ..." on a defect.
void validate_spec(const TokenizerSpec& spec, const std::string& what);

}  // namespace gemba::tokenizer
