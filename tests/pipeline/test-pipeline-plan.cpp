// Recipe parsing, settings → flags, stage planning (incl. ablations), report rendering.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <stdexcept>

#include "core/atomic-output.h"
#include "core/error.h"
#include "pipeline/recipe.h"
#include "pipeline/report.h"
#include "pipeline/stage-plan.h"

namespace fs = std::filesystem;
using namespace gemba::pipeline;

namespace {

struct TempDir {
  fs::path path;
  TempDir() : path(fs::temp_directory_path() / ("gemba-pipeline-" + std::to_string(::getpid()))) {
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~TempDir() { fs::remove_all(path); }
  std::string file(const std::string& name, const std::string& text) const {
    gemba::write_file_atomic((path / name).string(), text);
    return (path / name).string();
  }
};

std::string recipe_text(const TempDir& d) {
  d.file("m.md", "# manual\n");
  d.file("faq.jsonl", "{}\n");
  d.file("g.txt", "text\n");
  d.file("t.jsonl", "{}\n");
  return "name: mini\nthreads: 2\ninputs:\n  manuals: [" + (d.path / "m.md").string() + "]\n  faq: " + (d.path / "faq.jsonl").string() +
         "\n  general: " + (d.path / "g.txt").string() + "\n  test: " + (d.path / "t.jsonl").string() +
         "\nstages:\n  prepare: {vocab_size: 300}\n  base: {config: tiny, steps: 5, lr: 0.001}\n  cpt: {steps: 3, replay: 0.25}\n"
         "  sft: {steps: 2}\n  pairs: {per_question: 1}\n  dpo: {steps: 2, beta: 0.1}\n  eval: {}\n  export: {types: [q8_0]}\n"
         "  bench: {p: 8, n: 4}\n"
         "ablations:\n  - {name: no-dpo, skip: [dpo]}\n  - {name: random-negatives, stages: {pairs: {random: true}}}\n";
}

bool contains(const std::vector<std::string>& v, const std::string& x) { return std::find(v.begin(), v.end(), x) != v.end(); }

}  // namespace

TEST(Recipe, SettingsBecomeFlags) {
  gemba::Json s = {{"lr", 0.0003}, {"lora_rank", 8}, {"use_cache", true}, {"off", false}, {"tag", {"a", "b"}}, {"config", "demo"}, {"p", 512}};
  auto flags = settings_to_flags(s, {"config"});
  EXPECT_EQ(flags, (std::vector<std::string>{"--lora-rank", "8", "--lr", "0.0003", "-p", "512", "--tag", "a", "--tag", "b", "--use-cache"}));
}

TEST(Recipe, ErrorsNameFileAndKey) {
  TempDir d;
  auto bad = d.file("bad.yaml", "name: x\nstages: {}\ninputs: {faq: a}\n");
  try {
    load_recipe(bad);
    FAIL();
  } catch (const gemba::Error& e) {
    EXPECT_NE(std::string(e.what()).find("inputs.manuals"), std::string::npos) << e.what();
  }
  auto broken = d.file("broken.yaml", "name: [unclosed\n");
  EXPECT_THROW(load_recipe(broken), gemba::Error);
}

TEST(StagePlan, WiresStagesInOrderWithAblations) {
  TempDir d;
  Recipe r = load_recipe(d.file("r.yaml", recipe_text(d)));
  auto stages = plan_stages(r, "runs/mini");
  std::vector<std::string> names;
  for (auto& s : stages) names.push_back(s.name);
  std::vector<std::string> main_order = {"prepare", "prepare-general", "base", "eval-base", "cpt", "eval-cpt", "sft", "eval-sft",
                                         "pairs", "dpo", "eval-dpo", "export-q8_0", "eval-q8_0", "bench-q8_0"};
  ASSERT_GE(names.size(), main_order.size());
  EXPECT_EQ(std::vector<std::string>(names.begin(), names.begin() + main_order.size()), main_order);
  // The no-dpo ablation reuses everything up to SFT and exports the SFT model.
  auto it = std::find_if(stages.begin(), stages.end(), [](auto& s) { return s.name == "no-dpo/export-q8_0"; });
  ASSERT_NE(it, stages.end());
  EXPECT_TRUE(contains(it->argv, "runs/mini/sft"));
  EXPECT_FALSE(contains(names, "no-dpo/sft"));
  // The random-negatives ablation re-mines pairs with --random and trains its own DPO on the main SFT.
  auto pairs = std::find_if(stages.begin(), stages.end(), [](auto& s) { return s.name == "random-negatives/pairs"; });
  ASSERT_NE(pairs, stages.end());
  EXPECT_TRUE(contains(pairs->argv, "--random"));
  auto dpo = std::find_if(stages.begin(), stages.end(), [](auto& s) { return s.name == "random-negatives/dpo"; });
  ASSERT_NE(dpo, stages.end());
  EXPECT_TRUE(contains(dpo->argv, "runs/mini/sft"));
  // Pass-through settings and wiring.
  auto cpt = std::find_if(stages.begin(), stages.end(), [](auto& s) { return s.name == "cpt"; });
  EXPECT_TRUE(contains(cpt->argv, "--replay"));
  EXPECT_TRUE(contains(cpt->argv, "runs/mini/prepare-general/train.tok:0.25"));
  EXPECT_TRUE(contains(cpt->argv, "--steps"));
  EXPECT_TRUE(cpt->resumable);
}

// ranks: N runs each training stage as N data-parallel processes sharing the recipe's threads;
// the other stages keep all the threads.
TEST(StagePlan, RanksSplitTheTrainingStagesThreads) {
  TempDir d;
  std::string text = recipe_text(d);
  text.replace(text.find("threads: 2\n"), 11, "threads: 4\nranks: 2\n");
  auto stages = plan_stages(load_recipe(d.file("r.yaml", text)), "runs/mini");
  auto flag_value = [&](const std::string& stage, const std::string& flag) -> std::string {
    auto it = std::find_if(stages.begin(), stages.end(), [&](auto& s) { return s.name == stage; });
    if (it == stages.end()) return "(no stage)";
    auto f = std::find(it->argv.begin(), it->argv.end(), flag);
    return f == it->argv.end() || f + 1 == it->argv.end() ? "(none)" : *(f + 1);
  };
  for (const char* training : {"base", "cpt", "sft", "dpo"}) {
    EXPECT_EQ(flag_value(training, "--nproc"), "2") << training;
    EXPECT_EQ(flag_value(training, "--threads"), "2") << training;
  }
  EXPECT_EQ(flag_value("eval-sft", "--nproc"), "(none)");
  EXPECT_EQ(flag_value("eval-sft", "--threads"), "4");
  EXPECT_EQ(flag_value("bench-q8_0", "--threads"), "4");
  text.replace(text.find("ranks: 2\n"), 9, "ranks: 0\n");
  EXPECT_THROW(load_recipe(d.file("r.yaml", text)), gemba::Error);
}

// Replaces the recipe's dpo line (and adds `extra` stage lines before it).
std::string with_dpo(const TempDir& d, const std::string& dpo_line, const std::string& extra = "") {
  std::string text = recipe_text(d);
  const std::string old = "  dpo: {steps: 2, beta: 0.1}\n";
  return text.replace(text.find(old), old.size(), extra + dpo_line + "\n");
}

std::string plan_error(const TempDir& d, const std::string& text) {
  try {
    plan_stages(load_recipe(d.file("r.yaml", text)), "runs/mini");
  } catch (const gemba::Error& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(StagePlan, DpoTrainsOnTheChosenPairSources) {
  TempDir d;
  Recipe r = load_recipe(d.file("r.yaml", with_dpo(d, "  dpo: {steps: 2, pairs: [mistakes, faq]}", "  mistakes: {max_prompts: 50}\n")));
  auto stages = plan_stages(r, "runs/mini");
  auto index = [&](const std::string& name) {
    auto it = std::find_if(stages.begin(), stages.end(), [&](auto& s) { return s.name == name; });
    EXPECT_NE(it, stages.end()) << name;
    return it - stages.begin();
  };
  // The SFT model answers its own training data; its wrong answers become the rejected ones.
  EXPECT_LT(index("eval-sft"), index("mistakes"));
  EXPECT_LT(index("mistakes"), index("dpo"));
  const Stage& mistakes = stages[index("mistakes")];
  EXPECT_EQ(std::vector<std::string>(mistakes.argv.begin(), mistakes.argv.begin() + 3), (std::vector<std::string>{"mistakes", "-m", "runs/mini/sft"}));
  EXPECT_TRUE(contains(mistakes.argv, "runs/mini/prepare/faq-train.jsonl"));
  EXPECT_TRUE(contains(mistakes.argv, "--max-prompts"));
  EXPECT_TRUE(contains(mistakes.inputs, "runs/mini/sft"));
  const Stage& dpo = stages[index("dpo")];
  auto pairs_flag = std::find(dpo.argv.begin(), dpo.argv.end(), "--pairs");
  ASSERT_NE(pairs_flag, dpo.argv.end());
  EXPECT_EQ(*(pairs_flag + 1), "runs/mini/mistakes/pairs.jsonl,runs/mini/pairs/pairs.jsonl");
  EXPECT_EQ(std::count(dpo.argv.begin(), dpo.argv.end(), "--pairs"), 1) << "the 'pairs' setting is not a dpo flag";
  EXPECT_TRUE(contains(dpo.inputs, "runs/mini/mistakes/pairs.jsonl"));

  // Without the key: the FAQ pairs alone here (no recall statements), and no mistakes stage.
  auto plain = plan_stages(load_recipe(d.file("r.yaml", recipe_text(d))), "runs/mini");
  EXPECT_FALSE(std::any_of(plain.begin(), plain.end(), [](auto& s) { return s.name == "mistakes"; }));

  EXPECT_NE(plan_error(d, with_dpo(d, "  dpo: {pairs: [mistakes]}")).find("stages.mistakes"), std::string::npos);
  EXPECT_NE(plan_error(d, with_dpo(d, "  dpo: {pairs: [recall]}")).find("answer: recall"), std::string::npos);
  EXPECT_NE(plan_error(d, with_dpo(d, "  dpo: {pairs: [random]}")).find("\"random\" is not one of"), std::string::npos);
  EXPECT_NE(plan_error(d, with_dpo(d, "  dpo: {pairs: faq}")).find("stages.dpo.pairs"), std::string::npos);
}

TEST(StagePlan, RecallEvalsGradeWordedValuesFromTheStatementsContrasts) {
  TempDir d;
  auto plan = [&](const std::string& eval_line) {
    std::string text = with_dpo(d, "  dpo: {steps: 2}", "  statements: {answer: recall}\n");
    text.replace(text.find("  eval: {}\n"), 11, eval_line);
    return plan_stages(load_recipe(d.file("r.yaml", text)), "runs/mini");
  };
  auto find = [](const std::vector<Stage>& stages, const std::string& name) {
    auto it = std::find_if(stages.begin(), stages.end(), [&](auto& s) { return s.name == name; });
    if (it == stages.end()) throw std::runtime_error("no stage " + name);  // fails the test, never reads past the end
    return *it;
  };
  const std::string file = "runs/mini/statements/contrasts.jsonl";
  auto recall = plan("  eval: {mode: recall}\n");
  const Stage statements = find(recall, "statements");
  auto out = std::find(statements.argv.begin(), statements.argv.end(), "--contrasts-output");
  ASSERT_NE(out, statements.argv.end());
  EXPECT_EQ(*(out + 1), file);
  for (const std::string name : {"eval-sft", "eval-dpo", "eval-q8_0"}) {
    const Stage eval = find(recall, name);
    auto flag = std::find(eval.argv.begin(), eval.argv.end(), "--claim-contrasts");
    ASSERT_NE(flag, eval.argv.end()) << name;
    EXPECT_EQ(*(flag + 1), file);
    EXPECT_TRUE(contains(eval.inputs, file)) << name << ": a changed file must rerun the eval";
  }
  // loglik evals score answer tokens: no recalled sentence to compare.
  auto loglik = plan("  eval: {}\n");
  EXPECT_FALSE(contains(find(loglik, "eval-sft").argv, "--claim-contrasts"));
}

TEST(StagePlan, EachFurtherTestSetGetsItsOwnEvalsAndReportTable) {
  TempDir d;
  std::string text = recipe_text(d);
  const std::string main_test = (d.path / "t.jsonl").string(), other = d.file("other words.jsonl", "{}\n");
  text.replace(text.find("test: " + main_test), 6 + main_test.size(), "test: [" + main_test + ", '" + other + "']");
  const std::string run = (d.path / "runs/mini").string();
  auto stages = plan_stages(load_recipe(d.file("r.yaml", text)), run);
  auto find = [&](const std::string& name) -> const Stage* {
    for (const auto& s : stages)
      if (s.name == name) return &s;
    return nullptr;
  };
  const Stage* main_eval = find("eval-sft");
  const Stage* other_eval = find("eval-sft-other-words");
  ASSERT_NE(main_eval, nullptr);
  ASSERT_NE(other_eval, nullptr);
  EXPECT_TRUE(main_eval->test.empty());
  EXPECT_EQ(other_eval->test, "other-words");  // the file stem, as a stage name
  EXPECT_TRUE(contains(main_eval->argv, main_test));
  EXPECT_FALSE(contains(main_eval->argv, other));
  EXPECT_TRUE(contains(other_eval->argv, other));
  EXPECT_EQ(other_eval->output, run + "/eval-sft-other-words");
  EXPECT_NE(find("eval-q8_0-other-words"), nullptr) << "exported files are scored on every test set";
  // Non-ASCII file names stay readable; an empty list is an error.
  std::string japanese = text;
  const std::string japanese_file = d.file("テスト.jsonl", "{}\n");
  japanese.replace(japanese.find(other), other.size(), japanese_file);
  auto japanese_stages = plan_stages(load_recipe(d.file("r.yaml", japanese)), run);
  EXPECT_TRUE(std::any_of(japanese_stages.begin(), japanese_stages.end(), [](auto& s) { return s.name == "eval-sft-テスト"; }));
  std::string none = text;
  none.replace(none.find("test: ["), std::string("test: [" + main_test + ", '" + other + "']").size(), "test: []");
  EXPECT_NE(plan_error(d, none).find("inputs.test is an empty list"), std::string::npos) << plan_error(d, none);
  d.file("r.yaml", text);

  // The report: the main test's columns as before, the other test in a table of its own.
  auto eval_report = [](double accuracy) {
    return gemba::Json{{"rows", {{{"group", "all"}, {"accuracy", accuracy}, {"ci95", {accuracy - 0.05, accuracy + 0.05}}, {"n", 12}}}}};
  };
  fs::create_directories(main_eval->output);
  fs::create_directories(other_eval->output);
  gemba::write_json_file(main_eval->output + "/report.json", eval_report(0.75));
  gemba::write_json_file(other_eval->output + "/report.json", eval_report(0.5));
  const std::string table = write_report(load_recipe(d.file("r.yaml", text)), stages, run);
  EXPECT_NE(table.find("| sft | 75.0% [70.0, 80.0] |"), std::string::npos) << table;
  EXPECT_NE(table.find("| sft | other-words | 50.0% [45.0, 55.0] |"), std::string::npos) << table;
  auto report = gemba::read_json_file(run + "/report.json");
  bool found = false;
  for (const auto& row : report["rows"])
    if (row["model"] == "sft") found = row["other_tests"]["other-words"]["all"]["accuracy"] == 0.5;
  EXPECT_TRUE(found) << report.dump();
}

TEST(StagePlan, MissingInputIsAnError) {
  TempDir d;
  std::string text = recipe_text(d);
  fs::remove(d.path / "g.txt");
  Recipe r = load_recipe(d.file("r.yaml", text));
  EXPECT_THROW(plan_stages(r, "runs/mini"), gemba::Error);
}

TEST(Report, SvgHasOnePolylinePerSeries) {
  auto svg = loss_curves_svg({{"base", {{1, 5.0}, {2, 4.0}}}, {"sft", {{1, 3.0}, {2, 2.5}}}});
  size_t count = 0;
  for (size_t pos = 0; (pos = svg.find("<polyline", pos)) != std::string::npos; ++pos) ++count;
  EXPECT_EQ(count, 2u);
  EXPECT_NE(svg.find(">sft<"), std::string::npos);
}
