#include "tokenizer/normalizer.h"

#include "tokenizer/tokenizer-spec.h"

namespace gemba::tokenizer {

std::string normalize(std::string_view text, const NormalizerOptions& options, bool dummy_prefix) {
  std::string out;
  if (text.empty()) return out;
  // The identity rule maps every character to itself, so SentencePiece's per-character loop
  // reduces to byte-wise handling of ' ' (multi-byte characters never contain 0x20).
  size_t begin = 0;
  if (options.remove_extra_whitespaces) {
    while (begin < text.size() && text[begin] == ' ') ++begin;
    if (begin == text.size()) return out;
  }
  const std::string_view space = options.escape_whitespaces ? std::string_view(kSpaceSymbol) : std::string_view(" ");
  out.reserve(text.size() + text.size() / 4 + 3);
  if (dummy_prefix && options.add_dummy_prefix) out += space;
  bool prev_space = options.remove_extra_whitespaces;
  for (size_t i = begin; i < text.size(); ++i) {
    const char c = text[i];
    if (c == ' ') {
      if (prev_space) continue;
      out += space;
      prev_space = options.remove_extra_whitespaces;
    } else {
      out += c;
      prev_space = false;
    }
  }
  if (options.remove_extra_whitespaces) {
    while (out.size() >= space.size() && std::string_view(out).substr(out.size() - space.size()) == space)
      out.resize(out.size() - space.size());
  }
  return out;
}

}  // namespace gemba::tokenizer
