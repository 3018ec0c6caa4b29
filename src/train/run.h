// The pretrain / cpt / sft / dpo jobs behind the CLI verbs, with a libtorch-free interface so
// the verb files compile fast. A run directory holds the final HF model (config.json,
// model.safetensors, tokenizer files), metrics.jsonl and checkpoint/ (resumable state).
#pragma once
#include <cstdint>
#include <string>

namespace gemba::train {

struct TrainRunOptions {
  std::string config;     // pretrain: a preset name or a config.json path
  std::string base;       // cpt/sft: the HF model to continue from; dpo: the SFT model (also the reference)
  std::string tokenizer;  // tokenizer directory (pretrain: required; cpt: defaults to base)
  std::string data;       // token shards; sft: FAQ/chat JSONL or CSV files; dpo: preference pairs JSONL
  std::string val_data;   // validation data of the same kind (optional)
  std::string replay;     // cpt: "SHARDS:ratio" of general text mixed in (optional)
  std::string mix_sft;    // cpt: "FILES:ratio", chat data (as for sft --data) taking that share of the steps
  bool bos_windows = true;  // pretrain/cpt: every window starts with BOS (packed-sequences.h)
  std::string out_dir;
  std::string resume;     // a run dir or checkpoint dir to continue exactly (optional)

  int64_t steps = 100;
  int64_t batch = 8;        // sequences per micro-batch, all ranks together
  int64_t seq_len = 256;
  int64_t grad_accum = 1;
  int64_t warmup = -1;      // -1: 5% of the steps
  double lr = 3e-4;
  double min_lr_ratio = 0.1;
  double weight_decay = 0.1;
  double clip = 1.0;
  int64_t eval_every = 0;
  int64_t eval_batches = -1;  // -1: 4 for pretrain/cpt, the whole validation set for sft/dpo
  int64_t save_every = 0;
  bool activation_checkpointing = false;
  std::string device = "cpu";
  std::string dtype = "f32";
  uint64_t seed = 0;
  int threads = 0;  // 0: libtorch's default (ranks on one machine: the cores / LOCAL_WORLD_SIZE)
  int nproc = 1;    // >1: start this many data-parallel ranks on this machine
  bool progress = true;

  // sft / dpo
  std::string chat_template;  // "": the base model's (tokenizer_config.json), else plain
  bool pack = false;          // sft: several short conversations per row
  bool group_by_length = false;  // sft: micro-batches of rows of about the same length (less padding)

  // LoRA (cpt / sft / dpo): rank 0 = full fine-tuning
  int64_t lora_rank = 0;
  double lora_alpha = 16;
  double lora_dropout = 0.0;
  std::string lora_targets = "q,k,v,o,gate,up,down";
  bool lora_merge = true;  // also write the merged model (what eval/export/the next stage read)

  // dpo
  std::string dpo_loss = "sigmoid";
  double beta = 0.1;
  double label_smoothing = 0.0;
  double rpo_alpha = 0.0;
};

// Each returns the process exit code; user errors are thrown as gemba::Error.
int run_pretrain(const TrainRunOptions& options);
int run_cpt(const TrainRunOptions& options);
int run_sft(const TrainRunOptions& options);
int run_dpo(const TrainRunOptions& options);

}  // namespace gemba::train
