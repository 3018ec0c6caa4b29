// Picks the next token from logits. Order (as llama.cpp's default chain): penalties
// (repetition, presence, frequency) -> greedy if temperature <= 0 -> top-k -> top-p ->
// min-p -> temperature -> draw. Seeded: the same seed and logits give the same tokens on
// every platform (own RNG and uniform draw, no std:: distributions).
#pragma once
#include <cstdint>
#include <span>
#include <vector>

namespace gemba::engine {

struct SamplerParams {
  float temperature = 0.8f;    // <= 0: greedy (argmax)
  int top_k = 40;              // <= 0: off
  float top_p = 0.95f;         // >= 1: off
  float min_p = 0.05f;         // <= 0: off
  float repeat_penalty = 1.0f; // 1: off (CTRL-style, Keskar et al. 2019)
  int repeat_last_n = 64;      // window of recent tokens the penalties look at (-1: all)
  float presence_penalty = 0;  // OpenAI-style: -= presence if the token occurred
  float frequency_penalty = 0; // OpenAI-style: -= frequency * count
  uint64_t seed = 0;
};

// A candidate token with its (adjusted) logit, and its probability after softmax.
struct TokenCandidate {
  int32_t id;
  float logit;
  float p;
};

class Sampler {
 public:
  explicit Sampler(const SamplerParams& params);
  const SamplerParams& params() const { return params_; }

  // history: the tokens so far (prompt and generated), used by the penalties.
  int32_t sample(std::span<const float> logits, std::span<const int32_t> history);

  // The individual steps, exposed for tests and the server. Each keeps `c` sorted by
  // descending logit once sorted; probabilities are recomputed by softmax().
  static void apply_penalties(std::vector<TokenCandidate>& c, std::span<const int32_t> history, const SamplerParams& p);
  static void sort_desc(std::vector<TokenCandidate>& c);
  static void softmax(std::vector<TokenCandidate>& c, float temperature = 1.0f);  // sorted input
  static void top_k(std::vector<TokenCandidate>& c, int k);        // sorted input
  static void top_p(std::vector<TokenCandidate>& c, float p);      // sorted, softmaxed input
  static void min_p(std::vector<TokenCandidate>& c, float p);      // sorted, softmaxed input

  // Uniform in [0, 1) from the sampler's RNG (xoshiro256**, Blackman & Vigna 2018).
  double next_uniform();

 private:
  SamplerParams params_;
  uint64_t state_[4];
  std::vector<TokenCandidate> candidates_;
};

}  // namespace gemba::engine
