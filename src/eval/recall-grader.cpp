#include "eval/recall-grader.h"

#include <algorithm>
#include <cctype>

#include "core/nfkc.h"

namespace gemba::eval {
namespace {

bool is_alnum(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; }
bool is_joiner(char c) { return c == '.' || c == ',' || c == '-' || c == '/' || c == ':'; }

bool is_value(const std::string& token) {
  if (std::any_of(token.begin(), token.end(), [](unsigned char c) { return std::isdigit(c); })) return true;
  return token.size() >= 2 && std::all_of(token.begin(), token.end(), [](unsigned char c) { return std::isupper(c); });
}

std::string without_spaces(std::string s) {
  std::erase_if(s, [](unsigned char c) { return std::isspace(c); });
  return s;
}

// Text inside 「」, 『』 and "" (NFKC keeps the Japanese brackets; full-width quotes become ASCII).
std::vector<std::string> quoted_phrases(const std::string& text) {
  std::vector<std::string> out;
  const std::pair<std::string, std::string> kQuotes[] = {{"「", "」"}, {"『", "』"}, {"\"", "\""}};
  for (const auto& [open, close] : kQuotes) {
    for (size_t pos = text.find(open); pos != std::string::npos; pos = text.find(open, pos)) {
      size_t start = pos + open.size(), end = text.find(close, start);
      if (end == std::string::npos) break;
      std::string phrase = without_spaces(text.substr(start, end - start));
      if (!phrase.empty()) out.push_back(phrase);
      pos = end + close.size();
    }
  }
  return out;
}

}  // namespace

std::vector<std::string> value_tokens(const std::string& raw) {
  const std::string text = nfkc(raw, "recalled text");
  std::vector<std::string> out;
  for (size_t i = 0; i < text.size();) {
    if (!is_alnum(text[i])) {
      ++i;
      continue;
    }
    size_t j = i;
    while (j < text.size() && (is_alnum(text[j]) || (is_joiner(text[j]) && j + 1 < text.size() && is_alnum(text[j + 1]))))
      ++j;
    std::string token = text.substr(i, j - i);
    if (is_value(token)) out.push_back(std::move(token));
    i = j;
  }
  return out;
}

RecallComparison compare_recall(const std::string& recalled, const std::string& statement) {
  RecallComparison c;
  auto a = value_tokens(statement), b = value_tokens(recalled);
  std::sort(a.begin(), a.end());
  std::sort(b.begin(), b.end());
  std::set_difference(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(c.only_in_statement));
  std::set_difference(b.begin(), b.end(), a.begin(), a.end(), std::back_inserter(c.only_in_recall));
  const std::string s = without_spaces(nfkc(statement, "statement")), r = without_spaces(nfkc(recalled, "recalled text"));
  for (const auto& p : quoted_phrases(s))
    if (r.find(p) == std::string::npos) c.only_in_statement.push_back("「" + p + "」");
  for (const auto& p : quoted_phrases(r))
    if (s.find(p) == std::string::npos) c.only_in_recall.push_back("「" + p + "」");
  c.agrees = c.only_in_statement.empty() && c.only_in_recall.empty();
  return c;
}

std::optional<bool> recall_names_reference(const std::string& recalled, const std::string& reference) {
  if (value_tokens(reference).empty() && quoted_phrases(without_spaces(nfkc(reference, "reference answer"))).empty())
    return std::nullopt;
  return compare_recall(recalled, reference).only_in_statement.empty();
}

}  // namespace gemba::eval
