// gemba sft: supervised fine-tuning on FAQ pairs or chat conversations; loss on the
// assistant's tokens only, through the same chat template the engine uses at inference.
#include <memory>

#include "cli/train/train-options.h"
#include "cli/verb.h"
#include "train/run.h"

namespace {

gemba::cli::VerbRegistration sft_registration{
    "sft", "Supervised fine-tuning of an HF model on FAQ / chat JSONL (loss on answers only)", [](CLI::App& app) {
      auto o = std::make_shared<gemba::train::TrainRunOptions>();
      o->lr = 2e-5;
      o->seq_len = 512;
      o->weight_decay = 0.0;
      app.add_option("--base", o->base, "HF model directory to fine-tune")->required();
      app.add_option("--tokenizer", o->tokenizer, "Tokenizer directory (default: --base)");
      gemba::cli::add_data_options(app, *o, "--data",
                                   "FAQ or chat files, comma-separated: JSONL {question, answer} or {messages: [...]}, or CSV",
                                   "--val-data", "Validation FAQ/chat files (loss on answers, e.g. the FAQ val split)");
      app.add_option("--template", o->chat_template, "Chat template: plain, llm-jp-3, llama-2 (default: the base model's, else plain)");
      app.add_flag("--pack", o->pack, "Pack several short conversations into one row of --seq-len tokens");
      app.add_flag("--group-by-length", o->group_by_length,
                   "Batch rows of about the same length together (within random groups of 64 batches): less padding");
      gemba::cli::add_train_options(app, *o);
      gemba::cli::add_lora_options(app, *o);
      return [o] { return gemba::train::run_sft(*o); };
    }};

}  // namespace
