#include "engine/batch-generator.h"

#include <algorithm>
#include <optional>

#include "core/error.h"
#include "core/system-info.h"
#include "engine/text-stream.h"

namespace gemba::engine {
namespace {

// One sequence in flight.
struct Slot {
  explicit Slot(KvCache c) : cache(std::move(c)) {}
  KvCache cache;
  size_t request = 0;
  bool active = false;
  bool prefilled = false;        // false: the next forward pass runs its whole prompt
  std::optional<Sampler> sampler;
  std::optional<TextStream> stream;
  std::vector<int32_t> history;  // prompt + generated, for the sampler's penalties
  double admitted_at = 0, first_token_at = 0;
};

// Tokens each sequence's cache must hold: its prompt plus what it may generate.
int64_t tokens_needed(const GenerationRequest& r, int64_t model_context) {
  const auto& o = r.options;
  if (o.max_new_tokens < 0) return model_context;
  return std::min(model_context, static_cast<int64_t>(r.prompt.size()) + std::max<int64_t>(o.max_new_tokens, 1));
}

}  // namespace

std::vector<GenerateResult> generate_batch(LlamaModel& model, const tokenizer::Tokenizer& tokenizer,
                                           std::span<const GenerationRequest> requests,
                                           const BatchGenerationOptions& options,
                                           const std::function<void(size_t, size_t)>& progress) {
  const int64_t model_context = std::max<int64_t>(1, model.config().max_position);
  int64_t capacity = 1;
  for (size_t i = 0; i < requests.size(); ++i) {
    const auto& prompt = requests[i].prompt;
    if (prompt.empty()) fail("generation request ", i, ": the prompt is empty: nothing to continue from");
    if (static_cast<int64_t>(prompt.size()) > model_context)
      fail("generation request ", i, ": the prompt has ", prompt.size(), " tokens but the model's context holds ",
           model_context, "; shorten it");
    capacity = std::max(capacity, tokens_needed(requests[i], model_context));
  }
  std::vector<GenerateResult> results(requests.size());
  if (requests.empty()) return results;

  const int32_t eos = tokenizer.eos_id() >= 0 ? tokenizer.eos_id() : static_cast<int32_t>(model.config().eos_id);
  const int64_t eos_model = model.config().eos_id;
  const int64_t vocab = model.vocab_size();
  // Rows past the tokenizer's vocabulary are padding (llm-jp-3): never sampled.
  const size_t n_sample = std::min<size_t>(static_cast<size_t>(vocab), tokenizer.vocab_size());

  const size_t n_slots = std::min<size_t>(static_cast<size_t>(std::max<int64_t>(1, options.n_parallel)), requests.size());
  std::vector<Slot> slots;
  slots.reserve(n_slots);
  for (size_t s = 0; s < n_slots; ++s) slots.emplace_back(model.new_cache(capacity, options.kv_type));

  size_t next_request = 0, done = 0;
  auto finish = [&](Slot& slot, FinishReason reason) {
    GenerateResult& r = results[slot.request];
    r.finish = reason;
    r.text += slot.stream->flush();  // held-back text; nothing once a stop string was seen
    const double now = monotonic_seconds();
    if (slot.first_token_at > 0) r.decode_seconds = now - slot.first_token_at;
    slot.active = false;
    ++done;
    if (progress) progress(done, requests.size());
  };
  // A free slot takes the next request; a request that may generate nothing ends at once.
  auto admit = [&](Slot& slot) {
    while (next_request < requests.size()) {
      const size_t i = next_request++;
      const GenerationRequest& req = requests[i];
      slot.request = i;
      slot.active = true;
      slot.prefilled = false;
      slot.cache.clear();
      slot.sampler.emplace(req.options.sampling);
      slot.stream.emplace(req.options.stop);
      slot.history = req.prompt;
      slot.admitted_at = monotonic_seconds();
      slot.first_token_at = 0;
      results[i].n_prompt = static_cast<int64_t>(req.prompt.size());
      if (req.options.max_new_tokens != 0) return;
      finish(slot, FinishReason::kLength);
    }
  };
  for (auto& slot : slots) admit(slot);

  std::vector<SequenceInput> inputs;
  std::vector<Slot*> stepping;
  std::vector<float> logits;
  while (done < requests.size()) {
    // One forward pass: every active sequence's prompt (new ones) or last token.
    inputs.clear();
    stepping.clear();
    for (auto& slot : slots) {
      if (!slot.active) continue;
      const auto& req = requests[slot.request];
      std::span<const int32_t> run = slot.prefilled ? std::span<const int32_t>(&results[slot.request].tokens.back(), 1)
                                                    : std::span<const int32_t>(req.prompt);
      inputs.push_back({&slot.cache, run, false});
      stepping.push_back(&slot);
    }
    model.forward(inputs, logits);  // [inputs, vocab]: each sequence's last token

    for (size_t k = 0; k < stepping.size(); ++k) {
      Slot& slot = *stepping[k];
      const GenerationRequest& req = requests[slot.request];
      GenerateResult& r = results[slot.request];
      if (!slot.prefilled) {
        slot.prefilled = true;
        r.prefill_seconds = monotonic_seconds() - slot.admitted_at;
      }
      const int32_t id = slot.sampler->sample(std::span<const float>(logits.data() + k * vocab, n_sample), slot.history);
      if (r.tokens.empty()) {
        slot.first_token_at = monotonic_seconds();
        r.first_token_seconds = slot.first_token_at - slot.admitted_at;
      }
      r.tokens.push_back(id);
      slot.history.push_back(id);
      std::optional<FinishReason> reason;
      if (!req.options.ignore_eos && (id == eos || id == eos_model)) {
        reason = FinishReason::kStop;
      } else {
        r.text += slot.stream->push(tokenizer.token_bytes(id));
        if (slot.stream->stopped()) reason = FinishReason::kStop;
        else if (req.options.max_new_tokens >= 0 && static_cast<int64_t>(r.tokens.size()) >= req.options.max_new_tokens)
          reason = FinishReason::kLength;
        else if (slot.cache.n_past() >= slot.cache.capacity())
          reason = FinishReason::kContextFull;
      }
      if (reason) {
        finish(slot, *reason);
        admit(slot);
      }
    }
  }
  return results;
}

}  // namespace gemba::engine
