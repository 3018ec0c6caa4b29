// Exact and near-duplicate detection for documents and paragraphs, first occurrence wins.
// Exact: 64-bit hash of the normalized text, confirmed by comparing the text. Near: MinHash
// over character n-grams + LSH (minhash.h), confirmed by the signature similarity; two texts
// whose numbers differ ("定格電流 2.0 A" vs "3.5 A") are never near duplicates, because in
// manuals of sibling products exactly those numbers are the facts.
#pragma once
#include <cstddef>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "data/minhash.h"

namespace gemba::data {

struct DedupeOptions {
  bool near = true;              // false: exact duplicates only
  double near_threshold = 0.85;  // estimated Jaccard similarity at or above which texts are near duplicates
  int ngram = 5;                 // shingle length in code points
  int num_perm = 128;            // signature length
  size_t min_paragraph_chars = 40;  // shorter paragraphs (headings, labels) are never dropped
};

enum class DuplicateKind { kUnique, kExact, kNear };

struct DedupeVerdict {
  DuplicateKind kind = DuplicateKind::kUnique;
  size_t duplicate_of = 0;  // index (in add() order) of the kept text it duplicates
  double similarity = 1.0;
};

// Incremental: add() each text in a fixed order; unique texts are remembered.
class Deduplicator {
 public:
  explicit Deduplicator(const DedupeOptions& options);
  DedupeVerdict add(std::string_view text);
  size_t size() const { return count_; }  // texts added so far (the next index)

 private:
  DedupeOptions options_;
  size_t count_ = 0;
  std::unordered_map<uint64_t, std::vector<size_t>> exact_;  // hash -> indices of kept texts
  std::unordered_map<size_t, std::string> kept_text_;        // index -> text (exact confirmation)
  std::unordered_map<size_t, std::vector<uint64_t>> signatures_;
  std::unordered_map<size_t, std::vector<std::string>> numbers_;
  LshIndex lsh_;
};

// The numbers in a text, in order ("E-21 at 2.5 A" -> {"21", "2.5"}).
std::vector<std::string> extract_numbers(std::string_view text);

}  // namespace gemba::data
