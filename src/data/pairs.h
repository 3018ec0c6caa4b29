// DPO pair mining: for each FAQ question, chosen = its own answer, rejected = the most
// similar OTHER answer ("similar but different"), by cosine of character n-gram TF-IDF
// vectors (Salton & Buckley 1988), which needs no word segmentation for Japanese.
// Near-duplicates of the chosen answer (identical after NFKC + whitespace normalization, or
// similarity above a cap) and candidates below a floor are excluded and counted.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "data/document.h"

namespace gemba::data {

struct PairMiningOptions {
  int per_question = 1;         // rejected answers per question (K)
  double min_similarity = 0.05; // candidates below this are excluded (not in --random mode)
  double max_similarity = 0.9;  // candidates above this are near-duplicates of the chosen answer
  int ngram_min = 2;            // character n-gram lengths (code points)
  int ngram_max = 3;
  bool random = false;          // ablation: a random other answer instead of the most similar
  uint64_t seed = 0;            // for --random
  int threads = 1;
  // Candidate generation skips n-grams found in more than this fraction of answers (their
  // IDF weight is tiny); the reported similarity of every kept pair is still the exact cosine.
  double max_document_frequency = 0.01;
  // ... and uses only this many of the answer's highest-weight n-grams.
  int max_query_terms = 64;
};

struct MinedPair {
  std::string prompt;       // the question
  std::string chosen;       // its own answer
  std::string rejected;     // another entry's answer
  double similarity = 0;    // TF-IDF cosine(chosen, rejected)
  std::string chosen_id;    // FaqPair::id of the question's entry
  std::string rejected_id;  // FaqPair::id the rejected answer came from
};

struct PairMiningReport {
  size_t questions = 0;
  size_t pairs = 0;
  size_t questions_without_pair = 0;
  size_t excluded_identical = 0;      // identical to the chosen answer after normalization
  size_t excluded_above_max = 0;      // similarity > max_similarity
  size_t excluded_below_min = 0;      // similarity < min_similarity
  size_t excluded_repeated = 0;       // same rejected text already used for this question
  std::vector<size_t> histogram;      // kept pairs' similarity in 10 bins over [0, 1]
};

struct PairMiningResult {
  std::vector<MinedPair> pairs;  // in FAQ order, then by decreasing similarity
  PairMiningReport report;
};

// Deterministic for given inputs and options (any thread count). Throws gemba::Error for
// invalid options or fewer than two FAQ entries.
PairMiningResult mine_pairs(const std::vector<FaqPair>& faq, const PairMiningOptions& options);

// The key used for the "identical after normalization" rule: NFKC, ASCII lower-cased, all
// whitespace removed (Japanese text differing only in spaces, e.g. U+3000, is the same answer).
std::string pair_text_key(const std::string& text);

// TRL preference format, one JSON object per line:
// {"prompt", "chosen", "rejected", "similarity", "chosen_id", "rejected_id"}.
std::string pairs_to_jsonl(const std::vector<MinedPair>& pairs);

// Human-readable summary: counts per exclusion rule and a similarity histogram.
std::string format_pair_report(const PairMiningReport& report, const PairMiningOptions& options);

}  // namespace gemba::data
