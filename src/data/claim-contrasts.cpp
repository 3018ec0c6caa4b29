#include "data/claim-contrasts.h"

#include <algorithm>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <string_view>
#include <tuple>
#include <utility>

#include "core/error.h"
#include "core/json.h"
#include "core/nfkc.h"
#include "core/utf8.h"
#include "data/statement-mining.h"
#include "data/template-diff.h"
#include "data/value-tokens.h"

namespace gemba::data {
namespace {

using CodePoints = std::vector<uint32_t>;

// Stands for a value token when a middle is compared again (step 2): a private-use code point
// that is no letter, as the miner's entity placeholder (U+E000).
constexpr uint32_t kValueMask = 0xE001;

// The letters of a word or name: ASCII letters and digits, kanji (and 々), katakana (and ー).
// Hiragana is left out: it is mostly particles and endings, which bound a Japanese value.
bool is_content_char(uint32_t c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= 0x30A1 && c <= 0x30FA) ||
         c == 0x30FC || c == 0x3005 || (c >= 0x3400 && c <= 0x4DBF) || (c >= 0x4E00 && c <= 0x9FFF);
}


std::string encode_range(const CodePoints& cps, size_t begin, size_t end) {
  std::string out;
  for (size_t i = begin; i < end; ++i) utf8_append(out, cps[i]);
  return out;
}

// NFKC, without whitespace, ASCII letters in lower case ("Overload" in a table cell is the
// "overload" of a sentence).
std::string compact(std::string_view text, const std::string& what) {
  std::string out;
  for (char c : nfkc(text, what)) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') continue;
    out += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  }
  return out;
}

bool is_ascii_alnum(unsigned char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

// compact() of a text, and where its words began: a phrase must begin and end at a word
// boundary, so "off" is not found in "speed of fan" (compacted "speedoffan") nor "fan" in
// "fanless". Between two characters that are not both ASCII letters or digits there is always
// a boundary, so kanji and kana phrases match anywhere.
class MatchText {
 public:
  MatchText(std::string_view raw, const std::string& what) {
    const std::string normalized = nfkc(raw, what);
    bool space_before = true;
    for (unsigned char c : normalized) {
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
        space_before = true;
        continue;
      }
      const char lower = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : static_cast<char>(c);
      const bool continuation = (c & 0xC0) == 0x80;  // inside a multi-byte character: never a boundary
      boundary_.push_back(!continuation && (space_before || text_.empty() || !is_ascii_alnum(static_cast<unsigned char>(text_.back())) ||
                                            !is_ascii_alnum(c)));
      text_ += lower;
      space_before = false;
    }
    boundary_.push_back(true);
  }

  bool contains(const std::string& phrase) const {
    for (size_t pos = text_.find(phrase); pos != std::string::npos; pos = text_.find(phrase, pos + 1))
      if (boundary_[pos] && boundary_[pos + phrase.size()]) return true;
    return false;
  }

 private:
  std::string text_;
  std::vector<bool> boundary_;  // boundary_[b]: a word boundary lies before byte b (one more entry than bytes)
};

std::string trim(std::string_view s) {
  size_t b = s.find_first_not_of(" \t\r"), e = s.find_last_not_of(" \t\r");
  return b == std::string_view::npos ? std::string() : std::string(s.substr(b, e - b + 1));
}

// "| a | b |" -> {"a", "b"}.
std::vector<std::string> table_cells(std::string_view line) {
  std::string row = trim(line);
  if (!row.empty() && row.front() == '|') row.erase(0, 1);
  if (!row.empty() && row.back() == '|') row.pop_back();
  std::vector<std::string> cells;
  size_t start = 0;
  for (size_t bar = row.find('|'); ; bar = row.find('|', start)) {
    cells.push_back(trim(std::string_view(row).substr(start, bar == std::string::npos ? std::string::npos : bar - start)));
    if (bar == std::string::npos) break;
    start = bar + 1;
  }
  return cells;
}

// "|---|:--:|" : the row under a Markdown table's header.
bool is_separator_row(std::string_view line) {
  const std::string row = trim(line);
  if (row.empty() || row.front() != '|') return false;
  for (const auto& cell : table_cells(row))
    if (cell.empty() || cell.find_first_not_of(":-") != std::string::npos || cell.find('-') == std::string::npos) return false;
  return true;
}

// The text with each value token replaced by kValueMask.
CodePoints mask_values(const std::string& nfkc_text) {
  CodePoints out;
  const auto spans = value_token_spans(nfkc_text);
  size_t next = 0;
  for (size_t pos = 0; pos < nfkc_text.size();) {
    if (next < spans.size() && pos == spans[next].first) {
      out.push_back(kValueMask);
      pos = spans[next++].second;
    } else {
      out.push_back(utf8_decode(nfkc_text, pos));
    }
  }
  return out;
}

