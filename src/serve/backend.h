// The model behind the server, seen through a small interface so the HTTP protocol, the
// scheduler and error handling are tested against a deterministic fake (fake-backend.h) and
// the real engine is plugged in by engine-backend.h.
//
// Threading: models(), context_length(), encode_*(), token_bytes() and is_end() are called
// from many HTTP threads at once and must be thread-safe; prefill() and decode() are only
// ever called from the scheduler's single thread.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace gemba::serve {

struct ChatMessage {
  std::string role;  // "system", "user", "assistant"
  std::string content;
};

struct SamplingParams {
  float temperature = 1.0f;  // 0 = greedy
  float top_p = 1.0f;
  uint64_t seed = 0;
  float presence_penalty = 0.0f;   // subtracted once from every token already generated
  float frequency_penalty = 0.0f;  // subtracted per occurrence
};

struct ModelEntry {
  std::string id;        // what a request's "model" names
  bool adapter = false;  // a LoRA adapter over the base model
};

// One sequence being generated: its KV cache slot and sampler state, owned by the backend.
class Sequence {
 public:
  virtual ~Sequence() = default;
};

class Backend {
 public:
  virtual ~Backend() = default;

  // The base model first, then each adapter.
  virtual std::vector<ModelEntry> models() const = 0;
  // Tokens a sequence may hold (prompt + completion).
  virtual int context_length() const = 0;

  // The chat template applied and tokenized, ending with the prompt for the assistant's turn.
  virtual std::vector<int32_t> encode_chat(const std::vector<ChatMessage>& messages) const = 0;
  // A raw prompt (/v1/completions), with BOS.
  virtual std::vector<int32_t> encode_prompt(const std::string& text) const = 0;

  // Runs the prompt through `model` (an id from models()); the returned sequence is ready to
  // sample its first token in the next decode().
  virtual std::unique_ptr<Sequence> prefill(const std::string& model, const std::vector<int32_t>& prompt,
                                            const SamplingParams& params) = 0;
  // One step for every sequence in `batch` together: feeds each one's previously sampled token
  // (if any), then samples the next; next_tokens[i] is batch[i]'s new token.
  virtual void decode(const std::vector<Sequence*>& batch, std::vector<int32_t>& next_tokens) = 0;

  // True for tokens that end a generation (EOS).
  virtual bool is_end(int32_t token) const = 0;
  // The bytes a generated token adds to the text (may be part of a UTF-8 character).
  // `first` is true for a completion's first token (SentencePiece drops its leading space).
  virtual std::string token_bytes(int32_t token, bool first) const = 0;
};

}  // namespace gemba::serve
