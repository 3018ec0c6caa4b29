// runs/NAME/report.md + report.json + loss-curves.svg: one row per model (each training
// stage, each exported file, each ablation's final model) with test accuracy and interval
// (all / faq / manual), validation perplexity, training tokens/s, wall time, model size,
// and engine decode tok/s and peak RSS for exported files.
#pragma once
#include <string>
#include <vector>

#include "core/json.h"
#include "pipeline/recipe.h"
#include "pipeline/stage-plan.h"

namespace gemba::pipeline {

// Builds the report from the stage outputs that exist; returns the Markdown table.
std::string write_report(const Recipe& recipe, const std::vector<Stage>& stages, const std::string& run_dir);

// Renders loss curves (one polyline per named series of (step, loss)) as a small SVG.
std::string loss_curves_svg(const std::vector<std::pair<std::string, std::vector<std::pair<double, double>>>>& series);

}  // namespace gemba::pipeline
