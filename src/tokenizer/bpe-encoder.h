// SentencePiece BPE encoding (Sennrich et al. 2016, "Neural Machine Translation of Rare Words
// with Subword Units"; SentencePiece's variant, Kudo & Richardson 2018): start from characters
// (user-defined symbols whole), repeatedly merge the adjacent pair whose concatenation is the
// highest-scoring vocabulary piece (ties: leftmost), using a priority queue of adjacent pairs.
#pragma once
#include <cstdint>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "tokenizer/double-array-trie.h"
#include "tokenizer/encoded-piece.h"
#include "tokenizer/tokenizer-spec.h"

namespace gemba::tokenizer {

class BpeEncoder {
 public:
  explicit BpeEncoder(const TokenizerSpec& spec);
  // Appends the segmentation of `normalized` to `out`.
  void encode(std::string_view normalized, std::vector<EncodedPiece>& out) const;

 private:
  struct Symbol {
    uint32_t begin, length;
    int32_t prev, next;
    int32_t id;  // piece id of this symbol, -1 if not a piece
    bool frozen;  // user-defined symbol: never merged
  };
  bool merge_allowed(int32_t left_id, int32_t right_id) const;
  void resegment(std::string_view normalized, uint32_t begin, uint32_t length, int32_t id,
                 const std::unordered_map<uint64_t, std::pair<uint32_t, uint32_t>>& rev_merge,
                 std::vector<EncodedPiece>& out) const;

  DoubleArrayTrie pieces_;        // normal, user-defined and unused pieces
  DoubleArrayTrie user_defined_;  // longest-match symbols for the initial split
  std::vector<float> scores_;
  std::vector<uint8_t> unused_;
  int32_t unk_id_;
  bool has_merge_list_;
  std::unordered_set<uint64_t> merge_list_;  // (left << 32 | right) when has_merge_list_
};

}  // namespace gemba::tokenizer
