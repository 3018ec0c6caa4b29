// Double-array trie over byte strings (Aoe 1989, "An efficient digital search algorithm by
// using a double-array structure"): one array lookup per input byte, used for the Unigram
// lattice's prefix matching and for BPE's "is this concatenation a piece?" test.
#pragma once
#include <cstdint>
#include <string_view>
#include <utility>
#include <vector>

namespace gemba::tokenizer {

class DoubleArrayTrie {
 public:
  // Keys must be distinct and non-empty; values >= 0. Throws gemba::Error on a duplicate.
  void build(std::vector<std::pair<std::string_view, int32_t>> keys);

  bool empty() const { return nodes_.empty(); }

  // The value of `key`, or -1 if absent.
  int32_t find(std::string_view key) const {
    if (nodes_.empty()) return -1;
    uint32_t s = 0;
    for (unsigned char c : key) {
      uint32_t t = static_cast<uint32_t>(nodes_[s].base) + c;
      if (nodes_[t].check != static_cast<int32_t>(s)) return -1;
      s = t;
    }
    return nodes_[s].value;
  }

  // Calls fn(length, value) for every key that is a prefix of `text`, shortest first.
  template <class Fn>
  void for_each_prefix(const char* text, size_t size, Fn&& fn) const {
    if (nodes_.empty()) return;
    uint32_t s = 0;
    for (size_t i = 0; i < size; ++i) {
      uint32_t t = static_cast<uint32_t>(nodes_[s].base) + static_cast<unsigned char>(text[i]);
      if (nodes_[t].check != static_cast<int32_t>(s)) return;
      s = t;
      if (nodes_[s].value >= 0) fn(i + 1, nodes_[s].value);
    }
  }

  size_t memory_bytes() const { return nodes_.size() * sizeof(Node); }

 private:
  struct Node {
    int32_t base = 0;    // children of this node live at base + byte
    int32_t check = -1;  // parent index; -1 = free slot
    int32_t value = -1;  // value of the key ending here, -1 if none
  };
  void insert(uint32_t node, const std::vector<std::pair<std::string_view, int32_t>>& keys, size_t lo, size_t hi,
              size_t depth);
  uint32_t find_base(const std::vector<uint8_t>& children);
  void reserve(size_t n);

  std::vector<Node> nodes_;
  size_t next_check_pos_ = 1;
};

}  // namespace gemba::tokenizer
