// gemba cpt: continual pre-training of an HF model on domain shards, with an optional replay
// share of general text against forgetting; the LR schedule re-warms from step 0.
#include <memory>

#include "cli/train/train-options.h"
#include "cli/verb.h"
#include "train/run.h"

namespace {

gemba::cli::VerbRegistration cpt_registration{
    "cpt", "Continual pre-training of an HF model directory on domain token shards", [](CLI::App& app) {
      auto o = std::make_shared<gemba::train::TrainRunOptions>();
      o->lr = 1e-4;
      app.add_option("--base", o->base, "HF model directory to continue from")->required();
      app.add_option("--tokenizer", o->tokenizer, "Tokenizer directory (default: --base)");
      app.add_option("--replay", o->replay, "General-text shards and their share, e.g. general.tok:0.2");
      app.add_option("--mix-sft", o->mix_sft,
                     "Chat data (as for sft --data) and its share of the steps, e.g. statements.jsonl:0.3; "
                     "loss on the answers only");
      app.add_option("--template", o->chat_template, "Chat template of --mix-sft: plain, llm-jp-3, llama-2 (default: the base model's, else plain)");
      gemba::cli::add_shard_options(app, *o);
      gemba::cli::add_train_options(app, *o);
      gemba::cli::add_lora_options(app, *o);
      return [o] { return gemba::train::run_cpt(*o); };
    }};

}  // namespace
