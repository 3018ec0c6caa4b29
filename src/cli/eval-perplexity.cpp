// gemba eval perplexity: exp(mean NLL per token) on held-out text or a token shard.
#include <cstdio>
#include <memory>

#include "cli/verb.h"
#include "core/progress.h"
#include "engine/model-bundle.h"
#include "eval/perplexity.h"

namespace {

gemba::cli::VerbRegistration eval_perplexity_registration{
    "eval perplexity", "Perplexity of a model on a text file or .tok shard", [](CLI::App& app) {
      struct Flags {
        std::string model, data;
        int threads = 0;
        int64_t window = 512;
        uint64_t max_tokens = 200000;
        bool json = false;
      };
      auto f = std::make_shared<Flags>();
      app.add_option("-m,--model", f->model, "GGUF file or HF model directory")->required();
      app.add_option("--data", f->data, "text file or .tok shard")->required()->check(CLI::ExistingFile);
      app.add_option("--window", f->window, "tokens per window")->capture_default_str();
      app.add_option("--max-tokens", f->max_tokens, "score at most this many tokens")->capture_default_str();
      app.add_option("-t,--threads", f->threads, "threads (0: all)");
      app.add_flag("--json", f->json, "print one JSON object");
      return [f] {
        auto bundle = gemba::engine::load_model_bundle(f->model, f->threads);
        auto tokens = gemba::eval::load_eval_tokens(bundle, f->data, f->max_tokens);
        gemba::Progress progress("perplexity", tokens.size(), "tok");
        auto r = gemba::eval::perplexity(bundle, tokens, f->window, [&](uint64_t d, uint64_t) { progress.update(d); });
        progress.finish();
        if (f->json)
          std::printf("%s\n", gemba::Json({{"model", f->model}, {"data", f->data}, {"tokens", r.n_tokens},
                                           {"mean_nll", r.mean_nll}, {"perplexity", r.perplexity()}}).dump().c_str());
        else
          std::printf("perplexity %.4f  (mean NLL %.4f nats over %llu tokens)\n", r.perplexity(), r.mean_nll,
                      (unsigned long long)r.n_tokens);
        return 0;
      };
    }};

}  // namespace
