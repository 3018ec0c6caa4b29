#include "data/shuffled-units.h"

#include "core/error.h"
#include "core/shuffle.h"
#include "core/splitmix64.h"
#include "core/utf8.h"

namespace gemba::data {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

// A markdown table rule such as |---|:--:|.
bool is_table_rule(std::string_view line) {
  if (line.empty() || line.front() != '|') return false;
  for (char c : line)
    if (c != '|' && c != '-' && c != ':' && c != ' ') return false;
  return true;
}

// Byte offsets just past each sentence end in a prose line.
std::vector<size_t> sentence_ends(std::string_view line) {
  static const std::string_view kFullStops[] = {"。", "！", "？"};  // 3 UTF-8 bytes each
  std::vector<size_t> ends;
  for (size_t i = 0; i < line.size(); ++i) {
    for (auto stop : kFullStops)
      if (line.compare(i, stop.size(), stop) == 0) ends.push_back(i + stop.size());
    const char c = line[i];
    if ((c == '.' || c == '!' || c == '?') && i + 1 < line.size() && line[i + 1] == ' ') ends.push_back(i + 1);
  }
  return ends;
}

}  // namespace

std::vector<std::string> text_units(std::string_view document, const UnitOptions& options) {
  std::vector<std::string> units;
  auto keep = [&](std::string_view unit) {
    unit = trim(unit);
    if (utf8_code_points(unit) >= options.min_chars) units.emplace_back(unit);
  };
  size_t pos = 0;
  while (pos <= document.size()) {
    size_t eol = document.find('\n', pos);
    if (eol == std::string_view::npos) eol = document.size();
    std::string_view line = trim(document.substr(pos, eol - pos));
    pos = eol + 1;
    if (line.empty() || is_table_rule(line)) continue;
    if (line.front() == '|' || line.front() == '#') {  // a table row or a heading: one unit
      keep(line);
      continue;
    }
    if (line.size() > 2 && (line[0] == '-' || line[0] == '*') && line[1] == ' ') line.remove_prefix(2);  // list item
    size_t begin = 0;
    for (size_t end : sentence_ends(line)) {
      keep(line.substr(begin, end - begin));
      begin = end;
    }
    keep(line.substr(begin));
  }
  return units;
}

std::vector<std::string> shuffled_unit_copies(const std::vector<std::string>& documents, int copies, uint64_t seed,
                                              ShuffleScope scope, const UnitOptions& options) {
  // groups: the unit lists that are shuffled and emitted as one document each.
  std::vector<std::vector<std::string>> groups;
  for (const auto& d : documents) {
    auto units = text_units(d, options);
    if (units.empty()) continue;
    if (scope == ShuffleScope::document || groups.empty()) groups.emplace_back();
    for (auto& u : units) groups.back().push_back(std::move(u));
  }
  std::vector<std::string> out;
  uint64_t stream = 0;  // one seed per shuffle
  auto next_seed = [&] { return splitmix64_mix(seed * 0x100000001b3ull + stream++); };
  for (int c = 0; c < copies; ++c) {
    for (uint64_t g : shuffled_indices(groups.size(), next_seed())) {
      const auto& units = groups[g];
      std::string text;
      for (uint64_t i : shuffled_indices(units.size(), next_seed())) {
        text += units[i];
        text += '\n';
      }
      text.pop_back();
      out.push_back(std::move(text));
    }
  }
  return out;
}

ShuffleScope parse_shuffle_scope(const std::string& name) {
  if (name == "corpus") return ShuffleScope::corpus;
  if (name == "document") return ShuffleScope::document;
  fail("--shuffle-scope '", name, "': expected corpus or document");
}

}  // namespace gemba::data
