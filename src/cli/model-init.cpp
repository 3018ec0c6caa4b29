// gemba model init: a random-weight model of any preset shape, runnable (it carries a
// tokenizer), as GGUF (OUT ends in .gguf) or an HF directory. For speed/memory work and tests.
#include "cli/verb.h"
#include "engine/random-model.h"
#include "format/model-config.h"

namespace gemba::cli {
namespace {

struct InitArgs {
  std::string preset, out, type = "f32", tokenizer;
  bool random = false;
  uint64_t seed = 0;
  float std_dev = 0.02f;
  int threads = 0;
};

int init_verb(const InitArgs& a) {
  if (!a.random)
    fail("gemba model init: only random initialisation is implemented; pass --random (to import real weights, "
         "point run/quantize at the HF directory instead)");
  engine::RandomModelOptions opt;
  opt.seed = a.seed;
  opt.type = format::parse_ggml_type(a.type);
  opt.tokenizer_path = a.tokenizer;
  opt.init_std = a.std_dev;
  opt.n_threads = a.threads;
  engine::write_random_model(format::ModelConfig::preset(a.preset), a.out, opt);
  return 0;
}

VerbRegistration model_init_registration{"model init", "Write a random-weight model of a preset shape (GGUF or HF directory)",
                     [](CLI::App& app) {
                       auto a = std::make_shared<InitArgs>();
                       std::string names;
                       for (const auto& n : format::ModelConfig::preset_names()) names += (names.empty() ? "" : ", ") + n;
                       app.add_option("--preset", a->preset, "shape: " + names)->required();
                       app.add_flag("--random", a->random, "random weights (required: the only initialisation)");
                       app.add_option("--seed", a->seed, "random seed")->capture_default_str();
                       app.add_option("-o,--output", a->out, "OUT.gguf, or a directory for an HF model")->required();
                       app.add_option("--type", a->type, "f32, f16, bf16 (GGUF or HF); q8_0, q4_0 (GGUF)")->capture_default_str();
                       app.add_option("--tokenizer", a->tokenizer, "tokenizer to embed (default: a byte-level vocabulary)");
                       app.add_option("--std", a->std_dev, "standard deviation of the weights")->capture_default_str();
                       app.add_option("-t,--threads", a->threads, "threads (0: all)");
                       return [a] { return init_verb(*a); };
                     }};

}  // namespace
}  // namespace gemba::cli
