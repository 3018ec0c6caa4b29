#include "train/long-rows.h"

#include <algorithm>

namespace gemba::train {

std::vector<SftRow> split_long_row(const SftRow& row, int64_t max_tokens, double context_share) {
  const size_t n = row.ids.size(), max = static_cast<size_t>(std::max<int64_t>(2, max_tokens));
  if (n <= max) return {row};
  // The question: every token before the first one that carries loss.
  size_t prompt = 0;
  while (prompt < n && !row.is_target[prompt]) ++prompt;
  auto cut = [&](size_t from, size_t to, size_t context_from) {  // question + [context_from, from) + [from, to)
    SftRow r;
    r.ids.assign(row.ids.begin(), row.ids.begin() + static_cast<long>(prompt));
    r.is_target.assign(prompt, 0);
    r.ids.insert(r.ids.end(), row.ids.begin() + static_cast<long>(context_from), row.ids.begin() + static_cast<long>(to));
    r.is_target.insert(r.is_target.end(), from - context_from, 0);
    r.is_target.insert(r.is_target.end(), row.is_target.begin() + static_cast<long>(from), row.is_target.begin() + static_cast<long>(to));
    return r;
  };
  const size_t budget = prompt < max ? max - prompt : 0;
  if (prompt >= n || budget < max / 4) {  // the question fills the row: cut as before
    SftRow r = row;
    r.ids.resize(max);
    r.is_target.resize(max);
    return {r};
  }
  const size_t context = std::min(budget - 1, static_cast<size_t>(static_cast<double>(budget) * context_share));
  std::vector<SftRow> rows;
  rows.push_back(cut(prompt, prompt + budget, prompt));  // the first part needs no context
  for (size_t start = prompt + budget; start < n;) {
    const size_t end = std::min(n, start + (budget - context));
    rows.push_back(cut(start, end, start - context));
    start = end;
  }
  return rows;
}

}  // namespace gemba::train
