// A deterministic stand-in for the model, for tests of the protocol, the scheduler and the
// error paths (and `gemba serve --fake-backend`). Tokens are bytes (id = byte + 3; 1 = BOS,
// 2 = EOS). Greedy generation (temperature 0) answers "reply <8 hex digits of a hash of the
// prompt>: the quick brown fox." then EOS; with temperature > 0 each character is drawn
// from a PRNG seeded by `seed`, so equal seeds give equal text. The adapter "<base>-upper"
// upper-cases the same answer. Each decode step can be slowed down to test queueing,
// timeouts and cancellation.
#pragma once
#include <atomic>
#include <string>

#include "serve/backend.h"

namespace gemba::serve {

struct FakeBackendOptions {
  std::string model_id = "fake";
  int context_length = 256;
  int step_delay_ms = 0;  // sleep per decode step
};

class FakeBackend : public Backend {
 public:
  static constexpr int32_t kBos = 1;
  static constexpr int32_t kEos = 2;
  static constexpr int32_t kByteOffset = 3;

  explicit FakeBackend(FakeBackendOptions options = {});

  std::vector<ModelEntry> models() const override;
  int context_length() const override { return options_.context_length; }
  std::vector<int32_t> encode_chat(const std::vector<ChatMessage>& messages) const override;
  std::vector<int32_t> encode_prompt(const std::string& text) const override;
  std::unique_ptr<Sequence> prefill(const std::string& model, const std::vector<int32_t>& prompt,
                                    const SamplingParams& params) override;
  void decode(const std::vector<Sequence*>& batch, std::vector<int32_t>& next_tokens) override;
  bool is_end(int32_t token) const override { return token == kEos; }
  std::string token_bytes(int32_t token, bool first) const override;

  // The text greedy decoding produces for a prompt (what tests compare against).
  std::string greedy_answer(const std::vector<int32_t>& prompt, bool upper) const;

  void set_step_delay_ms(int ms) { step_delay_ms_ = ms; }
  // Statistics for tests: the largest batch decode() saw, and how many sequences live now.
  int max_batch_seen() const { return max_batch_seen_; }
  int live_sequences() const { return live_sequences_; }
  long prefill_calls() const { return prefill_calls_; }

 private:
  FakeBackendOptions options_;
  std::atomic<int> step_delay_ms_;
  std::atomic<int> max_batch_seen_{0};
  std::atomic<int> live_sequences_{0};
  std::atomic<long> prefill_calls_{0};
  friend class FakeSequence;
};

}  // namespace gemba::serve
