// The whole pipeline on a miniature recipe (tiny model, a few steps, English subset of the
// sample domain): every stage's outputs and the report; a rerun skips unchanged stages; a
// failed stage, once fixed, reruns without redoing the stages before it.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <algorithm>

#include "support/run-shell.h"
#include "core/atomic-output.h"
#include "core/json.h"

namespace fs = std::filesystem;

namespace {

using CommandResult = gemba::test::ShellResult;

CommandResult run_command(const std::string& command) { return gemba::test::run_shell(command + " 2>&1"); }

// True if a line of the pipeline's log says stage `name` ran (rather than was skipped).
bool stage_ran(const std::string& log, const std::string& name) {
  size_t pos = 0;
  while ((pos = log.find("[pipeline] " + name + " ", pos)) != std::string::npos) {
    size_t end = log.find('\n', pos);
    if (log.substr(pos, end - pos).find("running:") != std::string::npos) return true;
    pos = end;
  }
  return false;
}

bool binary_has_trainer() { return run_command(std::string(GEMBA_BINARY) + " pretrain --help").code == 0; }

// The first `n` lines of `from` whose text contains `must_contain` (or all lines).
void copy_lines(const fs::path& from, const fs::path& to, size_t n, const std::string& must_contain = "") {
  std::ifstream in(from);
  std::string out, line;
  for (size_t kept = 0; kept < n && std::getline(in, line);)
    if (must_contain.empty() || line.find(must_contain) != std::string::npos) out += line + "\n", ++kept;
  gemba::write_file_atomic(to.string(), out);
}

class PipelineE2E : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!binary_has_trainer()) GTEST_SKIP() << "gemba was built without the trainer (GEMBA_TRAIN=OFF)";
    dir_ = fs::temp_directory_path() / ("gemba-e2e-pipeline-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "manuals");
    const fs::path sample = fs::path(GEMBA_SOURCE_DIR) / "examples/fa-sample";
    // Two products of one family: the statement miner needs the same sentences about both.
    for (const char* name : {"zcp-110.md", "zcp-140.md", "zcp-110-quick.md", "zcp-140-quick.md"})
      fs::copy_file(sample / "manuals/en" / name, dir_ / "manuals" / name);
    copy_lines(sample / "faq.jsonl", dir_ / "faq.jsonl", 40, "\"lang\":\"en\"");
    copy_lines(sample / "general.txt", dir_ / "general.txt", 300);
    copy_lines(sample / "truefalse.jsonl", dir_ / "test.jsonl", 12, "\"lang\":\"en\"");
  }
  void TearDown() override {
    if (!dir_.empty()) fs::remove_all(dir_);
  }

  std::string recipe(const std::string& cpt_extra) const {
    std::string d = dir_.string();
    std::string text = "name: mini\nthreads: 2\nranks: 2\ninputs:\n  manuals: [" + d + "/manuals]\n  faq: [" + d + "/faq.jsonl]\n  general: [" + d +
                       "/general.txt]\n  test: " + d + "/test.jsonl\nstages:\n"
                       "  prepare: {vocab_size: 400, seed: 1}\n"
                       "  base: {config: tiny, steps: 4, batch: 2, seq_len: 32, lr: 0.001, seed: 1}\n"
                       "  cpt: {steps: 3, batch: 2, seq_len: 64, lr: 0.0005, replay: 0.2, mix_sft: 0.3, seed: 1" + cpt_extra + "}\n"
                       "  statements: {entity_pattern: 'Z[A-Z]{2}-[A-Z0-9]{2,3}', seed: 1, answer: recall}\n"
                       "  sft: {steps: 3, batch: 2, seq_len: 64, lr: 0.001, seed: 1}\n"
                       "  pairs: {min_similarity: 0.0}\n"
                       "  mistakes: {max_prompts: 8, max_answer_tokens: 24, seed: 1}\n"
                       "  dpo: {steps: 2, batch: 2, seq_len: 64, lr: 0.0001, seed: 1, pairs: [faq, recall, mistakes]}\n"
                       "  eval: {mode: recall, max_answer_tokens: 24}\n"
                       "  export: {types: [q8_0]}\n"
                       "  bench: {p: 8, n: 4, r: 1}\n"
                       "ablations:\n"
                       "  - {name: lora, stages: {sft: {lora_rank: 4}}}\n";
    std::string path = (dir_ / "mini.yaml").string();
    gemba::write_file_atomic(path, text);
    return path;
  }
  CommandResult pipeline(const std::string& recipe_path) const {
    return run_command(std::string(GEMBA_BINARY) + " pipeline " + recipe_path + " --runs-dir " + (dir_ / "runs").string());
  }

  fs::path dir_;
};

}  // namespace

