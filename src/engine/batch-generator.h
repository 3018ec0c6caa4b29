// Many prompts at once, for evaluation and data mining (continuous batching). Up to n_parallel
// sequences go through the model together, one forward pass per step for all of them: a new
// prompt's prefill rides along with the other sequences' decode steps, and a finished
// sequence's slot takes the next prompt at once.
//
// Why: one sequence's decode step is a matrix x vector product per weight, which reads every
// weight for one token and, on a small model, is too little work to share among the threads.
// Sixteen sequences read the weights once for sixteen tokens.
//
// Each result is what Generator::generate gives for its request alone, up to the summation
// order of the batched kernels: a near-tie in greedy decoding can break the other way. For a
// fixed n_parallel the results do not depend on timing (same requests -> same results).
#pragma once
#include <cstdint>
#include <functional>
#include <span>
#include <vector>

#include "engine/generator.h"

namespace gemba::engine {

struct GenerationRequest {
  std::vector<int32_t> prompt;
  GenerateOptions options;  // `cancel` and `n_batch` are not used: a prompt is prefilled in one pass
};

struct BatchGenerationOptions {
  int64_t n_parallel = 16;  // sequences per forward pass (>= 1)
  KvType kv_type = KvType::kF16;
};

// results[i] answers requests[i]. Each sequence's KV cache holds its prompt plus its
// max_new_tokens (the model's context for max_new_tokens < 0). progress(done, total) after
// each finished request. Throws gemba::Error, naming the request, on an empty prompt or one
// longer than the model's context.
std::vector<GenerateResult> generate_batch(LlamaModel& model, const tokenizer::Tokenizer& tokenizer,
                                           std::span<const GenerationRequest> requests,
                                           const BatchGenerationOptions& options = {},
                                           const std::function<void(size_t, size_t)>& progress = {});

}  // namespace gemba::engine
