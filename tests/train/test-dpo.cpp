// DPO: the loss and its gradient against a hand computation (sigmoid, label smoothing, IPO),
// preference-pair reading, the reference log-prob cache (equal to a recomputation, rebuilt
// when stale), and a short DPO run on a tiny model that raises the held-out reward margin.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>

#include "core/json.h"
#include "fine-tune-fixtures.h"
#include "train/dpo.h"
#include "train/row-batches.h"

namespace fs = std::filesystem;
using namespace gemba;
using namespace gemba::train;

namespace {

double log_sigmoid(double x) { return -std::log1p(std::exp(-x)); }
double sigmoid(double x) { return 1.0 / (1.0 + std::exp(-x)); }

// Item i: "item i?" -> chosen "ok i", rejected "no i": learnable from the answer's first word.
std::string write_pairs(const std::string& path, int first, int count) {
  std::ofstream out(path);
  for (int i = first; i < first + count; ++i)
    out << R"({"prompt": "state of item )" << i << R"(?", "chosen": "ok )" << i << R"(", "rejected": "no )" << i
        << R"(", "similarity": 0.5})" << "\n";
  return path;
}

}  // namespace

TEST(DpoLoss, SigmoidMatchesHandComputationAndGradient) {
  DpoOptions o;
  o.beta = 0.5;
  auto pc = torch::tensor({-3.0, -10.0}, torch::requires_grad()), pr = torch::tensor({-4.0, -2.0}, torch::requires_grad());
  auto rc = torch::tensor({-3.5, -9.0}), rr = torch::tensor({-3.0, -2.5});
  DpoTerms t = dpo_terms(pc, pr, rc, rr, o);
  const double h0 = (-3.0 + 3.5) - (-4.0 + 3.0), h1 = (-10.0 + 9.0) - (-2.0 + 2.5);
  EXPECT_NEAR(t.losses[0].item<double>(), -log_sigmoid(0.5 * h0), 1e-6);
  EXPECT_NEAR(t.losses[1].item<double>(), -log_sigmoid(0.5 * h1), 1e-6);
  EXPECT_NEAR(t.chosen_rewards[0].item<double>(), 0.5 * 0.5, 1e-6);
  EXPECT_NEAR(t.rejected_rewards[1].item<double>(), 0.5 * 0.5, 1e-6);
  t.losses.sum().backward();
  // d/d pc of -log σ(β h) = -β σ(-β h); d/d pr = +β σ(-β h).
  EXPECT_NEAR(pc.grad()[0].item<double>(), -0.5 * sigmoid(-0.5 * h0), 1e-6);
  EXPECT_NEAR(pr.grad()[1].item<double>(), 0.5 * sigmoid(-0.5 * h1), 1e-6);
}

TEST(DpoLoss, LabelSmoothingAndIpo) {
  auto pc = torch::tensor({-1.0}), pr = torch::tensor({-2.0}), rc = torch::tensor({-1.5}), rr = torch::tensor({-1.5});
  const double h = 0.5 - (-0.5);
  DpoOptions smooth;
  smooth.beta = 0.2;
  smooth.label_smoothing = 0.1;
  EXPECT_NEAR(dpo_terms(pc, pr, rc, rr, smooth).losses[0].item<double>(),
              -0.9 * log_sigmoid(0.2 * h) - 0.1 * log_sigmoid(-0.2 * h), 1e-6);
  DpoOptions ipo;
  ipo.loss = "ipo";
  ipo.beta = 0.25;
  EXPECT_NEAR(dpo_terms(pc, pr, rc, rr, ipo).losses[0].item<double>(), std::pow(h - 1.0 / (2 * 0.25), 2), 1e-6);
  DpoOptions bad;
  bad.loss = "hinge";
  EXPECT_THROW(validate(bad), Error);
  bad = DpoOptions{};
  bad.label_smoothing = 0.5;
  EXPECT_THROW(validate(bad), Error);
}

TEST(DpoLoss, SequenceLogpsSumOnlyTargets) {
  auto logits = torch::randn({2, 3, 5});
  const int64_t x = kIgnoreIndex;
  auto labels = torch::tensor({int64_t{1}, x, int64_t{4}, x, x, int64_t{0}}, torch::kInt64).view({2, 3});
  auto [sums, counts] = sequence_logps(logits, labels);
  auto lp = torch::log_softmax(logits, -1);
  EXPECT_NEAR(sums[0].item<double>(), (lp[0][0][1] + lp[0][2][4]).item<double>(), 1e-5);
  EXPECT_NEAR(sums[1].item<double>(), lp[1][2][0].item<double>(), 1e-5);
  EXPECT_EQ(counts[0].item<float>(), 2.0f);
}

