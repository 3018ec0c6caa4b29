#include "engine/sampler.h"

#include <algorithm>
#include <cmath>
#include <unordered_map>

#include "core/error.h"
#include "core/splitmix64.h"

namespace gemba::engine {

namespace {

uint64_t splitmix64(uint64_t& x) { return splitmix64_next(x); }

inline uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

}  // namespace

Sampler::Sampler(const SamplerParams& params) : params_(params) {
  if (params.repeat_penalty <= 0) fail("repeat penalty must be > 0 (got ", params.repeat_penalty, ")");
  uint64_t s = params.seed;
  for (auto& w : state_) w = splitmix64(s);
}

double Sampler::next_uniform() {
  const uint64_t result = rotl(state_[1] * 5, 7) * 9;
  const uint64_t t = state_[1] << 17;
  state_[2] ^= state_[0];
  state_[3] ^= state_[1];
  state_[1] ^= state_[2];
  state_[0] ^= state_[3];
  state_[2] ^= t;
  state_[3] = rotl(state_[3], 45);
  return static_cast<double>(result >> 11) * 0x1.0p-53;
}

void Sampler::apply_penalties(std::vector<TokenCandidate>& c, std::span<const int32_t> history, const SamplerParams& p) {
  if (p.repeat_penalty == 1.0f && p.presence_penalty == 0 && p.frequency_penalty == 0) return;
  size_t n = history.size();
  if (p.repeat_last_n >= 0) n = std::min(n, static_cast<size_t>(p.repeat_last_n));
  if (n == 0) return;
  std::unordered_map<int32_t, int> counts;
  for (size_t i = history.size() - n; i < history.size(); ++i) ++counts[history[i]];
  for (const auto& [id, count] : counts) {
    // Candidates straight from the logits are indexed by id; otherwise search.
    size_t i = static_cast<size_t>(id);
    if (id < 0 || i >= c.size() || c[i].id != id) {
      i = 0;
      while (i < c.size() && c[i].id != id) ++i;
      if (i == c.size()) continue;
    }
    float& logit = c[i].logit;
    // Repetition penalty (Keskar et al. 2019, CTRL): shrink positive logits, push negative ones down.
    if (p.repeat_penalty != 1.0f) logit = logit > 0 ? logit / p.repeat_penalty : logit * p.repeat_penalty;
    logit -= static_cast<float>(count) * p.frequency_penalty + p.presence_penalty;
  }
}

void Sampler::sort_desc(std::vector<TokenCandidate>& c) {
  std::stable_sort(c.begin(), c.end(), [](const TokenCandidate& a, const TokenCandidate& b) { return a.logit > b.logit; });
}

void Sampler::softmax(std::vector<TokenCandidate>& c, float temperature) {
  if (c.empty()) return;
  const double mx = c[0].logit;
  double sum = 0;
  for (auto& t : c) {
    const double e = std::exp((t.logit - mx) / temperature);
    t.p = static_cast<float>(e);
    sum += e;
  }
  for (auto& t : c) t.p = static_cast<float>(t.p / sum);
}

void Sampler::top_k(std::vector<TokenCandidate>& c, int k) {
  if (k > 0 && static_cast<size_t>(k) < c.size()) c.resize(static_cast<size_t>(k));
}

// Nucleus sampling (Holtzman et al. 2019): the smallest prefix whose mass reaches p.
void Sampler::top_p(std::vector<TokenCandidate>& c, float p) {
  if (p >= 1.0f || c.empty()) return;
  double cum = 0;
  size_t keep = c.size();
  for (size_t i = 0; i < c.size(); ++i) {
    cum += c[i].p;
    if (cum >= p) {
      keep = i + 1;
      break;
    }
  }
  c.resize(keep);
}

// Min-p sampling (Nguyen et al. 2024): keep tokens with p >= min_p * p_max.
void Sampler::min_p(std::vector<TokenCandidate>& c, float p) {
  if (p <= 0 || c.empty()) return;
  const float threshold = p * c[0].p;
  size_t keep = 1;
  while (keep < c.size() && c[keep].p >= threshold) ++keep;
  c.resize(keep);
}

int32_t Sampler::sample(std::span<const float> logits, std::span<const int32_t> history) {
  if (logits.empty()) fail("sampler: no logits");
  candidates_.resize(logits.size());
  for (size_t i = 0; i < logits.size(); ++i) candidates_[i] = {static_cast<int32_t>(i), logits[i], 0.0f};
  apply_penalties(candidates_, history, params_);
  if (params_.temperature <= 0) {
    size_t best = 0;
    for (size_t i = 1; i < candidates_.size(); ++i)
      if (candidates_[i].logit > candidates_[best].logit) best = i;
    return candidates_[best].id;
  }
  // Partial sort for top-k keeps this cheap on a 100k vocabulary.
  if (params_.top_k > 0 && static_cast<size_t>(params_.top_k) < candidates_.size()) {
    std::partial_sort(candidates_.begin(), candidates_.begin() + params_.top_k, candidates_.end(),
                      [](const TokenCandidate& a, const TokenCandidate& b) {
                        return a.logit > b.logit || (a.logit == b.logit && a.id < b.id);
                      });
    candidates_.resize(static_cast<size_t>(params_.top_k));
  } else {
    sort_desc(candidates_);
  }
  softmax(candidates_);
  top_p(candidates_, params_.top_p);
  min_p(candidates_, params_.min_p);
  softmax(candidates_, params_.temperature);
  const double r = next_uniform();
  double cum = 0;
  for (const auto& t : candidates_) {
    cum += t.p;
    if (r < cum) return t.id;
  }
  return candidates_.back().id;
}

}  // namespace gemba::engine
