// Where two sentence templates (code points) differ: the lengths of their common prefix and
// suffix, backed off so that neither ends inside a word. What a "word" is depends on the caller:
// the statement miner widens to ASCII words and numbers ("5分" vs "15分" swaps "5" for "15"),
// the claim-contrast collector also to runs of kanji and katakana ("入" / "出" → "入力" / "出力").
#pragma once
#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

namespace gemba::data {

// {prefix, suffix}; prefix + suffix <= the shorter template's length. The middles are
// a[prefix, a.size() - suffix) and b[prefix, b.size() - suffix).
std::pair<size_t, size_t> common_ends(const std::vector<uint32_t>& a, const std::vector<uint32_t>& b, bool (*in_word)(uint32_t));

}  // namespace gemba::data
