// Perplexity of a model on held-out text: exp(mean negative log-likelihood per token),
// over non-overlapping windows of the context length (each window starts fresh with BOS).
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "engine/model-bundle.h"

namespace gemba::eval {

struct PerplexityResult {
  uint64_t n_tokens = 0;  // tokens scored
  double mean_nll = 0;    // nats per token
  double perplexity() const;
};

// tokens: a token stream (documents separated by EOS). window: tokens per forward pass.
PerplexityResult perplexity(engine::ModelBundle& bundle, const std::vector<int32_t>& tokens, int64_t window,
                            const std::function<void(uint64_t, uint64_t)>& progress = {});

// Reads a .tok shard (data/token-shard.h) or tokenizes a text file (one document per blank-
// line-separated block) with the model's tokenizer.
std::vector<int32_t> load_eval_tokens(const engine::ModelBundle& bundle, const std::string& path, uint64_t max_tokens);

}  // namespace gemba::eval
