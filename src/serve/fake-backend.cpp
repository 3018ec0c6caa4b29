#include "serve/fake-backend.h"

#include <cctype>
#include <chrono>
#include <cstdio>
#include <thread>

#include "core/error.h"

namespace gemba::serve {

class FakeSequence : public Sequence {
 public:
  FakeSequence(FakeBackend& owner, std::string answer, const SamplingParams& params)
      : owner_(owner), answer_(std::move(answer)), params_(params), rng_(params.seed * 0x9E3779B97F4A7C15ull + 1) {
    ++owner_.live_sequences_;
  }
  ~FakeSequence() override { --owner_.live_sequences_; }

  int32_t next() {
    if (pos_ >= answer_.size()) return FakeBackend::kEos;
    char c = answer_[pos_++];
    if (params_.temperature > 0 && c != ' ' && c != '.' && c != ':') {
      // xorshift64*: a seeded stand-in for sampling.
      rng_ ^= rng_ >> 12;
      rng_ ^= rng_ << 25;
      rng_ ^= rng_ >> 27;
      uint64_t r = rng_ * 2685821657736338717ull;
      bool upper = std::isupper(static_cast<unsigned char>(c));
      c = static_cast<char>((upper ? 'A' : 'a') + static_cast<int>(r % 26));
    }
    return static_cast<int32_t>(static_cast<unsigned char>(c)) + FakeBackend::kByteOffset;
  }

 private:
  FakeBackend& owner_;
  std::string answer_;
  size_t pos_ = 0;
  SamplingParams params_;
  uint64_t rng_;
};

FakeBackend::FakeBackend(FakeBackendOptions options)
    : options_(std::move(options)), step_delay_ms_(options_.step_delay_ms) {}

std::vector<ModelEntry> FakeBackend::models() const {
  return {{options_.model_id, false}, {options_.model_id + "-upper", true}};
}

std::vector<int32_t> FakeBackend::encode_prompt(const std::string& text) const {
  std::vector<int32_t> ids{kBos};
  for (unsigned char c : text) ids.push_back(static_cast<int32_t>(c) + kByteOffset);
  return ids;
}

std::vector<int32_t> FakeBackend::encode_chat(const std::vector<ChatMessage>& messages) const {
  std::string text;
  for (const auto& m : messages) text += m.role + ": " + m.content + "\n";
  text += "assistant: ";
  return encode_prompt(text);
}

std::string FakeBackend::greedy_answer(const std::vector<int32_t>& prompt, bool upper) const {
  uint32_t h = 2166136261u;  // FNV-1a
  for (int32_t id : prompt) {
    h ^= static_cast<uint32_t>(id);
    h *= 16777619u;
  }
  char hex[16];
  std::snprintf(hex, sizeof hex, "%08x", h);
  std::string answer = std::string("reply ") + hex + ": the quick brown fox.";
  if (upper)
    for (char& c : answer) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return answer;
}

std::unique_ptr<Sequence> FakeBackend::prefill(const std::string& model, const std::vector<int32_t>& prompt,
                                               const SamplingParams& params) {
  ++prefill_calls_;
  GEMBA_ASSERT(!prompt.empty(), "empty prompt");
  GEMBA_ASSERT(static_cast<int>(prompt.size()) < options_.context_length, "prompt longer than the context");
  bool upper = model == options_.model_id + "-upper";
  if (!upper && model != options_.model_id) fail("fake backend: unknown model '", model, "'");
  return std::make_unique<FakeSequence>(*this, greedy_answer(prompt, upper), params);
}

void FakeBackend::decode(const std::vector<Sequence*>& batch, std::vector<int32_t>& next_tokens) {
  int n = static_cast<int>(batch.size());
  for (int seen = max_batch_seen_; n > seen && !max_batch_seen_.compare_exchange_weak(seen, n);) {
  }
  if (int ms = step_delay_ms_; ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(ms));
  next_tokens.resize(batch.size());
  for (size_t i = 0; i < batch.size(); ++i) next_tokens[i] = static_cast<FakeSequence*>(batch[i])->next();
}

std::string FakeBackend::token_bytes(int32_t token, bool /*first*/) const {
  if (token < kByteOffset || token >= kByteOffset + 256) return {};
  return std::string(1, static_cast<char>(token - kByteOffset));
}

}  // namespace gemba::serve
