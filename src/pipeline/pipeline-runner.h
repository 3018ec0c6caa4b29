// Runs the planned stages in order as child `gemba` processes, each logging to
// runs/NAME/logs/<stage>.log, recording everything in the run manifest, skipping stages
// whose inputs did not change, and resuming an interrupted training stage.
#pragma once
#include <string>
#include <vector>

#include "pipeline/recipe.h"
#include "pipeline/stage-plan.h"

namespace gemba::pipeline {

struct RunOptions {
  std::string gemba_binary;          // the binary to run stages with (normally this one)
  std::string runs_dir = "runs";     // the run goes to runs_dir/<recipe name>
  std::vector<std::string> force;    // stages to rerun even if unchanged
  std::string until;                 // stop after this stage ("" = all)
  bool dry_run = false;              // print the plan only
};

// Returns 0 when every stage succeeded; writes report.md/report.json either way.
int run_pipeline(const Recipe& recipe, const RunOptions& options);

}  // namespace gemba::pipeline
