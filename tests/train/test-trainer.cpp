// The training loop on a tiny model: it learns, gradient accumulation equals a big batch,
// a run stopped at step k and resumed gives the uninterrupted run's losses, 2 data-parallel
// ranks give the 1-rank losses, metrics/checkpoints land in the run directory; --dtype auto and
// the allocator setting the trainer makes on CPUs.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include "counting-shard.h"
#include "core/json.h"
#include "data/token-shard.h"
#include "train/checkpoint.h"
#include "train/cpu-allocator.h"
#include "train/device.h"
#include "train/distributed.h"
#include "train/launcher.h"
#include "train/trainer.h"

namespace fs = std::filesystem;
using namespace gemba::train;

namespace {

constexpr int32_t kEos = 2;
constexpr int64_t kVocab = 97;

gemba::format::ModelConfig tiny_config() {
  gemba::format::ModelConfig c;
  c.vocab_size = kVocab;
  c.hidden_size = 64;
  c.n_layers = 2;
  c.n_heads = 4;
  c.n_kv_heads = 2;
  c.ffn_size = 128;
  c.max_position = 64;
  c.eos_id = kEos;
  return c;
}

std::string temp_dir(const std::string& name) {
  auto dir = fs::temp_directory_path() / ("gemba-test-trainer-" + name + "-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir.string();
}

std::string write_shard(const std::string& path, uint64_t seed, int docs) {
  return gemba::test::write_counting_shard(path, seed, docs, kVocab, kEos);
}

struct RunSetup {
  std::string dir;
  std::string data;
  int64_t batch = 4, grad_accum = 1, seq_len = 16, steps = 8;
  double lr = 3e-3;
  uint64_t seed = 1;
  torch::Dtype dtype = torch::kFloat32;
  bool with_validation = false;
  int64_t eval_every = 0;
  bool fused_adamw = true;
  double clip_norm = 1.0;

  std::unique_ptr<Trainer> make(const std::string& out_dir, std::shared_ptr<Distributed> dist = nullptr) const {
    torch::manual_seed(seed);
    LlamaForCausalLM model(tiny_config());
    model->init_weights();
    auto seqs = std::make_shared<PackedSequences>(data, seq_len, kEos, seed);
    auto source = std::make_shared<PackedBatchSource>(std::make_shared<MixedSequences>(seqs), batch, grad_accum);
    std::shared_ptr<BatchSource> val;
    if (with_validation)
      val = std::make_shared<SequentialBatchSource>(std::make_shared<PackedSequences>(data, seq_len, kEos, 0, false), batch);
    TrainerOptions o;
    o.steps = steps;
    o.grad_accum = grad_accum;
    o.schedule.peak = lr;
    o.schedule.min_lr = lr / 10;
    o.schedule.warmup_steps = 2;
    o.out_dir = out_dir;
    o.progress = false;
    o.peak_flops = 1e11;
    o.dtype = dtype;
    o.eval_every = eval_every;
    o.eval_batches = 2;
    o.seed = seed;
    o.fused_adamw = fused_adamw;
    o.clip_norm = clip_norm;
    return std::make_unique<Trainer>(model, o, source, causal_lm_loss, val, dist);
  }
};

class TrainerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    torch::set_num_threads(1);
    setup_.dir = temp_dir(::testing::UnitTest::GetInstance()->current_test_info()->name());
    setup_.data = write_shard(setup_.dir + "/train.tok", 42, 200);
  }
  void TearDown() override { fs::remove_all(setup_.dir); }
  RunSetup setup_;
};

std::vector<double> losses(const std::vector<StepMetrics>& m) {
  std::vector<double> out;
  for (auto& s : m) out.push_back(s.loss);
  return out;
}

}  // namespace

TEST_F(TrainerTest, LearnsAndWritesMetrics) {
  setup_.steps = 40;
  setup_.with_validation = true;
  setup_.eval_every = 20;
  auto trainer = setup_.make(setup_.dir + "/run");
  auto m = trainer->run();
  ASSERT_EQ(m.size(), 40u);
  EXPECT_NEAR(m.front().loss, std::log(static_cast<double>(kVocab)), 0.5);  // random init ≈ uniform
  EXPECT_LT(m.back().loss, m.front().loss - 0.5);
  ASSERT_TRUE(m[19].val_loss.has_value());
  ASSERT_TRUE(m[39].val_loss.has_value());
  EXPECT_FALSE(m[10].val_loss.has_value());
  EXPECT_LT(*m[39].val_loss, *m[19].val_loss);
  EXPECT_GT(m.back().tokens_per_s, 0);
  EXPECT_GT(m.back().mfu, 0);
  EXPECT_GT(m[0].lr, 0);
  EXPECT_LT(m[0].lr, m[1].lr + 1e-12);  // warmup
  EXPECT_LT(m[39].lr, m[10].lr);        // cosine decay

  std::ifstream in(setup_.dir + "/run/metrics.jsonl");
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    auto j = gemba::parse_json(line, "metrics.jsonl");
    for (const char* key : {"step", "loss", "lr", "grad_norm", "tokens_per_s", "mfu"}) EXPECT_TRUE(j.contains(key)) << key;
    if (j["step"] == 20) {
      EXPECT_TRUE(j.contains("val_loss") && j.contains("val_ppl"));
    }
    ++n;
  }
  EXPECT_EQ(n, 40);
  // The run directory is an HF model plus a resumable checkpoint.
  EXPECT_TRUE(fs::exists(setup_.dir + "/run/config.json"));
  EXPECT_TRUE(fs::exists(setup_.dir + "/run/model.safetensors"));
  EXPECT_TRUE(fs::exists(setup_.dir + "/run/checkpoint/optimizer.pt"));
  auto reloaded = load_hf_model(setup_.dir + "/run", torch::kCPU);
  for (auto& item : trainer->model()->named_parameters())
    EXPECT_TRUE(torch::equal(item.value(), reloaded->named_parameters()[item.key()])) << item.key();
}

