#include "engine/generator.h"

#include <algorithm>

#include "core/error.h"
#include "core/system-info.h"
#include "engine/text-stream.h"

namespace gemba::engine {

const char* finish_reason_name(FinishReason r) {
  switch (r) {
    case FinishReason::kStop: return "stop";
    case FinishReason::kLength: return "length";
    case FinishReason::kContextFull: return "context";
    case FinishReason::kCancelled: return "cancelled";
  }
  return "?";
}

Generator::Generator(LlamaModel& model, const tokenizer::Tokenizer& tokenizer) : model_(model), tok_(tokenizer) {}

std::vector<float> Generator::prefill(KvCache& cache, std::span<const int32_t> prompt, int64_t n_batch, int64_t* reused) {
  if (prompt.empty()) fail("the prompt is empty: nothing to continue from");
  const int64_t n = static_cast<int64_t>(prompt.size());
  if (n > cache.capacity())
    fail("the prompt has ", n, " tokens but the context holds ", cache.capacity(), "; shorten it or raise --ctx");
  // Reuse the cached prefix, but always run at least the last token to get its logits.
  const int64_t keep = std::min(cache.common_prefix(prompt), n - 1);
  cache.truncate(keep);
  if (reused) *reused = keep;
  if (n_batch < 1) n_batch = 512;
  std::vector<float> logits;
  for (int64_t at = keep; at < n; at += n_batch) {
    const int64_t len = std::min(n_batch, n - at);
    logits = model_.forward(cache, prompt.subspan(static_cast<size_t>(at), static_cast<size_t>(len)));
  }
  return logits;
}

GenerateResult Generator::generate(KvCache& cache, std::span<const int32_t> prompt, const GenerateOptions& options,
                                   const PieceCallback& on_piece) {
  GenerateResult result;
  result.n_prompt = static_cast<int64_t>(prompt.size());
  const double t0 = monotonic_seconds();
  std::vector<float> logits = prefill(cache, prompt, options.n_batch, &result.n_prompt_reused);
  const double t_prefill = monotonic_seconds();
  result.prefill_seconds = t_prefill - t0;

  Sampler sampler(options.sampling);
  TextStream stream(options.stop);
  std::vector<int32_t> history(prompt.begin(), prompt.end());
  const int32_t eos = tok_.eos_id() >= 0 ? tok_.eos_id() : static_cast<int32_t>(model_.config().eos_id);
  const int64_t eos_model = model_.config().eos_id;
  const size_t n_sample = std::min(logits.size(), tok_.vocab_size());
  bool stopped_by_callback = false;
  auto emit = [&](const std::string& piece) {
    if (piece.empty()) return;
    result.text += piece;
    if (on_piece && !on_piece(piece)) stopped_by_callback = true;
  };

  double t_first = 0;
  for (int64_t n = 0;; ++n) {
    if (options.max_new_tokens >= 0 && n >= options.max_new_tokens) {
      result.finish = FinishReason::kLength;
      break;
    }
    if (options.cancel && options.cancel->load(std::memory_order_relaxed)) {
      result.finish = FinishReason::kCancelled;
      break;
    }
    if (n > 0) {
      if (cache.n_past() >= cache.capacity()) {
        result.finish = FinishReason::kContextFull;
        break;
      }
      logits = model_.forward(cache, std::span<const int32_t>(&result.tokens.back(), 1));
    }
    // Rows past the tokenizer's vocabulary are padding (llm-jp-3 has 99584 rows for 99487
    // tokens): never sampled.
    const int32_t id = sampler.sample(std::span<const float>(logits).first(n_sample), history);
    if (n == 0) {
      t_first = monotonic_seconds();
      result.first_token_seconds = t_first - t0;
    }
    result.tokens.push_back(id);
    history.push_back(id);
    if (!options.ignore_eos && (id == eos || id == eos_model)) {
      result.finish = FinishReason::kStop;
      break;
    }
    emit(stream.push(tok_.token_bytes(id)));
    if (stream.stopped()) {
      result.finish = FinishReason::kStop;
      break;
    }
    if (stopped_by_callback) {
      result.finish = FinishReason::kCancelled;
      break;
    }
  }
  if (!stopped_by_callback) emit(stream.flush());
  if (t_first > 0) result.decode_seconds = monotonic_seconds() - t_first;
  return result;
}

}  // namespace gemba::engine
