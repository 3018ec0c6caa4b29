// Supervised fine-tuning data: conversations (FAQ question/answer or OpenAI/TRL `messages`)
// tokenized with the engine's chat template (tokenizer/chat-template.h, ONE implementation),
// so training sees exactly the token sequence inference will. Loss is taken on assistant
// tokens only (their EOS included). Short examples may be packed several to a row.
// No libtorch here: batches are assembled into tensors by the trainer (sft-batches.h).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "tokenizer/chat-template.h"
#include "tokenizer/tokenizer.h"

namespace gemba::train {

// One training row: tokens and, per token, whether predicting it carries loss.
struct SftRow {
  std::vector<int32_t> ids;
  std::vector<uint8_t> is_target;  // same length as ids
};

struct SftDataOptions {
  tokenizer::ChatTemplate chat_template = tokenizer::ChatTemplate::kGembaPlain;
  int64_t max_tokens = 512;  // per row (inputs + the final label); longer examples are cut
  bool pack = false;         // greedily put several whole examples in one row
};

struct SftDataReport {
  size_t conversations = 0;
  size_t truncated = 0;        // cut to max_tokens (their tail loss is lost)
  size_t dropped = 0;          // no assistant token left after the cut
  size_t rows = 0;
  uint64_t target_tokens = 0;  // tokens that carry loss
};

// Reads every file of `spec` (comma-separated JSONL/CSV paths; see data/chat-data.h) and
// tokenizes it. Throws gemba::Error naming the file when nothing usable is left.
std::vector<SftRow> load_sft_rows(const std::string& spec, const tokenizer::Tokenizer& tok, const SftDataOptions& options,
                                  SftDataReport* report = nullptr);

// Whether any token after the first carries loss (the first is never predicted).
bool has_target(const SftRow& row);

// Packs rows (in the given order) greedily into rows of at most max_tokens.
std::vector<SftRow> pack_rows(const std::vector<SftRow>& rows, int64_t max_tokens);

}  // namespace gemba::train
