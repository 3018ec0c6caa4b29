// Unigram language-model segmentation (Kudo 2018, "Subword Regularization: Improving Neural
// Network Translation Models with Multiple Subword Candidates"): the Viterbi path through the
// lattice of vocabulary pieces, built on the fly with double-array trie prefix matches, exactly
// as SentencePiece's optimized encoder scores it (unknown characters cost min score - 10,
// user-defined symbols get a bonus so they always win).
#pragma once
#include <cstdint>
#include <string_view>
#include <vector>

#include "tokenizer/double-array-trie.h"
#include "tokenizer/encoded-piece.h"
#include "tokenizer/tokenizer-spec.h"

namespace gemba::tokenizer {

class UnigramEncoder {
 public:
  explicit UnigramEncoder(const TokenizerSpec& spec);
  void encode(std::string_view normalized, std::vector<EncodedPiece>& out) const;
  // The score a user-defined piece of `length` bytes competes with (SentencePiece's bonus).
  double user_defined_score(size_t length) const {
    return static_cast<double>(static_cast<float>(length) * max_score_) - 0.1;
  }

 private:
  DoubleArrayTrie pieces_;  // normal, user-defined and unused pieces
  std::vector<float> scores_;
  std::vector<uint8_t> kinds_;
  int32_t unk_id_;
  float min_score_, max_score_;
};

}  // namespace gemba::tokenizer
