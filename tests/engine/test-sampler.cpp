// Sampler steps on hand-made logits: top-k, top-p, min-p, penalties, greedy, temperature,
// and seeded reproducibility.
#include <gtest/gtest.h>

#include <cmath>
#include <map>

#include "core/error.h"
#include "engine/sampler.h"

namespace gemba::engine {
namespace {

std::vector<TokenCandidate> candidates(const std::vector<float>& logits) {
  std::vector<TokenCandidate> c;
  for (size_t i = 0; i < logits.size(); ++i) c.push_back({static_cast<int32_t>(i), logits[i], 0});
  return c;
}

std::vector<int32_t> ids(const std::vector<TokenCandidate>& c) {
  std::vector<int32_t> out;
  for (const auto& t : c) out.push_back(t.id);
  return out;
}

TEST(Sampler, TopKKeepsTheKLargest) {
  auto c = candidates({0.1f, 3.0f, -1.0f, 2.0f, 2.5f});
  Sampler::sort_desc(c);
  Sampler::top_k(c, 3);
  EXPECT_EQ(ids(c), (std::vector<int32_t>{1, 4, 3}));
  Sampler::top_k(c, 0);  // off
  EXPECT_EQ(c.size(), 3u);
}

TEST(Sampler, TopPKeepsTheSmallestPrefixReachingP) {
  // Probabilities 0.5, 0.3, 0.15, 0.05 (logits = log p).
  auto c = candidates({std::log(0.15f), std::log(0.5f), std::log(0.05f), std::log(0.3f)});
  Sampler::sort_desc(c);
  Sampler::softmax(c);
  EXPECT_NEAR(c[0].p, 0.5f, 1e-6);
  auto c1 = c;
  Sampler::top_p(c1, 0.79f);  // 0.5 + 0.3 reaches 0.79
  EXPECT_EQ(ids(c1), (std::vector<int32_t>{1, 3}));
  auto c2 = c;
  Sampler::top_p(c2, 0.81f);  // needs the third
  EXPECT_EQ(ids(c2), (std::vector<int32_t>{1, 3, 0}));
  auto c3 = c;
  Sampler::top_p(c3, 1.0f);
  EXPECT_EQ(c3.size(), 4u);
}

TEST(Sampler, MinPIsRelativeToTheMostLikelyToken) {
  auto c = candidates({std::log(0.5f), std::log(0.3f), std::log(0.15f), std::log(0.05f)});
  Sampler::sort_desc(c);
  Sampler::softmax(c);
  Sampler::min_p(c, 0.29f);  // threshold 0.145: keeps 0.5, 0.3, 0.15
  EXPECT_EQ(ids(c), (std::vector<int32_t>{0, 1, 2}));
}

TEST(Sampler, RepetitionPresenceAndFrequencyPenalties) {
  SamplerParams p;
  p.repeat_penalty = 2.0f;
  p.repeat_last_n = 3;
  auto c = candidates({4.0f, -4.0f, 4.0f, 1.0f});
  const std::vector<int32_t> history = {2, 0, 1, 1};  // window of 3: 0, 1, 1 (token 2 is outside)
  Sampler::apply_penalties(c, history, p);
  EXPECT_FLOAT_EQ(c[0].logit, 2.0f);   // positive: divided
  EXPECT_FLOAT_EQ(c[1].logit, -8.0f);  // negative: multiplied
  EXPECT_FLOAT_EQ(c[2].logit, 4.0f);   // outside the window
  EXPECT_FLOAT_EQ(c[3].logit, 1.0f);

  SamplerParams q;
  q.presence_penalty = 0.5f;
  q.frequency_penalty = 0.25f;
  q.repeat_last_n = -1;
  auto d = candidates({1.0f, 1.0f, 1.0f});
  Sampler::apply_penalties(d, history, q);
  EXPECT_FLOAT_EQ(d[0].logit, 1.0f - 0.5f - 0.25f);
  EXPECT_FLOAT_EQ(d[1].logit, 1.0f - 0.5f - 0.5f);  // occurs twice
  EXPECT_FLOAT_EQ(d[2].logit, 1.0f - 0.5f - 0.25f);
}

TEST(Sampler, GreedyPicksTheArgmaxAfterPenalties) {
  SamplerParams p;
  p.temperature = 0;
  Sampler s(p);
  const std::vector<float> logits = {0.0f, 5.0f, 4.0f};
  EXPECT_EQ(s.sample(logits, {}), 1);
  p.repeat_penalty = 2.0f;
  Sampler s2(p);
  const std::vector<int32_t> history = {1};
  EXPECT_EQ(s2.sample(logits, history), 2);  // 5/2 < 4
}

TEST(Sampler, DrawsFollowTheDistributionAndTheSeed) {
  SamplerParams p;
  p.temperature = 1.0f;
  p.top_k = 0;
  p.top_p = 1.0f;
  p.min_p = 0;
  p.seed = 1234;
  const std::vector<float> logits = {std::log(0.6f), std::log(0.3f), std::log(0.1f)};
  Sampler a(p), b(p);
  std::map<int32_t, int> counts;
  std::vector<int32_t> seq_a, seq_b;
  for (int i = 0; i < 20000; ++i) {
    seq_a.push_back(a.sample(logits, {}));
    seq_b.push_back(b.sample(logits, {}));
    ++counts[seq_a.back()];
  }
  EXPECT_EQ(seq_a, seq_b);  // same seed, same draws
  EXPECT_NEAR(counts[0] / 20000.0, 0.6, 0.02);
  EXPECT_NEAR(counts[1] / 20000.0, 0.3, 0.02);
  EXPECT_NEAR(counts[2] / 20000.0, 0.1, 0.02);
  p.seed = 99;
  Sampler c(p);
  std::vector<int32_t> seq_c;
  for (int i = 0; i < 200; ++i) seq_c.push_back(c.sample(logits, {}));
  EXPECT_NE(seq_c, std::vector<int32_t>(seq_a.begin(), seq_a.begin() + 200));
}

TEST(Sampler, LowTemperatureSharpens) {
  SamplerParams p;
  p.temperature = 0.05f;
  p.top_k = 0;
  p.top_p = 1.0f;
  p.min_p = 0;
  Sampler s(p);
  const std::vector<float> logits = {1.0f, 1.5f, 0.5f};
  for (int i = 0; i < 200; ++i) EXPECT_EQ(s.sample(logits, {}), 1);
}

TEST(Sampler, InvalidParametersAreErrors) {
  SamplerParams p;
  p.repeat_penalty = 0;
  EXPECT_THROW(Sampler{p}, Error);
  Sampler ok(SamplerParams{});
  EXPECT_THROW(ok.sample({}, {}), Error);
}

}  // namespace
}  // namespace gemba::engine
