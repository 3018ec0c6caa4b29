#include "eval/retrieval-rule.h"

#include <algorithm>
#include <cstdlib>

#include "index/evidence.h"

namespace gemba::eval {

RuleVerdict retrieval_rule(const std::string& statement, const index::PassageIndex& index, const RuleOptions& options,
                           const data::ClaimContrasts& contrasts) {
  RuleVerdict v;
  v.hits = index.search(statement, options.top_k);
  std::vector<index::EvidencePiece> pieces = index::evidence_pieces(v.hits);
  if (pieces.empty()) return v;  // nothing retrieved: nothing supports the statement
  std::vector<size_t> order = index::rank_evidence(statement, pieces, index);
  for (size_t k = 0; k < order.size() && k < options.pieces_checked; ++k) {
    const index::EvidencePiece& piece = pieces[order[k]];
    // The heading path and the rest of the passage say what the piece is about ("[mcu]" for
    // "#baud: 250000"): the identifiers of the statement may stand there.
    const index::Passage& passage = v.hits[piece.hit].passage;
    ClaimCheck check = check_claim(statement, piece.text, contrasts, piece.context + "\n" + passage.text);
    if (k == 0 || check.supported) {
      v.verdict = check.supported;
      v.evidence = piece.text;
      v.citation = index::passage_citation(v.hits[piece.hit].passage);
      v.check = std::move(check);
    }
    if (v.verdict) break;
  }
  return v;
}

std::optional<bool> source_retrieved(const std::vector<index::SearchHit>& hits, const std::string& item_source) {
  if (item_source.empty()) return std::nullopt;
  size_t colon = item_source.rfind(':');
  std::string file = item_source.substr(0, colon);
  int line = colon == std::string::npos ? 0 : std::atoi(item_source.c_str() + colon + 1);
  for (const auto& h : hits) {
    const index::Passage& p = h.passage;
    const std::string& path = p.source.empty() ? p.doc : p.source;
    if (path.size() < file.size() || path.compare(path.size() - file.size(), file.size(), file) != 0) continue;
    if (line == 0 || (p.line <= line && line <= std::max(p.line, p.end_line))) return true;
  }
  return false;
}

std::vector<ItemResult> run_truefalse_rule(const index::PassageIndex& index, const std::vector<TrueFalseItem>& items,
                                           const RuleOptions& options, const data::ClaimContrasts& contrasts) {
  std::vector<ItemResult> results;
  for (const auto& item : items) {
    RuleVerdict v = retrieval_rule(item.statement, index, options, contrasts);
    ItemResult r;
    r.item = item;
    r.predicted = v.verdict;
    r.correct = v.verdict == item.label;
    r.answer = v.evidence;
    r.verdict = (v.verdict ? "supported by " : "not supported by ") + v.citation;
    for (const auto& m : v.check.missing) r.verdict += " | missing: " + m;
    for (const auto& c : v.check.contradicted) r.verdict += " | contradicted: " + c;
    r.source_retrieved = source_retrieved(v.hits, item.source);
    results.push_back(std::move(r));
  }
  return results;
}

}  // namespace gemba::eval
