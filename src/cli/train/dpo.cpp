// gemba dpo: Direct Preference Optimization from the SFT model on (prompt, chosen, rejected)
// pairs, e.g. those `gemba pairs` mines (rejected = a similar but different FAQ answer).
#include <memory>

#include "cli/train/train-options.h"
#include "cli/verb.h"
#include "train/run.h"

namespace {

gemba::cli::VerbRegistration dpo_registration{
    "dpo", "Direct Preference Optimization of an SFT model on preference pairs (TRL JSONL)", [](CLI::App& app) {
      auto o = std::make_shared<gemba::train::TrainRunOptions>();
      o->lr = 5e-6;
      o->seq_len = 512;
      o->weight_decay = 0.0;
      app.add_option("--sft", o->base, "HF model directory to start from; also the frozen reference")->required();
      app.add_option("--tokenizer", o->tokenizer, "Tokenizer directory (default: --sft)");
      gemba::cli::add_data_options(app, *o, "--pairs", "Preference pairs JSONL, one file or comma-separated: {prompt, chosen, rejected} (gemba pairs)",
                                   "--val-pairs", "Held-out pairs: val loss, reward margins and accuracy");
      app.add_option("--template", o->chat_template, "Chat template: plain, llm-jp-3, llama-2 (default: the model's, else plain)");
      app.add_option("--loss", o->dpo_loss, "sigmoid (DPO) or ipo")->capture_default_str();
      app.add_option("--beta", o->beta, "Strength of the pull towards the reference")->capture_default_str();
      app.add_option("--label-smoothing", o->label_smoothing, "Assumed share of flipped labels (sigmoid loss; cDPO)")->capture_default_str();
      app.add_option("--rpo-alpha", o->rpo_alpha, "Weight of an NLL term on the chosen answer (0: off)")->capture_default_str();
      gemba::cli::add_train_options(app, *o);
      gemba::cli::add_lora_options(app, *o);
      return [o] { return gemba::train::run_dpo(*o); };
    }};

}  // namespace
