#include "tokenizer/double-array-trie.h"

#include <algorithm>

#include "core/error.h"

namespace gemba::tokenizer {

void DoubleArrayTrie::reserve(size_t n) {
  // Every node keeps 256 slots of headroom after its base so lookups need no bounds check.
  if (nodes_.size() < n + 257) nodes_.resize(std::max(n + 257, nodes_.size() * 2));
}

void DoubleArrayTrie::build(std::vector<std::pair<std::string_view, int32_t>> keys) {
  nodes_.clear();
  next_check_pos_ = 1;
  if (keys.empty()) return;
  std::sort(keys.begin(), keys.end());
  for (size_t i = 0; i < keys.size(); ++i) {
    if (keys[i].first.empty()) fail("tokenizer vocabulary: empty piece (id ", keys[i].second, ")");
    if (i > 0 && keys[i].first == keys[i - 1].first)
      fail("tokenizer vocabulary: piece '", keys[i].first, "' appears twice (ids ", keys[i - 1].second, " and ",
           keys[i].second, ")");
  }
  reserve(1024);
  nodes_[0].check = -2;  // the root is never free
  insert(0, keys, 0, keys.size(), 0);
  // Trim to the last used slot plus the lookup headroom.
  size_t last = 0;
  for (size_t i = 0; i < nodes_.size(); ++i)
    if (nodes_[i].check != -1) last = i;
  size_t max_base = 0;
  for (size_t i = 0; i <= last; ++i) max_base = std::max<size_t>(max_base, static_cast<size_t>(nodes_[i].base));
  nodes_.resize(std::max(last, max_base) + 257);
  nodes_.shrink_to_fit();
}

uint32_t DoubleArrayTrie::find_base(const std::vector<uint8_t>& children) {
  // First-fit search with the skip heuristic of darts: once the dense prefix of the array is
  // >95% occupied, later searches start after it.
  size_t pos = std::max<size_t>(next_check_pos_, static_cast<size_t>(children[0]) + 1) - 1;
  size_t nonzero = 0;
  bool first = true;
  const size_t start = pos;
  while (true) {
    ++pos;
    reserve(pos + 256);
    if (nodes_[pos].check != -1) {
      ++nonzero;
      continue;
    }
    if (first) {
      next_check_pos_ = pos;
      first = false;
    }
    const size_t base = pos - children[0];
    reserve(base + 256);
    bool ok = true;
    for (size_t k = 1; k < children.size() && ok; ++k) ok = nodes_[base + children[k]].check == -1;
    if (!ok) continue;
    if (static_cast<double>(nonzero) / static_cast<double>(pos - start + 1) >= 0.95) next_check_pos_ = pos;
    return static_cast<uint32_t>(base);
  }
}

void DoubleArrayTrie::insert(uint32_t node, const std::vector<std::pair<std::string_view, int32_t>>& keys, size_t lo,
                             size_t hi, size_t depth) {
  if (lo < hi && keys[lo].first.size() == depth) {  // sorted: the key ending here comes first
    nodes_[node].value = keys[lo].second;
    ++lo;
  }
  if (lo == hi) return;
  std::vector<uint8_t> children;
  std::vector<size_t> starts;
  for (size_t i = lo; i < hi; ++i) {
    uint8_t c = static_cast<uint8_t>(keys[i].first[depth]);
    if (children.empty() || children.back() != c) {
      children.push_back(c);
      starts.push_back(i);
    }
  }
  starts.push_back(hi);
  const uint32_t base = find_base(children);
  nodes_[node].base = static_cast<int32_t>(base);
  for (uint8_t c : children) nodes_[base + c].check = static_cast<int32_t>(node);
  for (size_t k = 0; k < children.size(); ++k) insert(base + children[k], keys, starts[k], starts[k + 1], depth + 1);
}

}  // namespace gemba::tokenizer
