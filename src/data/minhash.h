// MinHash signatures over character n-grams and an LSH index for near-duplicate search.
// MinHash: Broder, "On the resemblance and containment of documents" (1997).
// LSH banding: Indyk & Motwani (1998), as in Leskovec et al., "Mining of Massive Datasets" ch. 3.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace gemba::data {

// 64-bit hash of bytes (FNV-1a, then a splitmix64 finalizer for good low bits).
uint64_t hash64(std::string_view bytes, uint64_t seed = 0);
uint64_t mix64(uint64_t x);

// Signature of the set of `ngram`-code-point shingles of `text` (whitespace runs count as one
// space). Text shorter than `ngram` code points is one shingle.
std::vector<uint64_t> minhash_signature(std::string_view text, int ngram, int num_perm);

// Estimated Jaccard similarity: the fraction of equal signature slots.
double minhash_similarity(const std::vector<uint64_t>& a, const std::vector<uint64_t>& b);

// Exact Jaccard similarity of the shingle sets (for tests and verification).
double shingle_jaccard(std::string_view a, std::string_view b, int ngram);

// Banded LSH: signatures agreeing on all rows of any band become candidates. The band
// shape is chosen so the S-curve's midpoint (1/b)^(1/r) sits at or below `threshold`.
class LshIndex {
 public:
  LshIndex(int num_perm, double threshold);
  void insert(size_t id, const std::vector<uint64_t>& signature);
  std::vector<size_t> candidates(const std::vector<uint64_t>& signature) const;  // sorted, unique
  int bands() const { return bands_; }
  int rows() const { return rows_; }

 private:
  uint64_t band_key(const std::vector<uint64_t>& signature, int band) const;
  int bands_ = 1, rows_ = 1;
  std::unordered_map<uint64_t, std::vector<size_t>> buckets_;
};

}  // namespace gemba::data
