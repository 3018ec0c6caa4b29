// The knowledge probe (eval/knowledge-probe.h): reading pairs, counting preferences, and the
// shared token log-probability helper.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>

#include "core/error.h"
#include "engine/engine-test-util.h"
#include "engine/model-bundle.h"
#include "engine/random-model.h"
#include "eval/knowledge-probe.h"
#include "eval/token-logprob.h"

namespace {

using namespace gemba;

std::string write(const std::filesystem::path& path, const std::string& text) {
  std::ofstream(path) << text;
  return path.string();
}

TEST(TokenLogProb, MatchesANaiveSoftmax) {
  const float logits[4] = {1.0f, -2.0f, 0.5f, 3.0f};
  double z = 0;
  for (float l : logits) z += std::exp(double(l));
  for (int t = 0; t < 4; ++t) EXPECT_NEAR(eval::log_prob_of(logits, 4, t), std::log(std::exp(double(logits[t])) / z), 1e-12);
}

TEST(KnowledgePairs, ReadsLinesAndNamesTheBadOne) {
  engine::testing::ScratchDir dir;
  auto good = write(dir / "good.jsonl", "{\"true\":\"a 1\",\"false\":\"a 2\",\"source\":\"m.md:3\"}\n\n{\"true\":\"b\",\"false\":\"c\"}\n");
  auto pairs = eval::read_knowledge_pairs(good);
  ASSERT_EQ(pairs.size(), 2u);
  EXPECT_EQ(pairs[0].false_text, "a 2");
  EXPECT_EQ(pairs[0].source, "m.md:3");
  EXPECT_EQ(pairs[1].source, "");

  auto missing = write(dir / "missing.jsonl", "{\"true\":\"a\",\"false\":\"b\"}\n{\"true\":\"a\"}\n");
  try {
    eval::read_knowledge_pairs(missing);
    FAIL() << "a line without 'false' must be an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("missing.jsonl:2"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("false"), std::string::npos) << e.what();
  }
  EXPECT_THROW(eval::read_knowledge_pairs(write(dir / "empty.jsonl", "\n")), Error);
  EXPECT_THROW(eval::read_knowledge_pairs(write(dir / "text.jsonl", "not json\n")), Error);
  EXPECT_THROW(eval::read_knowledge_pairs(dir / "absent.jsonl"), Error);
}

TEST(KnowledgeProbe, CountsWhichSentenceTheModelPrefers) {
  engine::testing::ScratchDir dir;
  engine::RandomModelOptions opt;
  opt.seed = 11;
  opt.init_std = 0.2f;  // a peaked random model: different texts get clearly different likelihoods
  engine::write_random_model(engine::testing::tiny_config(4, 2, false), dir / "m.gguf", opt);
  auto bundle = engine::load_model_bundle(dir / "m.gguf", 1);

  const std::string a = "The rated speed of the XY-10 is 3000 rpm.", b = "The rated speed of the XY-10 is 4500 rpm.";
  // (a, b) and (b, a): exactly one is "preferred", margins cancel; (a, a) has margin 0, not preferred.
  std::vector<eval::KnowledgePair> pairs = {{a, b, ""}, {b, a, ""}, {a, a, ""}};
  auto r = eval::probe_knowledge(bundle, pairs, 0);
  EXPECT_EQ(r.n, 3u);
  EXPECT_EQ(r.prefer_true, 1u);
  EXPECT_NEAR(r.mean_margin, 0.0, 1e-6);
  EXPECT_GE(r.ci.low, 0.0);
  EXPECT_LE(r.ci.low, r.accuracy());
  EXPECT_GE(r.ci.high, r.accuracy());

  // The margin is the difference of the two texts' log-probabilities after BOS.
  auto cache = bundle.model->new_cache(256);
  auto ids_a = bundle.tokenizer->encode(a, true), ids_b = bundle.tokenizer->encode(b, true);
  double expected = eval::sequence_log_prob(bundle, cache, ids_a) - eval::sequence_log_prob(bundle, cache, ids_b);
  ASSERT_GT(std::abs(expected), 1e-3) << "the test needs texts the random model tells apart";
  auto one = eval::probe_knowledge(bundle, {pairs[0]}, 0);
  EXPECT_NEAR(one.mean_margin, expected, 1e-6);
  EXPECT_EQ(one.prefer_true, expected > 0 ? 1u : 0u);

  // limit: only the first N pairs.
  EXPECT_EQ(eval::probe_knowledge(bundle, pairs, 2).n, 2u);
}

}  // namespace
