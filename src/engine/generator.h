// Text generation: prefill the prompt (reusing whatever prefix the cache already holds),
// then sample token by token, streaming complete UTF-8 pieces to a callback, until EOS, a
// stop string, the token limit, a full context or cancellation.
#pragma once
#include <atomic>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "engine/kv-cache.h"
#include "engine/llama-model.h"
#include "engine/sampler.h"
#include "tokenizer/tokenizer.h"

namespace gemba::engine {

struct GenerateOptions {
  int64_t max_new_tokens = 128;         // < 0: until the context is full
  SamplerParams sampling;
  std::vector<std::string> stop;        // generation ends before the first occurrence
  const std::atomic<bool>* cancel = nullptr;  // set from another thread to stop early
  int64_t n_batch = 512;                // prompt tokens per forward pass
  bool ignore_eos = false;
};

enum class FinishReason { kStop, kLength, kContextFull, kCancelled };
const char* finish_reason_name(FinishReason r);  // "stop", "length", "context", "cancelled"

struct GenerateResult {
  std::string text;               // everything streamed
  std::vector<int32_t> tokens;    // generated ids (incl. a trailing EOS if one was sampled)
  int64_t n_prompt = 0;           // prompt tokens
  int64_t n_prompt_reused = 0;    // of which were already in the cache
  FinishReason finish = FinishReason::kLength;
  double prefill_seconds = 0;     // prompt processing
  double first_token_seconds = 0; // from the call to the first sampled token
  double decode_seconds = 0;      // after the first token
};

// Receives each complete piece of text as it is produced; return false to stop.
using PieceCallback = std::function<bool(std::string_view piece)>;

class Generator {
 public:
  Generator(LlamaModel& model, const tokenizer::Tokenizer& tokenizer);

  // Continues `cache` with `prompt` (its common prefix with the cache is reused).
  GenerateResult generate(KvCache& cache, std::span<const int32_t> prompt, const GenerateOptions& options,
                          const PieceCallback& on_piece = {});

  // Feeds the prompt into the cache and returns the logits of its last token.
  std::vector<float> prefill(KvCache& cache, std::span<const int32_t> prompt, int64_t n_batch, int64_t* reused = nullptr);

 private:
  LlamaModel& model_;
  const tokenizer::Tokenizer& tok_;
};

}  // namespace gemba::engine