TEST_F(TrainerTest, ResumeContinuesExactly) {
  setup_.steps = 8;
  auto full = losses(setup_.make(setup_.dir + "/full")->run());
  ASSERT_EQ(full.size(), 8u);

  auto first = setup_.make(setup_.dir + "/split")->run(/*stop_at=*/4);
  ASSERT_EQ(first.size(), 4u);
  ASSERT_TRUE(fs::exists(setup_.dir + "/split/checkpoint/trainer-state.json"));
  EXPECT_FALSE(fs::exists(setup_.dir + "/split/model.safetensors"));  // not finished yet

  RunSetup other = setup_;
  other.seed = 1;  // same data order; the weights come from the checkpoint
  auto resumed_trainer = other.make(setup_.dir + "/split");
  torch::manual_seed(999);  // RNG state must come from the checkpoint, not from here
  resumed_trainer->resume(setup_.dir + "/split");
  EXPECT_EQ(resumed_trainer->step(), 4);
  auto rest = losses(resumed_trainer->run());
  ASSERT_EQ(rest.size(), 4u);
  for (size_t i = 0; i < 4; ++i) {
    EXPECT_NEAR(rest[i], full[4 + i], 1e-6) << "step " << 5 + i;
    EXPECT_EQ(rest[i], full[4 + i]) << "step " << 5 + i << " (not bitwise)";
  }
  for (size_t i = 0; i < 4; ++i) EXPECT_EQ(first[i].loss, full[i]);
}

// The fused optimizer step (train/fused-adamw.h) against libtorch's AdamW with the trainer's
// separate scale / clip / zero passes: the same run to rounding, with clipping active, and a
// checkpoint of one resumable by the other (the moments live in the same optimizer state).
TEST_F(TrainerTest, FusedAdamWMatchesLibtorchAdamW) {
  setup_.steps = 6;
  setup_.clip_norm = 0.5;
  auto fused_trainer = setup_.make("");
  auto fused = fused_trainer->run();
  RunSetup ref_setup = setup_;
  ref_setup.fused_adamw = false;
  auto ref_trainer = ref_setup.make("");
  auto ref = ref_trainer->run();
  ASSERT_EQ(fused.size(), ref.size());
  ASSERT_GT(ref[0].grad_norm, setup_.clip_norm) << "the test needs clipping to happen";
  for (size_t i = 0; i < ref.size(); ++i) {
    EXPECT_NEAR(fused[i].loss, ref[i].loss, 1e-5) << "step " << i + 1;
    EXPECT_NEAR(fused[i].grad_norm, ref[i].grad_norm, 1e-5 * ref[i].grad_norm) << "step " << i + 1;
  }
  auto ref_params = ref_trainer->model()->named_parameters();
  for (auto& item : fused_trainer->model()->named_parameters())
    EXPECT_TRUE(torch::allclose(item.value(), ref_params[item.key()], 1e-4, 1e-6)) << item.key();

  // Stopped after 3 fused steps, resumed with libtorch's AdamW for the rest.
  setup_.make(setup_.dir + "/split")->run(/*stop_at=*/3);
  auto resumed = ref_setup.make(setup_.dir + "/split");
  resumed->resume(setup_.dir + "/split");
  auto rest = resumed->run();
  ASSERT_EQ(rest.size(), 3u);
  for (size_t i = 0; i < 3; ++i) EXPECT_NEAR(rest[i].loss, fused[3 + i].loss, 1e-5) << "step " << 4 + i;
  for (auto& item : resumed->model()->named_parameters())
    EXPECT_TRUE(torch::allclose(item.value(), ref_params[item.key()], 1e-4, 1e-6)) << item.key();
}

