// Trains a SentencePiece BPE or Unigram tokenizer with libsentencepiece's trainer (the only
// tokenizer code that links libsentencepiece; encoding never needs it). gemba's choices:
//   identity normalization (text is NFKC-normalized earlier, in the data pipeline),
//   remove_extra_whitespaces = false (so decode(encode(x)) == x for any spacing),
//   add_dummy_prefix = true, byte_fallback = true, split_digits = true (Llama style),
//   ids: <unk> 0, <s> 1, </s> 2, <pad> 3 (llm-jp-3 puts <pad> at 4 after a <mask>; gemba's own
//   tokenizers have no mask token, so pad takes the next id).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "tokenizer/tokenizer.h"

namespace gemba::tokenizer {

struct TrainOptions {
  std::vector<std::string> inputs;  // text files, one sentence (line) per line
  TokenizerType type = TokenizerType::kUnigram;
  int vocab_size = 8000;
  double character_coverage = 0.9995;
  std::vector<std::string> user_defined_symbols;  // kept whole; may not contain ','
  uint64_t input_sentence_size = 0;  // 0 = every line; otherwise a random sample of this many
  int num_threads = 2;
  bool quiet = true;  // silence libsentencepiece's progress log
};

// Trains and returns the serialized .model (a ModelProto). Throws gemba::Error with
// libsentencepiece's message on failure (e.g. vocab_size too large for the text).
std::string train_sentencepiece(const TrainOptions& options);

// Trains and writes out_dir/tokenizer.model, tokenizer.json and tokenizer_config.json,
// atomically (the directory appears complete or not at all).
void train_tokenizer(const TrainOptions& options, const std::string& out_dir);

}  // namespace gemba::tokenizer
