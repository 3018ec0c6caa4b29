// The search terms of a question or statement, for the two full-text indexes of a passage index
// (index/passage-index.h):
//  * words: runs of ASCII letters and digits, lower-cased, without English stop words and
//    one-letter words, a plural "s" dropped ("What are the defaults of rotation_distance?" ->
//    "default", "rotation", "distance"), as SQLite's unicode61 tokenizer splits them;
//  * trigrams: every run of three consecutive characters inside runs of non-ASCII text
//    ("定格電流は" -> "定格電", "格電流", "電流は"), for the trigram index that serves Japanese.
// Each term is returned once, in order of first appearance.
#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace gemba::index {

struct QueryTerms {
  std::vector<std::string> words;
  std::vector<std::string> trigrams;
  bool empty() const { return words.empty() && trigrams.empty(); }
};

QueryTerms query_terms(std::string_view text, size_t max_terms = 64);

// "motors" -> "motor", "axes" stays, "status" stays: the plural "s" of a lower-case word longer
// than three letters, unless it ends in "ss", "us" or "is".
std::string drop_plural(std::string word);

// An FTS5 MATCH expression: the terms quoted (any double quote doubled) and joined by OR.
std::string fts_or_query(const std::vector<std::string>& terms);

}  // namespace gemba::index
