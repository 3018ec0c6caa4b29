// gemba pipeline RECIPE.yaml: the whole method, stage by stage, resumable.
#include <unistd.h>

#include <climits>
#include <cstdio>
#include <memory>

#include "cli/verb.h"
#include "pipeline/pipeline-runner.h"
#include "pipeline/recipe.h"
#include "core/atomic-output.h"
#include "core/error.h"

namespace {

std::string this_binary() {
  char buf[PATH_MAX];
  ssize_t n = ::readlink("/proc/self/exe", buf, sizeof buf - 1);
  return n > 0 ? std::string(buf, static_cast<size_t>(n)) : "gemba";
}

gemba::cli::VerbRegistration pipeline_registration{
    "pipeline", "Run a recipe: prepare, pretrain/CPT, SFT, pairs, DPO, eval, export, bench; writes runs/NAME/report.md",
    [](CLI::App& app) {
      auto recipe = std::make_shared<std::string>();
      auto options = std::make_shared<gemba::pipeline::RunOptions>();
      app.add_option("recipe", *recipe, "Recipe YAML (see recipes/; gemba pipeline init writes one for your manuals)")
          ->check(CLI::ExistingFile);
      app.add_option("--runs-dir", options->runs_dir, "Where runs/NAME goes")->capture_default_str();
      app.add_option("--force", options->force, "Rerun these stages even if unchanged");
      app.add_option("--until", options->until, "Stop after this stage");
      app.add_flag("--dry-run", options->dry_run, "Print the planned commands only");
      return [recipe, options] {
        if (recipe->empty()) gemba::fail("give a recipe: gemba pipeline RECIPE.yaml (gemba pipeline init writes one for your manuals)");
        options->gemba_binary = this_binary();
        auto r = gemba::pipeline::load_recipe(*recipe);
        int rc = gemba::pipeline::run_pipeline(r, *options);
        if (!options->dry_run) {
          std::printf("%s", gemba::read_file(options->runs_dir + "/" + r.name + "/report.md").c_str());
        }
        return rc;
      };
    }};

}  // namespace
