// The Llama forward pass over memory-mapped weights (no libtorch):
//   x = embed(tokens)
//   per layer: x += Wo · attention(RoPE(Wq·norm(x)), RoPE(Wk·norm(x)), Wv·norm(x), cache)
//              x += Wdown · (silu(Wgate·norm(x)) * Wup·norm(x))
//   logits = Wout · norm(x)
// All tokens of a call go through each weight matrix together: a prompt is one
// matrix x matrix product per weight (prefill), a single new token is matrix x vector
// (decode), and several sequences can step together (batched decode for the server), each
// with its own KvCache.
//
// Not thread-safe: one forward() at a time per LlamaModel (it owns scratch buffers and the
// thread pool). The server's scheduler batches requests into one call instead.
#pragma once
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "core/thread-pool.h"
#include "engine/kv-cache.h"
#include "engine/lora-adapter.h"
#include "engine/model-weights.h"

namespace gemba::engine {

// One sequence's share of a forward() call: its new tokens continue `cache` at position
// cache->n_past(). all_logits: logits for every new token (scoring), else only the last.
struct SequenceInput {
  KvCache* cache = nullptr;
  std::span<const int32_t> tokens;
  bool all_logits = false;
};

class LlamaModel {
 public:
  // n_threads <= 0: all hardware threads.
  explicit LlamaModel(ModelWeights weights, int n_threads = 0);
  ~LlamaModel();

  const format::ModelConfig& config() const { return weights_.config; }
  const ModelWeights& weights() const { return weights_; }
  int64_t vocab_size() const { return weights_.config.vocab_size; }
  int n_threads() const { return pool_->size(); }
  ThreadPool& pool() { return *pool_; }

  // A cache for one sequence. n_ctx <= 0 or > the model's context length: the model's.
  KvCache new_cache(int64_t n_ctx = 0, KvType type = KvType::kF16) const;

  // Runs every input's tokens through the model in one pass over the weights; appends the
  // tokens to each cache. logits receives, input by input, [n_tokens, vocab] (all_logits)
  // or [1, vocab] (the last token). Throws gemba::Error on a token id outside the vocabulary
  // or a cache that would overflow (nothing is stored then).
  void forward(std::span<const SequenceInput> inputs, std::vector<float>& logits);

  // One sequence: logits [n, vocab] (all_logits) or [vocab] of the last token.
  std::vector<float> forward(KvCache& cache, std::span<const int32_t> tokens, bool all_logits = false);

  // Batched decode: token i continues caches[i]; returns logits [n, vocab], row i for
  // sequence i. The caches must be distinct.
  std::vector<float> decode_batch(std::span<KvCache* const> caches, std::span<const int32_t> tokens);

  // Optional projection adapter (LoRA); null to remove. Not owned.
  void set_adapter(const ProjectionAdapter* adapter) { adapter_ = adapter; }

 private:
  void project(const WeightMatrix& w, int64_t layer, Projection p, const float* x, int64_t n, float* y);
  void attention(int64_t layer, std::span<const SequenceInput> inputs, const std::vector<int64_t>& offsets);

  ModelWeights weights_;
  std::unique_ptr<ThreadPool> pool_;
  const ProjectionAdapter* adapter_ = nullptr;

  // Scratch, grown on demand. Shapes for T tokens in the call:
  std::vector<float> x_;      // [T, hidden] residual stream
  std::vector<float> xn_;     // [T, hidden] normalized
  std::vector<float> q_;      // [T, n_heads * head_dim]
  std::vector<float> k_;      // [T, n_kv_heads * head_dim]
  std::vector<float> v_;      // [T, n_kv_heads * head_dim]
  std::vector<float> attn_;   // [T, n_heads * head_dim]
  std::vector<float> tmp_;    // [T, hidden]
  std::vector<float> gate_;   // [T, ffn]
  std::vector<float> up_;     // [T, ffn]
  std::vector<float> thread_scratch_;  // per thread: attention scores [max(query chunk, GQA group), ctx]
};

}  // namespace gemba::engine