// The phrase a middle states: whitespace-free, without the sentence's own full stop or comma.
std::string phrase_of(const std::string& middle) {
  std::string p = compact(middle, "contrast");
  while (!p.empty() && (p.back() == '.' || p.back() == ',')) p.pop_back();
  return p;
}

const char* const kFileHint = " (a line of `gemba data statements --contrasts-output`)";

std::string require_string(const Json& j, const char* key, const std::string& where) {
  if (!j.contains(key) || !j[key].is_string() || j[key].get<std::string>().empty())
    fail(where, ": field '", key, "' must be a non-empty string", kFileHint);
  return j[key].get<std::string>();
}

}  // namespace

void ClaimContrastCollector::add(const std::string& lang, const CodePoints& a, const CodePoints& b) {
  const auto [prefix, suffix] = common_ends(a, b, is_content_char);
  std::string middle_a = nfkc(encode_range(a, prefix, a.size() - suffix), "contrast");
  std::string middle_b = nfkc(encode_range(b, prefix, b.size() - suffix), "contrast");
  if (!value_token_spans(middle_a).empty() || !value_token_spans(middle_b).empty()) {
    // Step 2: the words beside the values.
    const CodePoints ma = mask_values(middle_a), mb = mask_values(middle_b);
    const auto [p, s] = common_ends(ma, mb, is_content_char);
    for (const CodePoints* m : {&ma, &mb})
      if (std::find(m->begin() + static_cast<std::ptrdiff_t>(p), m->end() - static_cast<std::ptrdiff_t>(s), kValueMask) !=
          m->end() - static_cast<std::ptrdiff_t>(s))
        return;  // the words that differ touch a value: no plain-word claim of their own
    middle_a = encode_range(ma, p, ma.size() - s);
    middle_b = encode_range(mb, p, mb.size() - s);
  }
  std::string phrase_a = phrase_of(middle_a), phrase_b = phrase_of(middle_b);
  if (phrase_a == phrase_b || utf8_code_points(phrase_a) < 2 || utf8_code_points(phrase_b) < 2) return;
  if (phrase_b < phrase_a) std::swap(phrase_a, phrase_b);
  pairs_.emplace(lang, std::move(phrase_a), std::move(phrase_b));
}

void ClaimContrastCollector::add_tables(const std::string& text, const EntityFinder& entity) {
  std::vector<std::string_view> lines;
  for (size_t start = 0; start <= text.size();) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    lines.push_back(std::string_view(text).substr(start, end - start));
    start = end + 1;
  }
  for (size_t i = 0; i + 1 < lines.size(); ++i) {
    if (trim(lines[i]).rfind('|', 0) != 0 || !is_separator_row(lines[i + 1])) continue;
    // Rows up to the next non-table line, or up to the header of a table glued on without a
    // blank line (a row with a |---| row under it).
    size_t end = i + 2;
    std::vector<std::vector<std::string>> rows;
    while (end < lines.size() && trim(lines[end]).rfind('|', 0) == 0 && !(end + 1 < lines.size() && is_separator_row(lines[end + 1])))
      rows.push_back(table_cells(lines[end++]));
    add_table(table_cells(lines[i]), rows, entity);
    i = end - 1;
  }
}

void ClaimContrastCollector::add_table(const std::vector<std::string>& header_cells, const std::vector<std::vector<std::string>>& rows,
                                       const EntityFinder& entity) {
  std::vector<std::string> header = header_cells;
  std::vector<bool> names_product(header.size());
  std::string table_key, table_text;
  for (const auto& h : header) table_text += h;
  for (size_t k = 0; k < header.size(); ++k) {
    // The header with every entity masked: tables of sibling products share one key.
    auto mentions = entity(header[k]);
    names_product[k] = !mentions.empty();
    for (auto it = mentions.rbegin(); it != mentions.rend(); ++it) header[k].replace(it->first, it->second, "<product>");
    table_key += header[k] + "|";
  }
  for (const auto& row : rows)
    for (const auto& c : row) table_text += c;
  const std::string lang = statement_language(table_text);
  for (const auto& cells : rows) {
    for (size_t k = 1; k < std::min(cells.size(), header.size()); ++k) {  // column 0 names the row
      const std::string value = nfkc(cells[k], "table cell");
      if (!entity(cells[k]).empty() || !value_token_spans(value).empty()) continue;
      std::string phrase = phrase_of(value);
      if (utf8_code_points(phrase) < 2) continue;
      // A column headed by a product ("| Item | ZIO-A62 |") holds one value per attribute: the
      // set is the row's ("Unit type" across all products' spec tables), not the column's.
      const std::string slot = names_product[k] ? table_key + "row: " + cells[0] : table_key + header[k];
      columns_[{lang, slot}].insert(std::move(phrase));
    }
  }
}

