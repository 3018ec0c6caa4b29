#include "index/evidence.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <cctype>
#include <numeric>
#include <unordered_set>

#include "core/sentences.h"
#include "index/claim-values.h"
#include "index/query-terms.h"

namespace gemba::index {
namespace {

bool is_number(const std::string& w) {
  return !w.empty() && std::all_of(w.begin(), w.end(), [](unsigned char c) { return std::isdigit(c); });
}

// The terms of a text as a set (words without numbers, and trigrams).
std::unordered_set<std::string> term_set(const std::string& text) {
  QueryTerms t = query_terms(text, 1u << 16);
  std::unordered_set<std::string> out;
  for (auto& w : t.words)
    if (!is_number(w)) out.insert(std::move(w));
  for (auto& g : t.trigrams) out.insert(std::move(g));
  return out;
}

// A question asserts nothing: it is no evidence ("Q. What is ...?", "...は?", "...ですか。").
bool is_question(const std::string& s) {
  if (s.rfind("Q.", 0) == 0 || s.rfind("Q:", 0) == 0) return true;
  if (!s.empty() && s.back() == '?') return true;
  auto ends_with = [&](const char* tail) {
    const size_t n = std::strlen(tail);
    return s.size() >= n && s.compare(s.size() - n, n, tail) == 0;
  };
  return ends_with("\xEF\xBC\x9F") || ends_with("\xE3\x81\x8B\xE3\x80\x82");  // "？", "か。"
}

void add_sentences(const std::string& text, const std::string& context, size_t hit, std::vector<EvidencePiece>& out) {
  size_t start = 0;
  while (start <= text.size()) {  // each line (a list item) on its own, then its sentences
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    for (auto& s : split_sentences(std::string_view(text).substr(start, end - start)))
      if (!is_question(s)) out.push_back({std::move(s), context, hit});
    start = end + 1;
  }
}

}  // namespace

std::vector<EvidencePiece> evidence_pieces(const std::vector<SearchHit>& hits) {
  std::vector<EvidencePiece> pieces;
  for (size_t h = 0; h < hits.size(); ++h) {
    const Passage& p = hits[h].passage;
    std::string context = p.title;
    const std::string section = section_path_text(p.section);
    if (!section.empty()) context += (context.empty() ? "" : " > ") + section;
    if (p.kind == "code" || p.kind == "table-row") {
      pieces.push_back({p.text, context, h});
    } else if (p.kind == "faq") {
      // "Q: question\nA: answer": the question is context, the answer's sentences are evidence.
      size_t a = p.text.find("\nA: ");
      std::string question = a == std::string::npos ? "" : p.text.substr(p.text.rfind("Q: ", 0) == 0 ? 3 : 0, a - 3);
      std::string answer = a == std::string::npos ? p.text : p.text.substr(a + 4);
      add_sentences(answer, context + " " + question, h, pieces);
    } else {
      add_sentences(p.text, context, h, pieces);
    }
  }
  return pieces;
}

// The identifiers of a text (index/claim-values.h), lower-case.
std::unordered_set<std::string> identifiers_of(const std::string& text) {
  std::unordered_set<std::string> out;
  for (const auto& v : claim_values(text))
    if (v.kind == ClaimValueKind::kIdentifier) out.insert(v.key);
  return out;
}

bool is_trigram(const std::string& term) { return !term.empty() && static_cast<unsigned char>(term[0]) >= 0x80; }

std::vector<double> evidence_relevance(const std::string& query, const std::vector<EvidencePiece>& pieces, const PassageIndex& index) {
  const std::unordered_set<std::string> wanted = term_set(query);
  const std::unordered_set<std::string> wanted_ids = identifiers_of(query);
  // A named identifier ("maximum_servo_angle", "SDCARD_LOOP_BEGIN") says what the query is
  // about more surely than any word: each one present counts as much as the rarest term.
  const double id_weight = 2 * (std::log(static_cast<double>(index.passage_count()) + 1) + 1);
  // The pieces of one passage share its context: its terms are read once.
  std::string last_context = "\x01";
  std::unordered_set<std::string> in_context, context_ids;
  std::vector<double> scores;
  for (const auto& piece : pieces) {
    if (piece.context != last_context) {
      last_context = piece.context;
      in_context = term_set(piece.context);
      context_ids = wanted_ids.empty() ? std::unordered_set<std::string>{} : identifiers_of(piece.context);
    }
    const std::unordered_set<std::string> in_text = term_set(piece.text);
    double score = 0;
    for (const auto& t : wanted) {
      // Overlapping trigrams of one Japanese phrase repeat each other: half weight.
      const double w = index.term_weight(t) * (is_trigram(t) ? 0.5 : 1.0);
      if (in_text.count(t)) score += w;
      else if (in_context.count(t)) score += 0.5 * w;
    }
    if (!wanted_ids.empty()) {
      const std::unordered_set<std::string> ids = identifiers_of(piece.text);
      for (const auto& id : wanted_ids) {
        if (ids.count(id)) score += id_weight;
        else if (context_ids.count(id)) score += 0.5 * id_weight;
      }
    }
    scores.push_back(score);
  }
  return scores;
}

std::vector<size_t> rank_evidence(const std::string& query, const std::vector<EvidencePiece>& pieces, const PassageIndex& index) {
  const std::vector<double> scores = evidence_relevance(query, pieces, index);
  std::vector<size_t> order(pieces.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    if (scores[a] != scores[b]) return scores[a] > scores[b];
    return pieces[a].hit < pieces[b].hit;
  });
  return order;
}

}  // namespace gemba::index