TEST_F(TrainerTest, ResumeRejectsAMissingCheckpoint) {
  auto trainer = setup_.make(setup_.dir + "/x");
  EXPECT_THROW(trainer->resume(setup_.dir + "/nothing-here"), gemba::Error);
}

TEST_F(TrainerTest, GradientAccumulationEqualsOneBigBatch) {
  setup_.steps = 4;
  setup_.batch = 4;
  auto big = losses(setup_.make("")->run());
  RunSetup acc = setup_;
  acc.batch = 2;
  acc.grad_accum = 2;
  auto accumulated = losses(acc.make("")->run());
  ASSERT_EQ(big.size(), accumulated.size());
  for (size_t i = 0; i < big.size(); ++i) EXPECT_NEAR(big[i], accumulated[i], 1e-5) << "step " << i + 1;
}

TEST_F(TrainerTest, Bf16AutocastTracksF32) {
  setup_.steps = 3;
  auto f32 = losses(setup_.make("")->run());
  RunSetup bf = setup_;
  bf.dtype = torch::kBFloat16;
  auto bf16 = losses(bf.make("")->run());
  for (size_t i = 0; i < f32.size(); ++i) {
    EXPECT_TRUE(std::isfinite(bf16[i]));
    EXPECT_NEAR(bf16[i], f32[i], 0.05 * f32[i]) << "step " << i + 1;
  }
}

// Runs as a rank when started by TwoRanksMatchOneRank (skipped otherwise).
TEST(TrainDistributed, Worker) {
  const char* dir = std::getenv("GEMBA_TEST_DP_DIR");
  if (!dir) GTEST_SKIP() << "only runs as a rank of TwoRanksMatchOneRank";
  torch::set_num_threads(1);
  RunSetup s;
  s.dir = dir;
  s.data = std::string(dir) + "/train.tok";
  s.steps = 5;
  s.grad_accum = 2;
  auto dist = std::make_shared<Distributed>(rendezvous_from_env(), torch::kCPU);
  auto m = losses(s.make("", dist)->run());
  if (dist->rank() == 0) {
    gemba::Json j = m;
    gemba::write_json_file(std::string(dir) + "/rank0-losses.json", j);
  }
}

TEST_F(TrainerTest, TwoRanksMatchOneRank) {
  setup_.steps = 5;
  setup_.grad_accum = 2;
  auto single = losses(setup_.make("")->run());

  ::setenv("GEMBA_TEST_DP_DIR", setup_.dir.c_str(), 1);
  int rc = launch_ranks(2, {"self", "--gtest_filter=TrainDistributed.Worker"});
  ::unsetenv("GEMBA_TEST_DP_DIR");
  ASSERT_EQ(rc, 0);
  auto two = gemba::read_json_file(setup_.dir + "/rank0-losses.json").get<std::vector<double>>();
  ASSERT_EQ(two.size(), single.size());
  for (size_t i = 0; i < single.size(); ++i) EXPECT_NEAR(two[i], single[i], 1e-5) << "step " << i + 1;
}

TEST(ComputeDtype, Bf16OnlyWhenItsProductsAreAtLeastTwiceAsFast) {
  EXPECT_TRUE(bf16_pays(100e9, 600e9));   // AMX: 6x
  EXPECT_TRUE(bf16_pays(100e9, 200e9));   // the threshold itself
  EXPECT_FALSE(bf16_pays(100e9, 150e9));  // a step would gain little and lose precision
  EXPECT_FALSE(bf16_pays(100e9, 20e9));   // bf16 emulated on a CPU without it
}

TEST(ComputeDtype, FlagsAndAuto) {
  const torch::Device cpu(torch::kCPU);
  EXPECT_EQ(choose_dtype("f32", cpu).dtype, torch::kFloat32);
  EXPECT_EQ(choose_dtype("bf16", cpu).dtype, torch::kBFloat16);
  EXPECT_EQ(choose_dtype("bf16", cpu).matmul_flops, 0);  // nothing measured when the flag decides
  const DtypeChoice automatic = choose_dtype("auto", cpu);
  EXPECT_GT(automatic.matmul_flops, 0);
  EXPECT_NE(automatic.reason.find("GFLOP/s in bf16"), std::string::npos) << automatic.reason;
  try {
    choose_dtype("fp8", cpu);
    FAIL() << "fp8 accepted";
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find("--dtype fp8"), std::string::npos) << e.what();
  }
}

#if defined(__GLIBC__)
TEST(CpuAllocator, LargeBlocksComeFromTheHeapNotFreshMappings) {
  ASSERT_TRUE(keep_freed_memory_for_reuse());
  const size_t mapped_before = mallinfo2().hblkhd;  // bytes in blocks served by mmap
  void* block = std::malloc(16 << 20);              // above glibc's default 128 KiB threshold
  ASSERT_NE(block, nullptr);
  const size_t mapped_during = mallinfo2().hblkhd;
  std::free(block);
  EXPECT_EQ(mapped_during, mapped_before);
}
#endif
