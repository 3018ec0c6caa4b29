#include "core/sentences.h"

#include <algorithm>
#include <array>
#include <cctype>

#include "core/utf8.h"

namespace gemba {
namespace sentence_rules {

// Words that end with a period without ending the sentence (compared lower-case, without the
// final period; inner periods kept: "e.g").
constexpr std::array<std::string_view, 20> kAbbreviations = {"e.g", "i.e", "eg", "ie", "cf", "vs", "viz", "approx", "ca", "incl",
                                                             "excl", "resp", "esp", "mr", "mrs", "ms", "dr", "st", "al", "etc"};
// ... and words that do so before a number only ("Fig. 3", "No. 5", "max. 20 A"), while "No."
// answering a question ends one.
constexpr std::array<std::string_view, 20> kBeforeNumber = {"fig", "figs", "no", "nos", "nr", "p", "pp", "para", "sec", "ch",
                                                            "chap", "vol", "eq", "eqs", "ref", "refs", "op", "art", "max", "min"};

std::string lower(std::string_view word) {
  std::string out(word);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

bool is_abbreviation(std::string_view word, bool number_follows) {
  std::string w = lower(word);
  if (std::find(kAbbreviations.begin(), kAbbreviations.end(), w) != kAbbreviations.end()) return true;
  return number_follows && std::find(kBeforeNumber.begin(), kBeforeNumber.end(), w) != kBeforeNumber.end();
}

bool is_closing(uint32_t c) {
  return c == '"' || c == '\'' || c == ')' || c == ']' || c == 0x300D || c == 0x300F || c == 0xFF09 || c == 0x201D ||
         c == 0x2019 || c == 0x3011;
}

bool is_opening(uint32_t c) {
  return c == '"' || c == '\'' || c == '(' || c == '[' || c == 0x300C || c == 0x300E || c == 0xFF08 || c == 0x201C ||
         c == 0x2018 || c == 0x3010;
}

bool is_space(uint32_t c) { return c == ' ' || c == '\t' || c == 0x3000 || c == '\n'; }

// The word (letters, digits and inner periods) that ends right before byte `end`.
std::string_view word_before(std::string_view text, size_t end) {
  size_t begin = end;
  while (begin > 0) {
    char c = text[begin - 1];
    if (std::isalnum(static_cast<unsigned char>(c)) || (c == '.' && begin - 1 > 0 && std::isalnum(static_cast<unsigned char>(text[begin - 2]))))
      --begin;
    else
      break;
  }
  return text.substr(begin, end - begin);
}

// Does a new sentence start at `pos` (after the spaces that follow a period)?
bool starts_sentence(std::string_view text, size_t pos) {
  if (pos >= text.size()) return true;
  size_t p = pos;
  uint32_t c = utf8_decode(text, p);
  if (c < 0x80) return std::isupper(static_cast<int>(c)) || std::isdigit(static_cast<int>(c)) || is_opening(c);
  return true;  // Japanese, accented capitals, symbols
}

}  // namespace sentence_rules

std::vector<SentenceSpan> sentence_spans(std::string_view text) {
  using namespace sentence_rules;
  std::vector<SentenceSpan> spans;
  size_t begin = 0;
  auto emit = [&](size_t end) {
    size_t b = begin, e = end;
    while (b < e && (text[b] == ' ' || text[b] == '\t')) ++b;
    while (e > b && (text[e - 1] == ' ' || text[e - 1] == '\t')) --e;
    // Full-width spaces at the ends too.
    while (e - b >= 3 && text.substr(b, 3) == "\xE3\x80\x80") b += 3;
    while (e - b >= 3 && text.substr(e - 3, 3) == "\xE3\x80\x80") e -= 3;
    if (e > b) spans.push_back({b, e});
    begin = end;
  };
  size_t pos = 0;
  while (pos < text.size()) {
    const size_t at = pos;
    uint32_t c = utf8_decode(text, pos);
    bool full_width_end = c == 0x3002 || c == 0xFF01 || c == 0xFF1F;  // 。！？
    bool ascii_end = c == '.' || c == '!' || c == '?';
    if (!full_width_end && !ascii_end) continue;
    // Closing quotes and brackets belong to the sentence they close; so do repeated marks.
    size_t end = pos;
    while (end < text.size()) {
      size_t next = end;
      uint32_t d = utf8_decode(text, next);
      if (!is_closing(d) && d != '.' && d != '!' && d != '?' && d != 0x3002) break;
      end = next;
    }
    if (full_width_end) {
      // 「止めますか？」と…: a question quoted inside a sentence goes on after the quote.
      if (end > pos && end < text.size()) {
        size_t next = end;
        uint32_t d = utf8_decode(text, next);
        if (d >= 0x3040 && d <= 0x309F) continue;  // hiragana: a particle follows the quote
      }
      emit(end);
      pos = end;
      continue;
    }
    // An ASCII mark ends a sentence only before a space and a sentence start.
    if (end < text.size()) {
      size_t next = end;
      if (!is_space(utf8_decode(text, next))) continue;
    }
    size_t after = end;
    while (after < text.size()) {
      size_t next = after;
      if (!is_space(utf8_decode(text, next))) break;
      after = next;
    }
    if (c == '.' && after < text.size()) {
      std::string_view word = word_before(text, at);
      const bool number_follows = std::isdigit(static_cast<unsigned char>(text[after]));
      // "J. Smith" is an initial; "200 W. The" is a unit after a number, which ends a sentence.
      const size_t word_start = static_cast<size_t>(word.data() - text.data());
      const bool after_number = word_start >= 2 && text[word_start - 1] == ' ' && std::isdigit(static_cast<unsigned char>(text[word_start - 2]));
      const bool initial = word.size() == 1 && std::isupper(static_cast<unsigned char>(word[0])) && !after_number;
      // "etc." still ends a sentence before a capital letter; the others never do.
      const bool etc = lower(word) == "etc" && starts_sentence(text, after);
      if ((is_abbreviation(word, number_follows) || initial) && !etc) continue;
    }
    if (!starts_sentence(text, after)) continue;
    emit(end);
    pos = end;
  }
  emit(text.size());
  return spans;
}

std::vector<std::string> split_sentences(std::string_view text) {
  std::vector<std::string> out;
  for (const auto& s : sentence_spans(text)) out.emplace_back(text.substr(s.begin, s.end - s.begin));
  return out;
}

}  // namespace gemba
