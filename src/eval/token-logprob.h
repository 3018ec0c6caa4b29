// Log-probabilities of tokens from one forward pass's logits: what every likelihood-based
// evaluation (perplexity, true/false scoring, the knowledge probe) adds up.
#pragma once
#include <cstdint>
#include <span>

#include "engine/kv-cache.h"
#include "engine/model-bundle.h"

namespace gemba::eval {

// log softmax(logits)[target] over one row of the vocabulary, computed stably in double.
double log_prob_of(const float* logits, int64_t vocab, int32_t target);

// Sum of log P(ids[i] | ids[0..i)) for i >= 1, from an empty cache (which is cleared first).
// ids[0] is conditioning only (usually BOS).
double sequence_log_prob(engine::ModelBundle& bundle, engine::KvCache& cache, std::span<const int32_t> ids);

}  // namespace gemba::eval
