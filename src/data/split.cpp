#include "data/split.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "core/error.h"
#include "data/minhash.h"

namespace gemba::data {

std::vector<bool> choose_validation(const std::vector<std::string>& keys, double fraction, uint64_t seed) {
  if (!(fraction >= 0 && fraction < 1)) fail("--val-fraction ", fraction, " must be in [0, 1)");
  size_t n = keys.size();
  std::vector<bool> val(n, false);
  if (n == 0 || fraction == 0) return val;
  size_t n_val = static_cast<size_t>(std::llround(fraction * static_cast<double>(n)));
  if (n >= 2) n_val = std::clamp<size_t>(n_val, 1, n - 1);
  else n_val = 0;
  std::vector<std::pair<uint64_t, size_t>> order(n);
  for (size_t i = 0; i < n; ++i) order[i] = {hash64(keys[i], seed), i};
  std::sort(order.begin(), order.end(), [&](const auto& a, const auto& b) {
    return a.first != b.first ? a.first < b.first : keys[a.second] < keys[b.second];
  });
  for (size_t i = 0; i < n_val; ++i) val[order[i].second] = true;
  return val;
}

}  // namespace gemba::data
