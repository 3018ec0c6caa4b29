// Turns a recipe into the ordered list of stages, each a `gemba` verb invocation:
//   prepare (ingest + normalize + dedupe + split + tokenizer + shards) → prepare-general
//   (the general text, for the base model) → base (pretrain, unless a base model is given)
//   → cpt → sft → pairs / mistakes (DPO pairs) → dpo → eval-<model> after every model stage → export-<type>
//   → eval-<type> of the exported file → bench-<type>. With several test sets (inputs.test a list),
//   the first is the main one (eval-<model>) and each other one adds eval-<model>-<its file stem>.
// Ablations re-plan from the first stage they change, in runs/NAME/ablations/<ablation>/,
// and reuse the main run's outputs for every stage before it.
#pragma once
#include <string>
#include <vector>

#include "pipeline/recipe.h"

namespace gemba::pipeline {

struct Stage {
  std::string name;                 // "sft", "eval-sft", "export-q4_0", "no-dpo/eval-sft"
  std::string kind;                 // prepare | train | pairs | eval | export | bench
  std::vector<std::string> argv;    // verb and arguments, without the binary
  std::vector<std::string> inputs;  // paths whose contents decide whether to rerun
  std::string output;               // what the stage produces (file or directory)
  std::string model{};              // eval/export/bench: the model measured; train: the model made
  std::string variant{};            // "" for the main run, else the ablation's name
  std::string test{};               // eval: "" for the main test (inputs.test's first), else the other test's name
  bool resumable = false;           // a training stage that can continue from its checkpoint
  bool stdout_is_output = false;    // the verb prints its result (bench --json): save stdout as output
};

std::vector<Stage> plan_stages(const Recipe& recipe, const std::string& run_dir);

// Resolves a recipe input path (relative to the current directory).
std::vector<std::string> input_paths(const Recipe& recipe, const std::string& key);

}  // namespace gemba::pipeline
