#include "index/query-terms.h"

#include <algorithm>
#include <cctype>
#include <set>
#include <unordered_set>

#include "core/utf8.h"

namespace gemba::index {
namespace {

// Words that match everything and rank nothing.
const std::unordered_set<std::string>& stop_words() {
  static const std::unordered_set<std::string> words = {
      "a", "an", "the", "is", "are", "was", "were", "be", "been", "being", "of", "to", "in", "on", "at", "by", "for",
      "with", "from", "as", "and", "or", "but", "if", "then", "than", "that", "this", "these", "those", "it", "its",
      "do", "does", "did", "can", "could", "should", "would", "will", "may", "might", "must", "shall", "what", "which",
      "who", "whom", "whose", "when", "where", "why", "how", "i", "you", "we", "they", "he", "she", "my", "your", "our",
      "their", "there", "here", "so", "not", "no", "yes", "true", "false", "correct", "statement", "manual", "says",
      "about", "into", "onto", "up", "down", "out", "over", "under", "also", "only", "just", "very", "any", "all",
      "some", "such", "each", "other", "more", "most", "much", "many", "one", "same", "used", "use", "using"};
  return words;
}

bool is_ascii_word_char(char c) { return std::isalnum(static_cast<unsigned char>(c)); }

}  // namespace

QueryTerms query_terms(std::string_view text, size_t max_terms) {
  QueryTerms terms;
  std::set<std::string> seen;
  size_t i = 0;
  while (i < text.size() && terms.words.size() + terms.trigrams.size() < max_terms) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      if (!is_ascii_word_char(text[i])) {
        ++i;
        continue;
      }
      size_t j = i;
      while (j < text.size() && is_ascii_word_char(text[j])) ++j;
      std::string word(text.substr(i, j - i));
      std::transform(word.begin(), word.end(), word.begin(), [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
      i = j;
      if (word.size() < 2 && !std::isdigit(static_cast<unsigned char>(word[0]))) continue;
      if (stop_words().count(word)) continue;
      word = drop_plural(std::move(word));
      if (seen.insert(word).second) terms.words.push_back(word);
      continue;
    }
    // A run of non-ASCII characters: its trigrams (spaces and ASCII end the run).
    std::vector<std::string> run;
    size_t pos = i;
    while (pos < text.size() && static_cast<unsigned char>(text[pos]) >= 0x80) {
      size_t start = pos;
      uint32_t cp = utf8_decode(text, pos);
      if (cp == 0x3000 || cp == 0x3001 || cp == 0x3002) break;  // 　、。 end a run
      run.emplace_back(text.substr(start, pos - start));
    }
    if (pos == i) pos = i + 1;
    i = pos;
    for (size_t k = 0; k + 3 <= run.size() && terms.words.size() + terms.trigrams.size() < max_terms; ++k) {
      std::string trigram = run[k] + run[k + 1] + run[k + 2];
      if (seen.insert(trigram).second) terms.trigrams.push_back(trigram);
    }
  }
  return terms;
}

std::string drop_plural(std::string word) {
  const size_t n = word.size();
  if (n > 3 && word[n - 1] == 's' && word[n - 2] != 's' && word[n - 2] != 'u' && word[n - 2] != 'i' &&
      std::isalpha(static_cast<unsigned char>(word[n - 2])))
    word.pop_back();
  return word;
}

std::string fts_or_query(const std::vector<std::string>& terms) {
  std::string out;
  for (const auto& t : terms) {
    if (!out.empty()) out += " OR ";
    out += '"';
    for (char c : t) {
      if (c == '"') out += '"';
      out += c;
    }
    out += '"';
  }
  return out;
}

}  // namespace gemba::index