ClaimContrasts ClaimContrastCollector::finish(const std::vector<ProductSentence>& sentences) const {
  struct Compacted {
    const ProductSentence* sentence;
    MatchText text;
  };
  std::map<std::string, std::vector<Compacted>> by_lang;
  std::map<std::string, std::set<std::string>> entities_by_lang;
  for (const auto& s : sentences) {
    by_lang[s.lang].push_back({&s, MatchText(s.text, "sentence of " + s.entity)});
    entities_by_lang[s.lang].insert(s.entity);
  }
  std::map<std::pair<std::string, std::string>, bool> distinctive;  // (lang, phrase) -> kept
  auto is_distinctive = [&](const std::string& lang, const std::string& phrase) {
    auto [it, fresh] = distinctive.try_emplace({lang, phrase}, false);
    if (!fresh) return it->second;
    std::set<std::string> entities;
    for (const auto& c : by_lang[lang])
      if (c.text.contains(phrase)) entities.insert(c.sentence->entity);
    const double products = static_cast<double>(entities_by_lang[lang].size());
    it->second = static_cast<double>(entities.size()) <= kMaxEntityShare * products;  // no sentences: no evidence against
    return it->second;
  };
  ClaimContrasts out;
  for (const auto& [lang, a, b] : pairs_)
    if (is_distinctive(lang, a) && is_distinctive(lang, b)) out.push_back({lang, "sentences", {a, b}});
  for (const auto& [key, cells] : columns_) {
    const auto& [lang, column] = key;
    ClaimContrast c{lang, "table: " + column.substr(column.rfind('|') + 1), {}};  // the column header, or "row: <label>"
    for (const auto& phrase : cells)
      if (is_distinctive(lang, phrase)) c.phrases.push_back(phrase);
    if (c.phrases.size() >= 2) out.push_back(std::move(c));
  }
  std::sort(out.begin(), out.end(), [](const ClaimContrast& x, const ClaimContrast& y) {
    return std::tie(x.lang, x.slot, x.phrases) < std::tie(y.lang, y.slot, y.phrases);
  });
  return out;
}

std::string claim_contrasts_to_jsonl(const ClaimContrasts& contrasts) {
  std::string out;
  for (const auto& c : contrasts) {
    nlohmann::ordered_json j;
    j["lang"] = c.lang;
    j["slot"] = c.slot;
    j["phrases"] = c.phrases;
    out += j.dump() + "\n";
  }
  return out;
}

ClaimContrasts load_claim_contrasts(const std::string& path) {
  std::ifstream in(path);
  if (!in) fail(path, ": cannot open the claim contrasts (gemba data statements --contrasts-output)");
  ClaimContrasts out;
  std::string line;
  for (size_t line_no = 1; std::getline(in, line); ++line_no) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    const std::string where = cat(path, ":", line_no);
    require_utf8(line, where);
    const Json j = parse_json(line, where);
    ClaimContrast c{require_string(j, "lang", where), require_string(j, "slot", where), {}};
    if (!j.contains("phrases") || !j["phrases"].is_array() || j["phrases"].size() < 2)
      fail(where, ": field 'phrases' must be a list of two or more phrases", kFileHint);
    for (const auto& p : j["phrases"]) {
      if (!p.is_string() || p.get<std::string>().empty()) fail(where, ": field 'phrases' holds ", p.dump(), ", not a phrase", kFileHint);
      c.phrases.push_back(compact(p.get<std::string>(), where));
      if (utf8_code_points(c.phrases.back()) < 2)
        fail(where, ": field 'phrases' holds ", p.dump(), ": a phrase needs two or more characters besides spaces", kFileHint);
    }
    out.push_back(std::move(c));
  }
  return out;
}

std::vector<ClaimClash> claim_clashes(const ClaimContrasts& contrasts, const std::string& statement, const std::string& recalled) {
  std::vector<ClaimClash> out;
  if (contrasts.empty()) return out;
  const MatchText s(statement, "statement"), r(recalled, "recalled text");
  auto has = [](const MatchText& text, const std::string& phrase) { return text.contains(phrase); };
  for (const auto& c : contrasts) {
    const std::string *said = nullptr, *other = nullptr;
    for (const auto& p : c.phrases) {
      if (!said && has(s, p) && !has(r, p)) said = &p;
      if (!other && has(r, p) && !has(s, p)) other = &p;
    }
    if (!said || !other) continue;
    // The same two phrases may be in several sets (both languages, a sentence pair and a table): once.
    const bool seen = std::any_of(out.begin(), out.end(), [&](const ClaimClash& x) { return x.in_statement == *said && x.in_recall == *other; });
    if (!seen) out.push_back({*said, *other});
  }
  return out;
}

}  // namespace gemba::data