TEST(DpoData, ReadsTrlPairsAndSkipsBadLines) {
  const std::string dir = test::fresh_temp_dir("dpo-read");
  const std::string path = dir + "/pairs.jsonl";
  {
    std::ofstream out(path);
    out << R"({"prompt": "q1", "chosen": "a", "rejected": "b"})" << "\n";
    out << R"({"prompt": [{"role": "user", "content": "q2"}], "chosen": [{"role": "assistant", "content": "c"}], "rejected": [{"role": "assistant", "content": "d"}]})"
        << "\n";
    out << R"({"prompt": "q3", "chosen": "same", "rejected": "same"})" << "\n";
    out << R"({"prompt": "q4", "chosen": "x"})" << "\n";
    out << "not json\n";
  }
  auto pairs = read_preference_pairs(path);
  ASSERT_EQ(pairs.size(), 2u);
  EXPECT_EQ(pairs[1].prompt.at(0).content, "q2");
  EXPECT_EQ(pairs[1].rejected, "d");
  std::ofstream(dir + "/empty.jsonl") << "\n";
  try {
    read_preference_pairs(dir + "/empty.jsonl");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("empty.jsonl"), std::string::npos);
  }
  // An empty file beside a good one adds nothing (gemba mistakes on a model that made none).
  EXPECT_EQ(read_preference_pairs(dir + "/empty.jsonl," + path).size(), 2u);
  // A file with lines but no usable pair is a format error even beside a good one.
  std::ofstream(dir + "/bad.jsonl") << "{\"prompt\": \"q\"}\n";
  try {
    read_preference_pairs(path + "," + dir + "/bad.jsonl");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("bad.jsonl"), std::string::npos) << e.what();
  }
  fs::remove_all(dir);
}