TEST_F(PipelineE2E, RunsEveryStageWritesTheReportAndSkipsWhatDidNotChange) {
  auto first = pipeline(recipe(""));
  ASSERT_EQ(first.code, 0) << first.out;
  const fs::path run = dir_ / "runs/mini";
  for (const char* p : {"prepare/train.tok", "prepare/tokenizer", "prepare-general/train.tok", "base/config.json",
                        "base/model.safetensors", "base/metrics.jsonl", "cpt/model.safetensors", "eval-base/report.json",
                        "statements/statements.jsonl", "statements/knowledge-pairs.jsonl", "statements/recall-pairs.jsonl", "statements/contrasts.jsonl", "sft/model.safetensors", "eval-sft/report.json", "pairs/pairs.jsonl", "mistakes/pairs.jsonl",
                        "dpo/model.safetensors", "dpo/reference-logps.json", "eval-dpo/report.json",
                        "ablations/lora/sft/adapter_config.json", "ablations/lora/sft/adapter_model.safetensors",
                        "ablations/lora/sft/adapter.gguf", "ablations/lora/sft/model.safetensors", "ablations/lora/dpo/model.safetensors",
                        "eval-cpt/items.jsonl", "export/model-q8_0.gguf", "eval-q8_0/report.json", "bench/q8_0.jsonl",
                        "report.md", "report.json", "manifest.json", "loss-curves.svg"})
    EXPECT_TRUE(fs::exists(run / p)) << p;

  auto report = gemba::read_json_file((run / "report.json").string());
  std::vector<std::string> models;
  for (const auto& row : report["rows"]) models.push_back(row["model"].get<std::string>());
  ASSERT_GE(models.size(), 5u);
  EXPECT_EQ(std::vector<std::string>(models.begin(), models.begin() + 5),
            (std::vector<std::string>{"base", "cpt", "sft", "dpo", "export-q8_0"}));
  EXPECT_NE(std::find(models.begin(), models.end(), "lora/sft"), models.end()) << "the LoRA ablation has rows";
  const auto& cpt_row = report["rows"][1];
  EXPECT_EQ(cpt_row["accuracy"]["all"]["n"].get<int>(), 12);
  // Recall mode also scores strictly: the right verdict with the reference answer's values.
  ASSERT_TRUE(cpt_row["accuracy"].contains("strict")) << cpt_row["accuracy"].dump();
  EXPECT_EQ(cpt_row["accuracy"]["strict"]["n"].get<int>(), 12);
  EXPECT_LE(cpt_row["accuracy"]["strict"]["correct"].get<int>(), cpt_row["accuracy"]["all"]["correct"].get<int>());
  EXPECT_NE(first.out.find("| strict |"), std::string::npos) << "the table has the strict column";
  // ... and compares the values the manuals write as words, from the statements stage's contrasts.
  auto eval_cpt = gemba::read_json_file((run / "eval-cpt/report.json").string());
  ASSERT_TRUE(eval_cpt["claim_contrasts"].is_object()) << eval_cpt.dump();
  EXPECT_NE(eval_cpt["claim_contrasts"]["file"].get<std::string>().find("statements/contrasts.jsonl"), std::string::npos);
  EXPECT_TRUE(cpt_row["val_ppl"].is_number());
  // Every eval also ran the knowledge probe on the mined (true, value-swapped) sentence pairs.
  ASSERT_TRUE(cpt_row["knowledge"].is_object()) << cpt_row.dump();
  EXPECT_GT(cpt_row["knowledge"]["n"].get<int>(), 0);
  EXPECT_NE(first.out.find("knows facts"), std::string::npos) << "the table has the probe's column";
  EXPECT_GT(report["rows"][4]["decode_tokens_per_s"].get<double>(), 0.0);
  auto manifest = gemba::read_json_file((run / "manifest.json").string());
  for (const auto& [name, stage] : manifest["stages"].items()) EXPECT_EQ(stage["status"], "done") << name;
  // Recall answers: the statements are SFT'd as "The manual says: ...", DPO also gets the recall
  // pairs, and every eval graded the recalled sentence.
  EXPECT_NE(gemba::read_file((run / "statements/statements.jsonl").string()).find("The manual says: "), std::string::npos);
  EXPECT_NE(manifest["stages"]["dpo"].dump().find("recall-pairs.jsonl"), std::string::npos) << manifest["stages"]["dpo"].dump();
  // ... and the SFT model's own wrong answers to a sample of its training prompts.
  EXPECT_NE(manifest["stages"]["dpo"].dump().find("mistakes/pairs.jsonl"), std::string::npos) << manifest["stages"]["dpo"].dump();
  EXPECT_NE(manifest["stages"]["mistakes"].dump().find("runs/mini/sft"), std::string::npos) << manifest["stages"]["mistakes"].dump();
  // cpt mix_sft: the FAQ train split and the statements are interleaved into CPT.
  const std::string cpt_stage = manifest["stages"]["cpt"].dump();
  EXPECT_NE(cpt_stage.find("--mix-sft"), std::string::npos) << cpt_stage;
  EXPECT_NE(cpt_stage.find("statements.jsonl:0.3"), std::string::npos) << cpt_stage;
  EXPECT_EQ(gemba::read_json_file((run / "eval-sft/report.json").string())["grader"], "recall");
  EXPECT_NE(first.out.find("| cpt |"), std::string::npos) << "the table is printed";

  // Every stage records the build that made it.
  const std::string build = manifest["stages"]["cpt"]["gemba"].get<std::string>();
  EXPECT_EQ(build.rfind("0.1.0 (", 0), 0u) << build;

  // Nothing changed: every stage is skipped. One output made by another build is pointed out
  // (the key covers command lines and inputs, not gemba's code), and still reused.
  manifest["stages"]["prepare"]["gemba"] = "0.0.9 (an older build)";
  gemba::write_json_file((run / "manifest.json").string(), manifest);
  auto second = pipeline(recipe(""));
  ASSERT_EQ(second.code, 0) << second.out;
  EXPECT_EQ(second.out.find("running:"), std::string::npos) << second.out;
  EXPECT_TRUE(stage_ran(first.out, "cpt"));
  EXPECT_NE(second.out.find("unchanged, skipped"), std::string::npos);
  EXPECT_NE(second.out.find("made by gemba 0.0.9 (an older build), this is " + build + ": --force prepare redoes it"),
            std::string::npos)
      << second.out;
  EXPECT_EQ(second.out.find("made by gemba", second.out.find("made by gemba") + 1), std::string::npos) << "only that stage";
}

