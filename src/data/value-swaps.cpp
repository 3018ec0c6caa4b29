#include "data/value-swaps.h"

#include <algorithm>
#include <map>

#include "core/atomic-output.h"
#include "core/json.h"
#include "core/splitmix64.h"
#include "core/utf8.h"
#include "index/claim-values.h"
#include "index/evidence.h"
#include "index/grounded-prompt.h"

namespace gemba::data {
namespace value_swap_rules {  // named: the data layer is a unity build

using index::ClaimValue;
using index::ClaimValueKind;

// The shape a replacement identifier must share: dotted, underscored, with digits, upper-case.
std::string identifier_shape(const std::string& text) {
  std::string shape;
  shape += text.find('.') != std::string::npos ? 'd' : '-';
  shape += text.find('_') != std::string::npos ? 'u' : '-';
  shape += std::any_of(text.begin(), text.end(), [](unsigned char c) { return std::isdigit(c); }) ? 'n' : '-';
  shape += std::any_of(text.begin(), text.end(), [](unsigned char c) { return std::islower(c); }) ? 'l' : 'U';
  return shape;
}

// The pool a value's replacements come from: kind, unit or shape.
std::string pool_key(const ClaimValue& v) {
  switch (v.kind) {
    case ClaimValueKind::kNumber: return "n:" + v.unit + (v.key.find('x') != std::string::npos ? "x" : "");
    case ClaimValueKind::kIdentifier: return "i:" + identifier_shape(v.text);
    case ClaimValueKind::kQuoted: return "q";
  }
  return "";
}

// A listing entry as prose: comment marks dropped, lines joined ("#baud: 250000\n#  The baud
// rate..." -> "baud: 250000 The baud rate...").
std::string piece_as_statement(const index::EvidencePiece& piece, const std::string& kind) {
  if (kind != "code") return piece.text;
  std::string out;
  size_t start = 0;
  while (start <= piece.text.size()) {
    size_t end = piece.text.find('\n', start);
    if (end == std::string::npos) end = piece.text.size();
    std::string line = piece.text.substr(start, end - start);
    size_t first = line.find_first_not_of(" \t#;");
    if (first != std::string::npos) out += (out.empty() ? "" : " ") + line.substr(first);
    start = end + 1;
  }
  return out;
}

struct Piece {
  std::string text;
  std::string doc, section, passage_id;
  std::vector<ClaimValue> values;
};

}  // namespace value_swap_rules

std::vector<SwapStatement> value_swap_statements(const std::vector<index::Passage>& passages, const ValueSwapOptions& options) {
  using namespace value_swap_rules;
  // 1. Pieces with values, and the value pools per document and per section.
  std::vector<Piece> pieces;
  std::map<std::string, std::map<std::string, std::vector<std::string>>> by_doc, by_section;  // where -> pool -> values
  for (const auto& p : passages) {
    if (p.kind == "faq") continue;  // FAQ answers are asked through their questions (grounded rows)
    std::vector<index::SearchHit> one = {{p, 0}};
    for (const auto& e : index::evidence_pieces(one)) {
      std::string text = piece_as_statement(e, p.kind);
      size_t n = utf8_code_points(text);
      if (n < options.min_chars || n > options.max_chars) continue;
      Piece piece{text, p.doc, p.doc + " > " + index::section_path_text(p.section), p.id, index::claim_values(text)};
      if (piece.values.empty()) continue;
      for (const auto& v : piece.values) {
        by_doc[piece.doc][pool_key(v)].push_back(v.text);
        by_section[piece.section][pool_key(v)].push_back(v.text);
      }
      pieces.push_back(std::move(piece));
    }
  }
  // 2. Per piece: itself (true), and one value swapped for another of its pool (false).
  std::vector<SwapStatement> out;
  uint64_t state = options.seed ^ 0x5741505355ull;
  for (const auto& piece : pieces) {
    const std::string lang = index::text_language(piece.text);
    out.push_back({piece.text, true, piece.text, piece.passage_id, "", lang});
    // Which value: picked by the seed among those that have a different value in their pool.
    std::vector<size_t> order(piece.values.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
    for (size_t i = order.size(); i > 1; --i) std::swap(order[i - 1], order[splitmix64_next(state) % i]);
    for (size_t vi : order) {
      const ClaimValue& v = piece.values[vi];
      std::vector<std::string> candidates;
      for (auto* pools : {&by_section[piece.section], &by_doc[piece.doc]}) {
        for (const auto& other : (*pools)[pool_key(v)]) {
          std::vector<ClaimValue> parsed = index::claim_values(other);
          bool same = !parsed.empty() && parsed[0].key == v.key;
          if (!same && piece.text.find(other) == std::string::npos) candidates.push_back(other);
        }
        if (!candidates.empty()) break;  // the section's own values first
      }
      if (candidates.empty()) continue;
      std::sort(candidates.begin(), candidates.end());
      candidates.erase(std::unique(candidates.begin(), candidates.end()), candidates.end());
      const std::string& other = candidates[splitmix64_next(state) % candidates.size()];
      std::string statement = piece.text.substr(0, v.begin) + other + piece.text.substr(v.end);
      out.push_back({statement, false, piece.text, piece.passage_id, v.text + " -> " + other, lang});
      break;
    }
  }
  // 3. At most max_statements, sampled by the seed, then shuffled.
  for (size_t i = out.size(); i > 1; --i) std::swap(out[i - 1], out[splitmix64_next(state) % i]);
  if (out.size() > options.max_statements) out.resize(options.max_statements);
  return out;
}

std::vector<index::Passage> read_passages_file(const std::string& path) {
  std::vector<index::Passage> passages;
  const std::string text = read_file(path);
  size_t start = 0, line = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    ++line;
    std::string_view row(text.data() + start, end - start);
    start = end + 1;
    if (row.find_first_not_of(" \t\r") == std::string_view::npos) continue;
    const std::string where = path + ":" + std::to_string(line);
    passages.push_back(index::passage_from_json(parse_json(row, where), where));
  }
  return passages;
}

}  // namespace gemba::data
