#include "eval/recall-grader.h"

#include <algorithm>
#include <cctype>

#include "core/nfkc.h"

namespace gemba::eval {
namespace {

std::string without_spaces(std::string s) {
  std::erase_if(s, [](unsigned char c) { return std::isspace(c); });
  return s;
}

std::string ascii_lower(std::string s) {
  for (char& ch : s)
    if (ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch - 'A' + 'a');
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

RecallComparison compare_recall(const std::string& recalled, const std::string& statement,
                                const data::ClaimContrasts& contrasts) {
  RecallComparison c;
  auto a = value_tokens(statement, "statement"), b = value_tokens(recalled, "recalled text");
  std::sort(a.begin(), a.end());
  std::sort(b.begin(), b.end());
  std::set_difference(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(c.only_in_statement));
  std::set_difference(b.begin(), b.end(), a.begin(), a.end(), std::back_inserter(c.only_in_recall));
  const std::string s = without_spaces(nfkc(statement, "statement")), r = without_spaces(nfkc(recalled, "recalled text"));
  for (const auto& p : quoted_phrases(s))
    if (r.find(p) == std::string::npos) c.only_in_statement.push_back("「" + p + "」");
  for (const auto& p : quoted_phrases(r))
    if (s.find(p) == std::string::npos) c.only_in_recall.push_back("「" + p + "」");
  for (const auto& clash : data::claim_clashes(contrasts, statement, recalled)) {
    // A quoted value ("「過負荷」") is already listed: not again as a worded one.
    const std::string quoted = "「" + clash.in_statement + "」";
    const bool listed = std::any_of(c.only_in_statement.begin(), c.only_in_statement.end(),
                                    [&](const std::string& v) { return ascii_lower(v) == quoted; });
    if (!listed) c.only_in_statement.push_back(clash.in_statement);
    c.only_in_recall.push_back(clash.in_recall);
  }
  c.agrees = c.only_in_statement.empty() && c.only_in_recall.empty();
  return c;
}

std::optional<bool> recall_names_reference(const std::string& recalled, const std::string& reference,
                                           const data::ClaimContrasts& contrasts) {
  if (value_tokens(reference, "reference answer").empty() && quoted_phrases(without_spaces(nfkc(reference, "reference answer"))).empty())
    return std::nullopt;
  return compare_recall(recalled, reference, contrasts).only_in_statement.empty();
}

}  // namespace gemba::eval
