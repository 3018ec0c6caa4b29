// Unicode NFKC: gemba's text contract. Every text the models see is NFKC-normalized — the data
// pipeline normalizes manuals and FAQ before the tokenizer is trained and the shards are
// written, and the chat encoder, `run`, the server and the evaluations normalize what they
// tokenize — so full-width ASCII ("（ＤＣ５Ｖ）"), half-width kana and the like reach the
// model in the one form it was trained on, not as byte-fallback tokens it never saw.
#pragma once
#include <string>
#include <string_view>

namespace gemba {

// NFKC via utf8proc. Throws gemba::Error naming `what` on invalid UTF-8.
std::string nfkc(std::string_view text, const std::string& what = "text");

}  // namespace gemba
