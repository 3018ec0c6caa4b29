// Options shared by the training verbs (pretrain, cpt, sft, dpo; header-only; no libtorch).
#pragma once
#include <CLI/CLI.hpp>

#include "train/run.h"

namespace gemba::cli {

// The training data (--data or another name, e.g. dpo's --pairs) and its validation split.
inline void add_data_options(CLI::App& app, train::TrainRunOptions& o, const std::string& flag, const std::string& help,
                             const std::string& val_flag, const std::string& val_help) {
  app.add_option(flag, o.data, help)->required();
  app.add_option(val_flag, o.val_data, val_help);
}

inline void add_shard_options(CLI::App& app, train::TrainRunOptions& o) {
  add_data_options(app, o, "--data", "Token shards: a .tok file, a directory of them, or a comma-separated list", "--val-data",
                   "Validation shards (loss and perplexity every --eval-every steps)");
  app.add_flag("!--no-bos-windows", o.bos_windows,
               "Cut the stream into windows without a leading BOS (default: every window starts with BOS, as every "
               "sequence does at inference)");
}

inline void add_train_options(CLI::App& app, train::TrainRunOptions& o) {
  app.add_option("-o,--out", o.out_dir, "Run directory: final HF model, metrics.jsonl, checkpoint/")->required();
  app.add_option("--steps", o.steps, "Optimizer steps")->capture_default_str();
  app.add_option("--batch", o.batch, "Sequences per micro-batch, all ranks together")->capture_default_str();
  app.add_option("--seq-len", o.seq_len, "Tokens per sequence (sft/dpo: the longest row; longer ones are cut)")->capture_default_str();
  app.add_option("--grad-accum", o.grad_accum, "Micro-batches per optimizer step")->capture_default_str();
  app.add_option("--lr", o.lr, "Peak learning rate")->capture_default_str();
  app.add_option("--min-lr-ratio", o.min_lr_ratio, "Cosine floor as a fraction of --lr")->capture_default_str();
  app.add_option("--warmup", o.warmup, "Linear warmup steps (default: 5% of --steps)");
  app.add_option("--weight-decay", o.weight_decay, "AdamW weight decay (not on norms/embeddings)")->capture_default_str();
  app.add_option("--clip", o.clip, "Gradient-norm clipping threshold (0: off)")->capture_default_str();
  app.add_option("--eval-every", o.eval_every, "Validate every N steps (0: at the end only)")->capture_default_str();
  app.add_option("--eval-batches", o.eval_batches, "Validation micro-batches per evaluation (default: 4; sft/dpo: all)");
  app.add_option("--save-every", o.save_every, "Write a resumable checkpoint every N steps (0: at the end)")->capture_default_str();
  app.add_flag("--activation-checkpointing", o.activation_checkpointing, "Recompute layers in backward to save memory");
  app.add_option("--device", o.device, "cpu, cuda or cuda:N")->capture_default_str();
  app.add_option("--dtype", o.dtype, "Compute dtype: f32, bf16 (autocast; weights stay f32) or auto (bf16 where its matrix products run at least 2x faster than f32)")->capture_default_str();
  app.add_option("--seed", o.seed, "Seed of the initialisation and the data order")->capture_default_str();
  app.add_option("--resume", o.resume, "Continue exactly from a run directory or its checkpoint/");
  app.add_option("--threads", o.threads, "CPU threads per rank (0: libtorch's default; with --nproc N, the cores / N)")->capture_default_str();
  app.add_option("--nproc", o.nproc, "Start N data-parallel ranks on this machine (or set RANK/WORLD_SIZE/MASTER_ADDR/MASTER_PORT)")
      ->capture_default_str();
  app.add_flag("!--no-progress", o.progress, "No progress bar / progress lines on stderr");
}

// LoRA flags of the verbs that adapt an existing model (cpt, sft, dpo).
inline void add_lora_options(CLI::App& app, train::TrainRunOptions& o) {
  app.add_option("--lora-rank", o.lora_rank, "Train a LoRA adapter of this rank instead of all weights (0: full)")
      ->capture_default_str();
  app.add_option("--lora-alpha", o.lora_alpha, "LoRA scale numerator (scale = alpha / rank)")->capture_default_str();
  app.add_option("--lora-dropout", o.lora_dropout, "Dropout on the adapter's input while training")->capture_default_str();
  app.add_option("--lora-targets", o.lora_targets, "Projections to adapt: q,k,v,o,gate,up,down")->capture_default_str();
  app.add_flag("!--no-merge", o.lora_merge, "Write only the adapter (PEFT + adapter.gguf), not the merged model");
}

}  // namespace gemba::cli
