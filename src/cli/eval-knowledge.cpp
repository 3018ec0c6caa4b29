// gemba eval knowledge: how often the LM prefers a manual sentence over the same sentence with
// another product's value (src/eval/knowledge-probe.h).
#include <cstdio>
#include <memory>

#include "cli/verb.h"
#include "core/atomic-output.h"
#include "engine/model-bundle.h"
#include "eval/knowledge-probe.h"

namespace {

gemba::cli::VerbRegistration eval_knowledge_registration{
    "eval knowledge",
    "Knowledge probe: does the LM prefer true manual sentences over value-swapped ones (pairs from data statements)",
    [](CLI::App& app) {
      struct Flags {
        std::string model, pairs, output;
        size_t limit = 1000;
        int threads = 0;
        bool json = false;
      };
      auto f = std::make_shared<Flags>();
      app.add_option("-m,--model", f->model, "GGUF file or HF model directory")->required();
      app.add_option("--pairs", f->pairs, "JSONL {true, false, source} (gemba data statements --pairs-output)")
          ->required()
          ->check(CLI::ExistingFile);
      app.add_option("--limit", f->limit, "score the first N pairs (0: all)")->capture_default_str();
      app.add_option("-o,--output", f->output, "also write the result as JSON to this file");
      app.add_option("-t,--threads", f->threads, "threads (0: all)");
      app.add_flag("--json", f->json, "print one JSON object");
      return [f] {
        auto bundle = gemba::engine::load_model_bundle(f->model, f->threads);
        auto r = gemba::eval::probe_knowledge_file(bundle, f->pairs, f->limit);
        gemba::Json j = r.to_json();
        j["model"] = f->model;
        j["pairs"] = f->pairs;
        if (!f->output.empty()) gemba::write_file_atomic(f->output, j.dump(2) + "\n");
        if (f->json)
          std::printf("%s\n", j.dump().c_str());
        else
          std::printf("%s\n", r.summary().c_str());
        return 0;
      };
    }};

}  // namespace
