// SentencePiece BPE encoding (Sennrich et al. 2016, "Neural Machine Translation of Rare Words
// with Subword Units"; SentencePiece's variant, Kudo & Richardson 2018): start from characters
// (user-defined symbols whole), repeatedly merge the adjacent pair whose concatenation is the
// highest-scoring vocabulary piece (ties: leftmost), using a priority queue of adjacent pairs.
#pragma once
#include <cstdint>
#include <string_view>
#include <unordered_map>
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
  // The piece two adjacent symbols merge into, or -1.
  int32_t merged_piece(const char* data, const Symbol& left, const Symbol& right) const;
  void resegment(std::string_view normalized, uint32_t begin, uint32_t length, int32_t id,
                 const std::unordered_map<uint64_t, std::pair<uint32_t, uint32_t>>& rev_merge,
                 std::vector<EncodedPiece>& out) const;

  DoubleArrayTrie pieces_;        // normal, user-defined and unused pieces
  DoubleArrayTrie user_defined_;  // longest-match symbols for the initial split
  std::vector<float> scores_;
  std::vector<uint8_t> unused_;
  int32_t unk_id_;
  bool has_merge_list_;
  // (left id << 32 | right id) -> merged id: every split of a piece into two pieces (or the
  // tokenizer.json merge list). An open-addressing table: one probe per candidate pair.
  struct PairSlot {
    uint64_t key = ~uint64_t{0};
    int32_t value = -1;
  };
  std::vector<PairSlot> pairs_;
  uint64_t pair_mask_ = 0;
  int pair_shift_ = 60;  // Fibonacci hashing: the top log2(capacity) bits of key * golden ratio
  void add_pair(uint64_t key, int32_t value);
  int32_t find_pair(uint64_t key) const {
    for (uint64_t h = (key * 0x9E3779B97F4A7C15ull) >> pair_shift_;; h = (h + 1) & pair_mask_) {
      const PairSlot& s = pairs_[h];
      if (s.key == key) return s.value;
      if (s.value < 0) return -1;
    }
  }
};

}  // namespace gemba::tokenizer
