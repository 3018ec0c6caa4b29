// gemba pretrain: train a Llama model from scratch on token shards (how tests and the demo
// get a base model).
#include <memory>

#include "cli/train/train-options.h"
#include "cli/verb.h"
#include "train/run.h"

namespace {

gemba::cli::VerbRegistration pretrain_registration{
    "pretrain", "Pre-train a Llama model from scratch on token shards", [](CLI::App& app) {
      auto o = std::make_shared<gemba::train::TrainRunOptions>();
      app.add_option("--config", o->config, "A preset name or a config.json")->required();
      app.add_option("--tokenizer", o->tokenizer, "Tokenizer directory (tokenizer.json / tokenizer.model); its EOS id separates documents and its files ship with the model");
      gemba::cli::add_shard_options(app, *o);
      gemba::cli::add_train_options(app, *o);
      return [o] { return gemba::train::run_pretrain(*o); };
    }};

}  // namespace
