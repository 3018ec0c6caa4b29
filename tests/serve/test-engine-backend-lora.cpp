// serve with --lora NAME=FILE: the adapter is listed as a model id, and a batch mixing base
// and adapter sequences decodes each exactly as a server of the base model alone and a
// server of the merged model alone would (greedy tokens).
#include <gtest/gtest.h>

#include "engine/lora-test-util.h"
#include "engine/lora-merge.h"
#include "engine/lora-peft.h"
#include "engine/random-model.h"
#include "serve/engine-backend.h"

namespace gemba {
namespace {

using engine::testing::ScratchDir;

// Greedy tokens of `steps` decode steps of each (model id, prompt), all in one batch.
std::vector<std::vector<int32_t>> greedy(serve::Backend& backend, const std::vector<std::string>& models,
                                         const std::vector<int32_t>& prompt, int steps) {
  serve::SamplingParams params;
  params.temperature = 0;
  std::vector<std::unique_ptr<serve::Sequence>> seqs;
  std::vector<serve::Sequence*> batch;
  for (const auto& m : models) {
    seqs.push_back(backend.prefill(m, prompt, params));
    batch.push_back(seqs.back().get());
  }
  std::vector<std::vector<int32_t>> out(models.size());
  std::vector<int32_t> next;
  for (int s = 0; s < steps; ++s) {
    backend.decode(batch, next);
    for (size_t i = 0; i < models.size(); ++i) out[i].push_back(next[i]);
  }
  return out;
}

TEST(EngineBackendLora, MixedBatchMatchesBaseAndMergedServers) {
  ScratchDir dir;
  const format::ModelConfig config = engine::testing::tiny_config(4, 2, false);
  engine::RandomModelOptions opt;
  opt.seed = 3;
  opt.init_std = 0.1f;
  opt.n_threads = 2;
  write_random_model(config, dir / "base", opt);
  const engine::LoraAdapter adapter = engine::testing::random_lora(config, 4, 8.0f, 1);
  engine::write_peft_adapter(adapter, dir / "peft");
  engine::merge_lora(dir / "base", {{adapter, 1.0f}}, dir / "merged", 2);

  const std::vector<int32_t> prompt = {1, 77, 5, 260, 130};
  serve::EngineBackendOptions o;
  o.threads = 2;
  o.model_id = "m";
  o.model_path = dir / "merged";
  serve::EngineBackend merged(o);
  o.model_path = dir / "base";
  serve::EngineBackend base(o);
  o.loras = {"tuned=" + (dir / "peft")};
  serve::EngineBackend both(o);

  const auto models = both.models();
  ASSERT_EQ(models.size(), 2u);
  EXPECT_EQ(models[0].id, "m");
  EXPECT_FALSE(models[0].adapter);
  EXPECT_EQ(models[1].id, "tuned");
  EXPECT_TRUE(models[1].adapter);

  const auto want_base = greedy(base, {"m"}, prompt, 8)[0];
  const auto want_tuned = greedy(merged, {"m"}, prompt, 8)[0];
  EXPECT_NE(want_base, want_tuned) << "the adapter should change the greedy continuation";
  const auto mixed = greedy(both, {"tuned", "m", "tuned"}, prompt, 8);
  EXPECT_EQ(mixed[0], want_tuned);
  EXPECT_EQ(mixed[1], want_base);
  EXPECT_EQ(mixed[2], want_tuned);
  EXPECT_EQ(greedy(both, {"tuned"}, prompt, 8)[0], want_tuned);
  EXPECT_THROW(greedy(both, {"other"}, prompt, 1), Error);

  o.loras = {"m=" + (dir / "peft")};
  EXPECT_THROW(serve::EngineBackend{o}, Error);  // the base's id is taken
  o.loras = {"no-equals-sign"};
  EXPECT_THROW(serve::EngineBackend{o}, Error);
}

}  // namespace
}  // namespace gemba