TEST_F(PipelineE2E, AFailedStageRerunsAfterTheFixWithoutRedoingEarlierStages) {
  // An unknown flag makes the cpt stage fail; the stages before it succeed.
  auto broken = pipeline(recipe(", no_such_flag: 1"));
  ASSERT_NE(broken.code, 0) << broken.out;
  EXPECT_NE(broken.out.find("cpt"), std::string::npos);
  EXPECT_NE(broken.out.find("FAILED"), std::string::npos);
  auto manifest = gemba::read_json_file((dir_ / "runs/mini/manifest.json").string());
  EXPECT_EQ(manifest["stages"]["base"]["status"], "done");
  EXPECT_EQ(manifest["stages"]["cpt"]["status"], "failed");

  auto fixed = pipeline(recipe(""));
  ASSERT_EQ(fixed.code, 0) << fixed.out;
  EXPECT_FALSE(stage_ran(fixed.out, "prepare")) << fixed.out;
  EXPECT_FALSE(stage_ran(fixed.out, "base")) << fixed.out;
  EXPECT_TRUE(stage_ran(fixed.out, "cpt")) << fixed.out;
  manifest = gemba::read_json_file((dir_ / "runs/mini/manifest.json").string());
  EXPECT_EQ(manifest["stages"]["cpt"]["status"], "done");
}

TEST_F(PipelineE2E, AChangedStageNeverResumesTheCheckpointOfItsOldSettings) {
  ASSERT_EQ(pipeline(recipe("")).code, 0);
  const fs::path checkpoint = dir_ / "runs/mini/cpt/checkpoint";
  ASSERT_TRUE(fs::exists(checkpoint)) << "a finished training stage keeps its final checkpoint";
  // New cpt settings start cpt afresh; it then fails (as a killed run would stop) ...
  auto changed = pipeline(recipe(", no_such_flag: 1"));
  ASSERT_NE(changed.code, 0) << changed.out;
  EXPECT_EQ(changed.out.find("resuming"), std::string::npos) << changed.out;
  EXPECT_FALSE(fs::exists(checkpoint)) << "the old settings' checkpoint is removed at the fresh start";
  // ... and the rerun of the same settings must not pick up the old run's checkpoint.
  auto again = pipeline(recipe(", no_such_flag: 1"));
  EXPECT_EQ(again.out.find("resuming"), std::string::npos) << again.out;
}
