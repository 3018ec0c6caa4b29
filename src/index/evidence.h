// Evidence: the pieces of retrieved passages that can support or contradict a claim, and which
// of them a question is about. Shared by the retrieval-only rule (eval/retrieval-rule.h), which
// checks the best piece, and the grounded prompt (index/grounded-prompt.h), which shows the
// model the best pieces of each passage instead of whole passages (a small model reads a short
// prompt better, and an edge device prefills it sooner).
//
// Pieces: a sentence of a paragraph, note, list or FAQ answer (core/sentences.h); a whole table
// row; a whole config-listing entry. Each keeps its passage's heading path (and a FAQ answer its
// question) as context.
//
// Relevance: the inverse-document-frequency weights (from the index) of the question's words and
// Japanese trigrams that the piece contains, plus half of those only its context contains.
// Numbers do not count: a false statement's wrong value must not pull the evidence toward
// another sentence that happens to state it.
#pragma once
#include <string>
#include <vector>

#include "index/passage-index.h"

namespace gemba::index {

struct EvidencePiece {
  std::string text;
  std::string context;  // heading path, and the question of a FAQ pair
  size_t hit = 0;       // which search hit it comes from
};

std::vector<EvidencePiece> evidence_pieces(const std::vector<SearchHit>& hits);

// The relevance of each piece to `query` (weights from the index's term statistics).
std::vector<double> evidence_relevance(const std::string& query, const std::vector<EvidencePiece>& pieces, const PassageIndex& index);

// Piece indices by relevance, best first (ties: the better-ranked passage, then reading order).
std::vector<size_t> rank_evidence(const std::string& query, const std::vector<EvidencePiece>& pieces, const PassageIndex& index);

}  // namespace gemba::index
