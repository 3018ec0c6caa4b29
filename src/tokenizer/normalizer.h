// SentencePiece's whitespace normalization for the "identity" rule (gemba normalizes text to
// NFKC earlier, in the data pipeline): optional removal of leading, trailing and repeated
// spaces, the dummy-prefix space, and escaping ' ' as "▁" (U+2581).
#pragma once
#include <string>
#include <string_view>

namespace gemba::tokenizer {

struct NormalizerOptions {
  bool add_dummy_prefix = true;
  bool remove_extra_whitespaces = true;
  bool escape_whitespaces = true;
};

// The normalized form SentencePiece's encoder works on. `dummy_prefix` = false suppresses
// the prefix for text that continues a sequence (chat-template segments). Assumes valid UTF-8.
std::string normalize(std::string_view text, const NormalizerOptions& options, bool dummy_prefix);

}  // namespace gemba::tokenizer
