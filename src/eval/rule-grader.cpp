#include "eval/rule-grader.h"

#include <algorithm>
#include <cctype>
#include <vector>

namespace gemba::eval {

std::optional<bool> grade_answer_by_rule(const std::string& answer) {
  // Lower-case ASCII; Japanese markers are matched as bytes.
  std::string head = answer.substr(0, 120);
  std::transform(head.begin(), head.end(), head.begin(), [](unsigned char c) { return std::tolower(c); });
  // Strip leading ASCII space/quotes and Japanese corner brackets (matched as whole
  // sequences: their lead byte is shared with kana).
  for (bool stripped = true; stripped;) {
    stripped = false;
    size_t skip = head.find_first_not_of(" \t\r\n\"'");
    if (skip == std::string::npos) return std::nullopt;
    head = head.substr(skip);
    for (const char* bracket : {"「", "『"})
      if (head.rfind(bracket, 0) == 0) head = head.substr(std::string(bracket).size()), stripped = true;
  }
  // Longer / negated markers first so "正しくない" is not read as "正しい".
  static const std::vector<std::pair<std::string, bool>> markers = {
      {"正しくない", false}, {"正しくありません", false}, {"違います", false}, {"incorrect", false}, {"not correct", false}, {"誤り", false}, {"間違", false},
      {"いいえ", false},     {"false", false},     {"正しい", true},      {"正解", true},  {"はい", true},
      {"true", true},        {"correct", true},    {"yes", true},         {"no", false},
  };
  size_t best_pos = std::string::npos;
  std::optional<bool> verdict;
  for (const auto& [marker, value] : markers) {
    size_t pos = head.find(marker);
    if (pos == std::string::npos || pos > 40) continue;
    // ASCII words must stand alone ("no" inside "not"/"know" is not a verdict).
    if (std::isalpha(static_cast<unsigned char>(marker[0]))) {
      bool left_ok = pos == 0 || !std::isalpha(static_cast<unsigned char>(head[pos - 1]));
      size_t end = pos + marker.size();
      bool right_ok = end >= head.size() || !std::isalpha(static_cast<unsigned char>(head[end]));
      if (!left_ok || !right_ok) continue;
    }
    if (pos < best_pos) {
      best_pos = pos;
      verdict = value;
    }
  }
  return verdict;
}

}  // namespace gemba::eval
