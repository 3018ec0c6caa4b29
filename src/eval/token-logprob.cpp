#include "eval/token-logprob.h"

#include <algorithm>
#include <cmath>

#include "core/error.h"

namespace gemba::eval {

double log_prob_of(const float* logits, int64_t vocab, int32_t target) {
  float max_logit = *std::max_element(logits, logits + vocab);
  double sum = 0;
  for (int64_t i = 0; i < vocab; ++i) sum += std::exp(double(logits[i]) - max_logit);
  return double(logits[target]) - max_logit - std::log(sum);
}

double sequence_log_prob(engine::ModelBundle& bundle, engine::KvCache& cache, std::span<const int32_t> ids) {
  if (ids.size() < 2) return 0;
  if (static_cast<int64_t>(ids.size()) > cache.capacity())
    fail("a text of ", ids.size(), " tokens exceeds the scoring context (", cache.capacity(), " tokens)");
  cache.clear();
  auto logits = bundle.model->forward(cache, ids, /*all_logits=*/true);
  const int64_t vocab = bundle.model->vocab_size();
  double total = 0;
  for (size_t j = 0; j + 1 < ids.size(); ++j) total += log_prob_of(logits.data() + j * vocab, vocab, ids[j + 1]);
  return total;
}

}  // namespace gemba::eval
