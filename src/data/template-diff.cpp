#include "data/template-diff.h"

#include <algorithm>

namespace gemba::data {

std::pair<size_t, size_t> common_ends(const std::vector<uint32_t>& a, const std::vector<uint32_t>& b, bool (*in_word)(uint32_t)) {
  const size_t shortest = std::min(a.size(), b.size());
  size_t p = 0;
  while (p < shortest && a[p] == b[p]) ++p;
  // Back off while the prefix ends inside a word on either side.
  while (p > 0 && in_word(a[p - 1]) && ((p < a.size() && in_word(a[p])) || (p < b.size() && in_word(b[p])))) --p;
  size_t s = 0;
  while (s < shortest - p && a[a.size() - 1 - s] == b[b.size() - 1 - s]) ++s;
  while (s > 0) {
    const size_t ia = a.size() - s, ib = b.size() - s;
    const bool inside_word = in_word(a[ia]) && ((ia > 0 && in_word(a[ia - 1])) || (ib > 0 && in_word(b[ib - 1])));
    if (!inside_word) break;
    --s;
  }
  return {p, s};
}

}  // namespace gemba::data
