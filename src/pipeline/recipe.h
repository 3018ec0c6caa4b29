// A pipeline recipe (YAML): where the data is, and each stage's settings.
//
//   name: fa-sample
//   inputs:  {manuals: [DIR...], faq: [FILE...], general: [FILE...], test: FILE}
//   threads: 2
//   ranks: 2      # training stages as 2 data-parallel processes, threads/ranks threads each
//   stages:
//     prepare: {vocab_size: 4000, tokenizer_type: unigram}
//     base:    {config: demo, steps: 300, ...}    # or {model: HF_DIR} to start from a given base
//     cpt / sft / pairs / dpo / eval / export / bench: {...}
//   ablations: [{name: no-dpo, skip: [dpo]}, {name: random-negatives, stages: {pairs: {random: true}}}]
//
// Stage settings that the pipeline does not wire itself are passed through to the stage's
// verb as flags: `lr: 3e-4` becomes `--lr 3e-4`, `lora_rank: 8` becomes `--lora-rank 8`,
// a one-letter key `p: 512` becomes `-p 512`, `true` becomes a bare flag, a list repeats the flag. So every verb option is a recipe key.
#pragma once
#include <string>
#include <vector>

#include "core/json.h"

namespace gemba::pipeline {

struct Recipe {
  std::string name;
  std::string path;      // the YAML file
  std::string base_dir;  // relative input paths are resolved against the repository root / cwd
  Json inputs;           // {manuals: [...], faq: [...], general: [...], test: "..."}
  Json stages;           // {stage_name: {settings}}; a stage absent here is skipped
  Json ablations;        // [{name, skip: [...], stages: {...}}]
  int threads = 0;       // 0: all cores
  int ranks = 1;         // data-parallel processes per training stage (`--nproc`); they share `threads`

  bool has_stage(const std::string& stage) const;
  Json stage_settings(const std::string& stage) const;  // {} if absent
};

// Loads and validates a recipe; errors name the file and the key.
Recipe load_recipe(const std::string& path);

// Converts a YAML document to JSON (scalars typed: int, float, bool, null, string).
Json yaml_file_to_json(const std::string& path);

// "--key value" flags for the settings not in `wired` (keys the pipeline sets itself).
std::vector<std::string> settings_to_flags(const Json& settings, const std::vector<std::string>& wired);

}  // namespace gemba::pipeline