class DpoRun : public ::testing::Test {
 protected:
  void SetUp() override {
    torch::set_num_threads(1);
    torch::manual_seed(5);
    dir_ = test::fresh_temp_dir("dpo-run");
    model_ = LlamaForCausalLM(test::byte_model_config());
    model_->init_weights();
    save_hf_model(model_, dir_ + "/sft", "");
    SftDataOptions o;
    o.max_tokens = 64;
    train_ = std::make_shared<const std::vector<PairRows>>(tokenize_pairs(read_preference_pairs(write_pairs(dir_ + "/train.jsonl", 0, 32)), tok_, o));
    val_ = std::make_shared<const std::vector<PairRows>>(tokenize_pairs(read_preference_pairs(write_pairs(dir_ + "/val.jsonl", 50, 8)), tok_, o));
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string dir_;
  tokenizer::Tokenizer tok_ = test::byte_tokenizer();
  LlamaForCausalLM model_{nullptr};
  std::shared_ptr<const std::vector<PairRows>> train_, val_;
};

TEST_F(DpoRun, ReferenceCacheEqualsRecomputedAndIsRebuiltWhenStale) {
  const std::string cache = dir_ + "/run/reference-logps.json";
  auto fresh = compute_reference_logps(model_, *train_, 5, tok_.pad_id(), torch::kCPU);
  auto cached = cached_reference_logps(cache, dir_ + "/sft", model_, *train_, 8, tok_.pad_id(), torch::kCPU);
  ASSERT_EQ(cached.size(), fresh.size());
  for (size_t i = 0; i < fresh.size(); ++i) {
    EXPECT_NEAR(cached[i][0], fresh[i][0], 1e-3);
    EXPECT_NEAR(cached[i][1], fresh[i][1], 1e-3);
    EXPECT_LT(fresh[i][0], 0);
  }
  // Batched and one-at-a-time agree (padding does not leak into the sums).
  auto single = compute_reference_logps(model_, *train_, 1, tok_.pad_id(), torch::kCPU);
  EXPECT_NEAR(single[7][1], fresh[7][1], 1e-3);
  // Reused: a file edited by hand with the right key is returned as is.
  Json j = read_json_file(cache);
  j["logps"][0][0] = 123.0;
  write_json_file(cache, j);
  EXPECT_EQ(cached_reference_logps(cache, dir_ + "/sft", model_, *train_, 8, tok_.pad_id(), torch::kCPU)[0][0], 123.0);
  // Other pairs -> another key -> recomputed.
  auto other = cached_reference_logps(cache, dir_ + "/sft", model_, *val_, 8, tok_.pad_id(), torch::kCPU);
  EXPECT_EQ(other.size(), val_->size());
  EXPECT_NE(read_json_file(cache)["logps"].size(), train_->size());
}

TEST_F(DpoRun, ScoresOnlyThePairsTheRunVisits) {
  // 32 pairs, 2 steps of 2 micro-batches of 4: 16 visits, all in the first shuffled epoch.
  const auto visited = visited_pairs(train_->size(), 2, 4, 2, 7);
  EXPECT_EQ(visited.size(), 16u);
  EXPECT_TRUE(std::is_sorted(visited.begin(), visited.end()));
  EXPECT_EQ(visited_pairs(train_->size(), 4, 4, 2, 7).size(), train_->size());  // two epochs: every pair
  const std::string cache = dir_ + "/run/reference-logps.json";
  auto logps = cached_reference_logps(cache, dir_ + "/sft", model_, *train_, visited, 8, tok_.pad_id(), torch::kCPU);
  size_t scored = 0;
  for (const auto& l : logps) scored += std::isnan(l[0]) ? 0 : 1;
  EXPECT_EQ(scored, visited.size());
  EXPECT_EQ(read_json_file(cache)["logps"].size(), train_->size());  // null where not scored
  // The source draws exactly the scored pairs in those steps, and stops with a clear error after.
  PairBatchSource source(train_, logps, 4, 2, tok_.pad_id(), 7);
  for (int64_t step = 0; step < 2; ++step)
    for (int64_t micro = 0; micro < 2; ++micro) EXPECT_NO_THROW(source.get(step, micro, 0, 1));
  bool failed_later = false;
  for (int64_t step = 2; step < 8 && !failed_later; ++step) {
    try {
      source.get(step, 0, 0, 1);
    } catch (const Error& e) {
      failed_later = std::string(e.what()).find("no reference log-probs") != std::string::npos;
    }
  }
  EXPECT_TRUE(failed_later);
  // A longer rerun keeps the cached scores and fills in the rest.
  auto all = cached_reference_logps(cache, dir_ + "/sft", model_, *train_, all_pair_indices(train_->size()), 8,
                                    tok_.pad_id(), torch::kCPU);
  auto fresh = compute_reference_logps(model_, *train_, 8, tok_.pad_id(), torch::kCPU);
  for (size_t i = 0; i < fresh.size(); ++i) EXPECT_NEAR(all[i][1], fresh[i][1], 1e-3) << i;
}

TEST_F(DpoRun, RaisesHeldOutRewardMargin) {
  auto ref_train = compute_reference_logps(model_, *train_, 8, tok_.pad_id(), torch::kCPU);
  auto ref_val = compute_reference_logps(model_, *val_, 8, tok_.pad_id(), torch::kCPU);
  DpoOptions dpo;
  dpo.beta = 0.5;
  dpo.rpo_alpha = 0.1;
  TrainerOptions t;
  t.steps = 25;
  t.schedule.peak = 3e-3;
  t.schedule.min_lr = 3e-4;
  t.schedule.warmup_steps = 2;
  t.eval_batches = 1;
  t.progress = false;
  t.peak_flops = 1e11;
  auto source = std::make_shared<PairBatchSource>(train_, ref_train, 8, 1, tok_.pad_id(), 1);
  auto val = std::make_shared<PairBatchSource>(val_, ref_val, 8, 1, tok_.pad_id(), 1, /*shuffle=*/false);
  Trainer trainer(model_, t, source, dpo_loss_fn(dpo), val);
  Evaluation before = trainer.evaluate();
  EXPECT_NEAR(before.extra.at("rewards/margins"), 0.0, 1e-4);  // policy == reference
  auto m = trainer.run();
  ASSERT_FALSE(m.empty());
  EXPECT_GT(m.back().extra.count("rewards/accuracy"), 0u);
  const auto& after = m.back().val_extra;
  EXPECT_GT(after.at("rewards/margins"), 0.5);
  EXPECT_GE(after.at("rewards/accuracy"), 0.99);
  EXPECT_LT(*m.back().val_loss, before.loss);
}
