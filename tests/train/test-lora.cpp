// LoRA on a tiny Llama: an untrained adapter is the base model exactly, only the adapter
// trains, merging computes the same function, PEFT directories round-trip with PEFT's names,
// dropout acts only in training (and replays under activation checkpointing), and a LoRA
// training checkpoint resumes into the uninterrupted run's losses.
#include <gtest/gtest.h>
#include <torch/torch.h>
#include <ATen/CPUGeneratorImpl.h>

#include <filesystem>
#include <fstream>
#include <set>

#include "counting-shard.h"
#include "core/error.h"
#include "core/json.h"
#include "data/token-shard.h"
#include "format/safetensors.h"
#include "train/checkpoint.h"
#include "train/lora.h"
#include "train/trainer.h"

namespace fs = std::filesystem;
using namespace gemba::train;

namespace {

constexpr int64_t kVocab = 97;
constexpr int32_t kEos = 2;

gemba::format::ModelConfig tiny_config() {
  gemba::format::ModelConfig c;
  c.vocab_size = kVocab;
  c.hidden_size = 64;
  c.n_layers = 2;
  c.n_heads = 4;
  c.n_kv_heads = 2;
  c.ffn_size = 96;
  c.max_position = 64;
  c.eos_id = kEos;
  return c;
}

// The same random base model for every call with the same seed.
LlamaForCausalLM base_model(uint64_t seed = 7) {
  torch::manual_seed(seed);
  LlamaForCausalLM model(tiny_config());
  model->init_weights();
  return model;
}

torch::Tensor sample_ids(int64_t batch = 2, int64_t len = 12) {
  auto gen = at::make_generator<at::CPUGeneratorImpl>(123);
  return torch::randint(3, kVocab, {batch, len}, gen, torch::kInt64);
}

torch::Tensor logits_of(LlamaForCausalLM& model, const torch::Tensor& ids) {
  torch::NoGradGuard no_grad;
  return model->forward(ids);
}

// Gives every adapter a nonzero B so it changes the function.
void randomize_b(LlamaForCausalLM& model, uint64_t seed) {
  auto gen = at::make_generator<at::CPUGeneratorImpl>(seed);
  torch::NoGradGuard no_grad;
  for (auto& item : model->named_parameters())
    if (item.key().find(".lora_B.") != std::string::npos) item.value().normal_(0.0, 0.05, gen);
}

LoraOptions options(int64_t rank = 4, std::vector<std::string> targets = {"q", "k", "v", "o", "gate", "up", "down"}) {
  LoraOptions o;
  o.rank = rank;
  o.alpha = 8;
  o.targets = std::move(targets);
  return o;
}

std::string temp_dir(const std::string& name) {
  auto dir = fs::temp_directory_path() / ("gemba-test-lora-" + name + "-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir.string();
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const gemba::Error& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST(Lora, ParsesTargets) {
  EXPECT_EQ(parse_lora_targets("q,k,v,o,gate,up,down"),
            (std::vector<std::string>{"q", "k", "v", "o", "gate", "up", "down"}));
  EXPECT_EQ(parse_lora_targets("v_proj, q_proj,q"), (std::vector<std::string>{"q", "v"}));
  EXPECT_EQ(parse_lora_targets("down,gate"), (std::vector<std::string>{"gate", "down"}));
  const std::string message = error_of([] { parse_lora_targets("q,attn"); });
  EXPECT_NE(message.find("'attn'"), std::string::npos) << message;
  EXPECT_NE(message.find("q,k,v,o,gate,up,down"), std::string::npos) << message;
  EXPECT_THROW(parse_lora_targets(""), gemba::Error);
  EXPECT_THROW(parse_lora_targets(" , "), gemba::Error);
}

TEST(Lora, RejectsBadOptions) {
  auto model = base_model();
  EXPECT_THROW(apply_lora(model, options(4, {"q", "lm_head"}), 1), gemba::Error);
  LoraOptions bad = options();
  bad.dropout = 1.0;
  EXPECT_THROW(apply_lora(model, bad, 1), gemba::Error);
  bad = options();
  bad.alpha = 0;
  EXPECT_THROW(apply_lora(model, bad, 1), gemba::Error);
  EXPECT_FALSE(has_lora(model));
  apply_lora(model, LoraOptions{}, 1);  // rank 0: LoRA off
  EXPECT_FALSE(has_lora(model));
  apply_lora(model, options(), 1);
  EXPECT_TRUE(has_lora(model));
  EXPECT_THROW(apply_lora(model, options(), 1), gemba::Error);  // already adapted
}

TEST(Lora, UntrainedAdapterIsTheBaseModelExactly) {
  auto model = base_model();
  const auto ids = sample_ids();
  const auto before = logits_of(model, ids);
  std::set<std::string> base_names;
  for (auto& item : model->named_parameters()) base_names.insert(item.key());

  apply_lora(model, options(4, {"q", "v", "down"}), 11);
  EXPECT_TRUE(torch::equal(logits_of(model, ids), before));

  // Base names are unchanged; the adapters sit beside them with PEFT's shapes.
  auto params = model->named_parameters();
  for (const auto& name : base_names) EXPECT_TRUE(params.find(name)) << name;
  EXPECT_EQ(params.size(), base_names.size() + 2 * 3 * 2);
  EXPECT_EQ(params["model.layers.0.self_attn.q_proj.lora_A.weight"].sizes(), torch::IntArrayRef({4, 64}));
  EXPECT_EQ(params["model.layers.0.self_attn.q_proj.lora_B.weight"].sizes(), torch::IntArrayRef({64, 4}));
  EXPECT_EQ(params["model.layers.1.self_attn.v_proj.lora_B.weight"].sizes(), torch::IntArrayRef({32, 4}));  // KV*hd
  EXPECT_EQ(params["model.layers.1.mlp.down_proj.lora_A.weight"].sizes(), torch::IntArrayRef({4, 96}));
  EXPECT_FALSE(params.find("model.layers.0.self_attn.k_proj.lora_A.weight"));
  // PEFT's A init: uniform within ±1/√in, not all zero; B exactly zero.
  auto a = params["model.layers.0.self_attn.q_proj.lora_A.weight"];
  EXPECT_LE(a.abs().max().item<double>(), 1.0 / 8.0 + 1e-7);
  EXPECT_GT(a.abs().max().item<double>(), 0.1);
  EXPECT_EQ(params["model.layers.0.self_attn.q_proj.lora_B.weight"].abs().sum().item<double>(), 0.0);

  // The seed alone fixes A.
  auto again = base_model();
  apply_lora(again, options(4, {"q", "v", "down"}), 11);
  EXPECT_TRUE(torch::equal(again->named_parameters()["model.layers.0.self_attn.q_proj.lora_A.weight"], a));
}

TEST(Lora, OnlyAdaptersTrain) {
  auto model = base_model();
  apply_lora(model, options(), 3);
  std::vector<torch::Tensor> trainable;
  for (auto& item : model->named_parameters()) {
    const bool adapter = item.key().find(".lora_") != std::string::npos;
    EXPECT_EQ(item.value().requires_grad(), adapter) << item.key();
    if (adapter) trainable.push_back(item.value());
  }
  EXPECT_EQ(trainable.size(), 2u * 7 * 2);

  const auto ids = sample_ids();
  const auto before = logits_of(model, ids);
  auto loss = [&] { return model->forward(ids).logsumexp(-1).mean(); };
  loss().backward();
  for (auto& item : model->named_parameters()) {
    const bool adapter = item.key().find(".lora_") != std::string::npos;
    EXPECT_EQ(item.value().grad().defined(), adapter) << item.key();
    // B = 0 blocks A's gradient at step 0; B's gradient is A·x against the output gradient.
    if (item.key().find(".lora_B.") != std::string::npos) {
      EXPECT_GT(item.value().grad().abs().sum().item<double>(), 0) << item.key();
    }
  }

  torch::optim::AdamW optimizer(trainable, torch::optim::AdamWOptions(1e-2));
  optimizer.step();
  const auto after = logits_of(model, ids);
  EXPECT_GT((after - before).abs().max().item<double>(), 1e-4);
  // A second step now moves A too (B is nonzero).
  optimizer.zero_grad();
  loss().backward();
  EXPECT_GT(model->named_parameters()["model.layers.0.self_attn.q_proj.lora_A.weight"].grad().abs().sum().item<double>(), 0);
}

TEST(Lora, MergeComputesTheSameFunction) {
  auto model = base_model();
  apply_lora(model, options(), 5);
  randomize_b(model, 9);
  model->eval();
  const auto ids = sample_ids();
  const auto unmerged = logits_of(model, ids);
  auto base = base_model();
  EXPECT_GT((unmerged - logits_of(base, ids)).abs().max().item<double>(), 1e-3);  // the adapter matters

  const std::string dir = temp_dir("merge");
  const std::string message = error_of([&] { write_hf_files(model, dir, ""); });
  EXPECT_NE(message.find("merge_lora"), std::string::npos) << message;

  merge_lora(model);
  EXPECT_FALSE(has_lora(model));
  EXPECT_LT((logits_of(model, ids) - unmerged).abs().max().item<double>(), 1e-5);
  std::set<std::string> names, plain;
  for (auto& item : model->named_parameters()) names.insert(item.key());
  for (auto& item : base->named_parameters()) plain.insert(item.key());
  EXPECT_EQ(names, plain);

  // The merged model saves and reloads as a plain HF model.
  save_hf_model(model, dir + "/merged", "");
  auto reloaded = load_hf_model(dir + "/merged", torch::kCPU);
  EXPECT_TRUE(torch::equal(logits_of(reloaded, ids), logits_of(model, ids)));
  fs::remove_all(dir);
}

TEST(Lora, PeftDirectoryRoundTrips) {
  const std::string dir = temp_dir("peft");
  { std::ofstream(dir + "/README.md") << "keep me"; }
  auto model = base_model();
  LoraOptions o = options(4, {"q_proj", "v", "gate"});
  o.alpha = 12;
  o.dropout = 0.05;
  apply_lora(model, o, 5);
  randomize_b(model, 21);
  model->eval();
  const auto ids = sample_ids();
  const auto expected = logits_of(model, ids);
  save_peft_adapter(model, o, dir, "my-org/tiny-base");
  EXPECT_TRUE(fs::exists(dir + "/README.md"));

  // adapter_model.safetensors: exactly PEFT's names and shapes, f32.
  auto file = gemba::format::SafetensorsFile::open(dir + "/adapter_model.safetensors");
  std::map<std::string, std::vector<int64_t>> shapes;
  for (const auto& t : file.tensors()) {
    shapes[t.name] = t.shape;
    EXPECT_EQ(t.dtype, gemba::format::DType::F32) << t.name;
  }
  std::map<std::string, std::vector<int64_t>> want;
  for (int i = 0; i < 2; ++i) {
    const std::string p = "base_model.model.model.layers." + std::to_string(i) + ".";
    want[p + "self_attn.q_proj.lora_A.weight"] = {4, 64};
    want[p + "self_attn.q_proj.lora_B.weight"] = {64, 4};
    want[p + "self_attn.v_proj.lora_A.weight"] = {4, 64};
    want[p + "self_attn.v_proj.lora_B.weight"] = {32, 4};
    want[p + "mlp.gate_proj.lora_A.weight"] = {4, 64};
    want[p + "mlp.gate_proj.lora_B.weight"] = {96, 4};
  }
  EXPECT_EQ(shapes, want);

  auto config = gemba::read_json_file(dir + "/adapter_config.json");
  EXPECT_EQ(config["peft_type"], "LORA");
  EXPECT_EQ(config["task_type"], "CAUSAL_LM");
  EXPECT_EQ(config["r"], 4);
  EXPECT_EQ(config["lora_alpha"], 12);
  EXPECT_DOUBLE_EQ(config["lora_dropout"].get<double>(), 0.05);
  EXPECT_EQ(config["target_modules"], gemba::Json({"q_proj", "v_proj", "gate_proj"}));
  EXPECT_EQ(config["bias"], "none");
  EXPECT_EQ(config["base_model_name_or_path"], "my-org/tiny-base");

  // A fresh adapted model (other A init, alpha, dropout) loads it and computes the same.
  auto fresh = base_model();
  LoraOptions other = o;
  other.alpha = 2;
  other.dropout = 0;
  apply_lora(fresh, other, 999);
  fresh->eval();
  EXPECT_FALSE(torch::equal(logits_of(fresh, ids), expected));
  load_peft_adapter(fresh, dir);
  EXPECT_TRUE(torch::equal(logits_of(fresh, ids), expected));
  EXPECT_DOUBLE_EQ(lora_options_of(fresh).alpha, 12);
  EXPECT_DOUBLE_EQ(lora_options_of(fresh).dropout, 0.05);

  // Names without PeftModel's "base_model.model." prefix load too.
  {
    const std::string bare = dir + "/bare";
    fs::create_directories(bare);
    fs::copy_file(dir + "/adapter_config.json", bare + "/adapter_config.json");
    gemba::format::SafetensorsWriter writer;
    for (const auto& t : file.tensors()) writer.add(t.name.substr(17), t.dtype, t.shape, t.data);
    writer.write(bare + "/adapter_model.safetensors");
    auto again = base_model();
    apply_lora(again, o, 1);
    again->eval();
    load_peft_adapter(again, bare);
    EXPECT_TRUE(torch::equal(logits_of(again, ids), expected));
  }

  // Mismatches are errors that name the problem.
  auto wrong_rank = base_model();
  apply_lora(wrong_rank, options(8, {"q", "v", "gate"}), 1);
  EXPECT_NE(error_of([&] { load_peft_adapter(wrong_rank, dir); }).find("r 4"), std::string::npos);
  auto wrong_targets = base_model();
  apply_lora(wrong_targets, options(4, {"q", "v"}), 1);
  EXPECT_THROW(load_peft_adapter(wrong_targets, dir), gemba::Error);
  auto plain = base_model();
  EXPECT_THROW(load_peft_adapter(plain, dir), gemba::Error);
  EXPECT_THROW(load_peft_adapter(fresh, dir + "/missing"), gemba::Error);
  EXPECT_THROW(save_peft_adapter(model, options(4, {"q", "v", "gate"}), dir, "x"), gemba::Error);  // alpha 8 ≠ 12
  fs::remove_all(dir);
}

TEST(Lora, DisabledAdaptersGiveTheBaseModel) {
  auto base = base_model();
  auto model = base_model();
  apply_lora(model, options(), 5);
  randomize_b(model, 9);
  const auto ids = sample_ids();
  const auto adapted = logits_of(model, ids);
  {
    LoraDisabled off(model);
    EXPECT_TRUE(torch::equal(logits_of(model, ids), logits_of(base, ids)));
  }
  EXPECT_TRUE(torch::equal(logits_of(model, ids), adapted));
  EXPECT_FALSE(torch::equal(adapted, logits_of(base, ids)));
}

TEST(Lora, DropoutOnlyWhileTraining) {
  auto model = base_model();
  LoraOptions o = options();
  o.dropout = 0.5;
  apply_lora(model, o, 5);
  randomize_b(model, 9);
  auto no_dropout = base_model();
  apply_lora(no_dropout, options(), 5);
  randomize_b(no_dropout, 9);
  const auto ids = sample_ids();

  model->eval();
  no_dropout->eval();
  const auto reference = logits_of(no_dropout, ids);
  EXPECT_TRUE(torch::equal(logits_of(model, ids), reference));
  EXPECT_TRUE(torch::equal(logits_of(model, ids), reference));

  model->train();
  const auto first = logits_of(model, ids);
  const auto second = logits_of(model, ids);
  EXPECT_GT((first - reference).abs().max().item<double>(), 1e-4);
  EXPECT_GT((first - second).abs().max().item<double>(), 1e-4);
}

// Recomputing a layer in backward must replay its dropout masks, and reach the adapters
// although the frozen embedding's output needs no gradient.
TEST(Lora, ActivationCheckpointingGivesTheSameGradients) {
  const auto ids = sample_ids();
  std::vector<std::map<std::string, torch::Tensor>> grads;
  std::vector<double> losses;
  for (bool checkpointing : {false, true}) {
    auto model = base_model();
    LoraOptions o = options();
    o.dropout = 0.3;
    apply_lora(model, o, 5);
    randomize_b(model, 9);
    model->train();
    model->set_activation_checkpointing(checkpointing);
    torch::manual_seed(77);
    auto loss = model->forward(ids).logsumexp(-1).mean();
    loss.backward();
    losses.push_back(loss.item<double>());
    std::map<std::string, torch::Tensor> g;
    for (auto& item : model->named_parameters())
      if (item.value().requires_grad()) {
        ASSERT_TRUE(item.value().grad().defined()) << item.key() << (checkpointing ? " (checkpointed)" : "");
        g[item.key()] = item.value().grad().clone();
      }
    grads.push_back(g);
  }
  EXPECT_EQ(losses[0], losses[1]);
  ASSERT_EQ(grads[0].size(), grads[1].size());
  for (auto& [name, g] : grads[0]) {
    EXPECT_LT((g - grads[1][name]).abs().max().item<double>(), 1e-6) << name;
    if (name.find(".lora_A.") != std::string::npos) {
      EXPECT_GT(g.abs().sum().item<double>(), 0) << name;
    }
  }
}

// ---- training checkpoints ----------------------------------------------------------------

namespace {

std::string write_shard(const std::string& path, uint64_t seed, int docs) {
  return gemba::test::write_counting_shard(path, seed, docs, kVocab, kEos);
}

struct LoraRun {
  std::string data;
  LoraOptions lora;
  int64_t steps = 6;

  std::unique_ptr<Trainer> make(const std::string& out_dir) const {
    auto model = base_model(1);
    apply_lora(model, lora, 17);
    auto seqs = std::make_shared<PackedSequences>(data, 16, kEos, 1);
    auto source = std::make_shared<PackedBatchSource>(std::make_shared<MixedSequences>(seqs), 4, 1);
    TrainerOptions o;
    o.steps = steps;
    o.schedule.peak = 1e-2;
    o.schedule.min_lr = 1e-3;
    o.schedule.warmup_steps = 2;
    o.out_dir = out_dir;
    o.progress = false;
    o.peak_flops = 1e11;
    return std::make_unique<Trainer>(model, o, source, causal_lm_loss);
  }
};

std::vector<double> losses_of(const std::vector<StepMetrics>& m) {
  std::vector<double> out;
  for (auto& s : m) out.push_back(s.loss);
  return out;
}

}  // namespace

TEST(LoraTraining, CheckpointResumesExactly) {
  torch::set_num_threads(1);
  const std::string dir = temp_dir("resume");
  LoraRun run;
  run.data = write_shard(dir + "/train.tok", 42, 200);
  run.lora = options(4, {"q", "v", "up"});
  run.lora.dropout = 0.1;  // the RNG state must come back too

  // The uninterrupted run (no out_dir: nothing written).
  auto full_trainer = run.make("");
  auto full = losses_of(full_trainer->run());
  ASSERT_EQ(full.size(), 6u);
  EXPECT_LT(full.back(), full.front());  // the adapters learn

  auto first = losses_of(run.make(dir + "/split")->run(/*stop_at=*/3));
  ASSERT_EQ(first.size(), 3u);
  const std::string ckpt = dir + "/split/checkpoint";
  ASSERT_TRUE(fs::exists(ckpt + "/" + kLoraStateFile));
  auto weights = gemba::format::SafetensorsFile::open(ckpt + "/model.safetensors");
  EXPECT_TRUE(weights.find("model.layers.1.mlp.up_proj.lora_B.weight"));
  EXPECT_TRUE(weights.find("model.layers.1.mlp.up_proj.weight"));

  auto resumed = run.make("");
  torch::manual_seed(999);  // the RNG state must come from the checkpoint
  resumed->resume(ckpt);
  ASSERT_EQ(resumed->step(), 3);
  auto rest = losses_of(resumed->run());
  ASSERT_EQ(rest.size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(first[i], full[i]) << "step " << i + 1;
    EXPECT_EQ(rest[i], full[3 + i]) << "step " << 4 + i;
  }
  // The resumed adapters equal the uninterrupted run's.
  auto a = full_trainer->model()->named_parameters(), b = resumed->model()->named_parameters();
  for (auto& item : a) EXPECT_TRUE(torch::equal(item.value(), b[item.key()])) << item.key();

  // A checkpoint is resumed only as what it was trained as.
  LoraRun plain = run;
  plain.lora = LoraOptions{};
  EXPECT_NE(error_of([&] { plain.make("")->resume(ckpt); }).find("LoRA"), std::string::npos);
  LoraRun other_alpha = run;
  other_alpha.lora.alpha = 32;
  EXPECT_THROW(other_alpha.make("")->resume(ckpt), gemba::Error);
  // Nor does a LoRA checkpoint pass for a plain HF model.
  EXPECT_NE(error_of([&] { load_hf_model(ckpt, torch::kCPU); }).find("LoRA"), std::string::npos);
  fs::remove_all(dir);
}

