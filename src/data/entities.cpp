#include "data/entities.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <set>

namespace gemba::data {
namespace entity_rules {  // named: the data layer is a unity build

bool is_core(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }
bool is_joiner(char c) { return c == '.' || c == '-' || c == ':'; }

// Does the run qualify as an identifier (see the header)?
bool is_identifier(std::string_view run) {
  bool digit = false, letter = false, underscore = false, dotted_letters = false;
  size_t capitals = 0;
  for (size_t i = 0; i < run.size(); ++i) {
    char c = run[i];
    if (std::isdigit(static_cast<unsigned char>(c))) digit = true;
    else if (std::isalpha(static_cast<unsigned char>(c))) letter = true;
    if (std::isupper(static_cast<unsigned char>(c))) ++capitals;
    if (c == '_') underscore = true;
    if (c == '.' && i > 0 && i + 1 < run.size() && std::isalpha(static_cast<unsigned char>(run[i - 1])) &&
        std::isalpha(static_cast<unsigned char>(run[i + 1])))
      dotted_letters = true;
  }
  if (!letter) return false;  // a number is a value
  return digit || underscore || dotted_letters || capitals >= 3;
}

// Identifier-shaped names that recur in prose without being subjects.
bool is_common_word(std::string_view name) {
  static const std::set<std::string_view> kCommon = {"e.g", "i.e", "etc", "TODO", "NOTE", "WARNING", "IMPORTANT", "CAUTION", "TIP"};
  return kCommon.count(name) > 0;
}

// "[mcu]", "[stepper_x]": a config section named in brackets.
void bracketed_names(std::string_view text, std::vector<std::string>& out) {
  for (size_t open = text.find('['); open != std::string_view::npos; open = text.find('[', open + 1)) {
    size_t close = text.find(']', open + 1);
    if (close == std::string_view::npos) return;
    std::string_view inner = text.substr(open + 1, close - open - 1);
    if (inner.empty() || inner.size() > 48) continue;
    if (!std::all_of(inner.begin(), inner.end(), [](char c) { return is_core(c) || c == ' ' || is_joiner(c); })) continue;
    if (!std::isalpha(static_cast<unsigned char>(inner.front()))) continue;
    out.emplace_back(inner);
  }
}

// "#baud: 250000", "MAX_VELOCITY = 5.0", "  rotation_distance:": the key of a listing line.
std::string listing_key(std::string_view line) {
  size_t i = line.find_first_not_of(" \t#;");
  if (i == std::string_view::npos) return "";
  size_t j = i;
  while (j < line.size() && (is_core(line[j]) || line[j] == '.' || line[j] == '-')) ++j;
  if (j == i || j - i > 64) return "";
  size_t k = line.find_first_not_of(" \t", j);
  if (k == std::string_view::npos || (line[k] != ':' && line[k] != '=')) return "";
  // "#   The baud rate to use: ..." is a comment sentence, not a key.
  if (i > 0 && line.substr(0, i).find_first_of(" \t") != std::string_view::npos && line[0] == '#') return "";
  std::string key(line.substr(i, j - i));
  return std::isalpha(static_cast<unsigned char>(key[0])) ? key : "";
}

}  // namespace entity_rules

std::vector<ByteSpan> identifier_spans(std::string_view text) {
  using namespace entity_rules;
  std::vector<ByteSpan> spans;
  size_t i = 0;
  while (i < text.size()) {
    if (!is_core(text[i])) {
      ++i;
      continue;
    }
    size_t j = i;
    while (j < text.size()) {
      if (is_core(text[j])) ++j;
      else if (is_joiner(text[j]) && j + 1 < text.size() && is_core(text[j + 1])) ++j;
      else break;
    }
    std::string_view run = text.substr(i, j - i);
    if (is_identifier(run) && !is_common_word(run)) spans.push_back({i, j - i});
    i = j;
  }
  return spans;
}

std::vector<EntityCount> discover_entities(const std::vector<Document>& documents, const EntityOptions& options) {
  using namespace entity_rules;
  std::map<std::string, EntityCount> counts;
  for (const auto& doc : documents) {
    std::set<std::string> named_here;
    auto mention = [&](const std::string& name, bool subject) {
      EntityCount& c = counts[name];
      c.name = name;
      ++c.mentions;
      if (subject) ++c.subjects;
      if (named_here.insert(name).second) ++c.documents;
    };
    for (const auto& b : doc.blocks) {
      if (b.kind == BlockKind::kCode) {
        for (size_t start = 0; start < b.text.size();) {
          size_t end = b.text.find('\n', start);
          if (end == std::string::npos) end = b.text.size();
          std::string_view line = std::string_view(b.text).substr(start, end - start);
          std::string key = listing_key(line);
          if (!key.empty()) mention(key, true);
          // "[stepper_x]" on a line of its own: a config section.
          std::vector<std::string> sections;
          if (line.size() > 2 && line.front() == '[' && line.back() == ']') bracketed_names(line, sections);
          for (const auto& name : sections) mention(name, true);
          start = end + 1;
        }
        continue;
      }
      std::vector<std::string> subjects;
      if (b.kind == BlockKind::kHeading) {
        bracketed_names(b.text, subjects);
        for (const auto& s : identifier_spans(b.text)) subjects.emplace_back(b.text.substr(s.begin, s.length));
      } else if (b.kind == BlockKind::kTableRow && !b.cells.empty()) {
        for (const auto& s : identifier_spans(b.cells[0])) subjects.emplace_back(b.cells[0].substr(s.begin, s.length));
      }
      std::set<std::string> subject_set(subjects.begin(), subjects.end());
      for (const auto& s : subject_set) mention(s, true);
      for (const auto& s : identifier_spans(b.text)) {
        std::string name = b.text.substr(s.begin, s.length);
        if (!subject_set.count(name)) mention(name, false);
      }
      std::vector<std::string> bracketed;
      if (b.kind != BlockKind::kHeading) bracketed_names(b.text, bracketed);
      for (const auto& name : bracketed)
        if (!subject_set.count(name)) mention(name, false);
    }
  }
  std::vector<EntityCount> ranked;
  for (auto& [name, c] : counts)
    if (c.subjects > 0 || c.mentions >= options.min_mentions) ranked.push_back(std::move(c));
  std::sort(ranked.begin(), ranked.end(), [](const EntityCount& a, const EntityCount& b) {
    if (a.score() != b.score()) return a.score() > b.score();
    return a.name < b.name;
  });
  if (ranked.size() > options.max_entities) ranked.resize(options.max_entities);
  return ranked;
}

EntitySet::EntitySet(const std::vector<EntityCount>& entities) {
  for (const auto& e : entities) names_.insert(e.name);
}

std::vector<ByteSpan> EntitySet::find(std::string_view text) const {
  std::vector<ByteSpan> out;
  for (const auto& s : identifier_spans(text))
    if (names_.count(std::string(text.substr(s.begin, s.length)))) out.push_back(s);
  // Bracketed or plain lower-case names ("[mcu]", "mcu") that the set holds.
  size_t i = 0;
  while (i < text.size()) {
    if (!entity_rules::is_core(text[i])) {
      ++i;
      continue;
    }
    size_t j = i;
    while (j < text.size() && (entity_rules::is_core(text[j]))) ++j;
    if (!identifier_spans(text.substr(i, j - i)).empty()) {
      i = j;
      continue;
    }
    if (names_.count(std::string(text.substr(i, j - i)))) out.push_back({i, j - i});
    i = j;
  }
  std::sort(out.begin(), out.end(), [](const ByteSpan& a, const ByteSpan& b) { return a.begin < b.begin; });
  return out;
}

}  // namespace gemba::data
