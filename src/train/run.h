// The pretrain / cpt jobs behind the CLI verbs, with a libtorch-free interface so the verb
// files compile fast. A run directory holds the final HF model (config.json,
// model.safetensors, tokenizer files), metrics.jsonl and checkpoint/ (resumable state).
#pragma once
#include <cstdint>
#include <string>

namespace gemba::train {

struct TrainRunOptions {
  std::string config;     // pretrain: a preset name or a config.json path
  std::string base;       // cpt: the HF model directory to continue from
  std::string tokenizer;  // tokenizer directory (pretrain: required; cpt: defaults to base)
  std::string data;       // token shards (file, directory of *.tok, or comma-separated list)
  std::string val_data;   // validation shards (optional)
  std::string replay;     // cpt: "SHARDS:ratio" of general text mixed in (optional)
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
  int64_t eval_batches = 4;
  int64_t save_every = 0;
  bool activation_checkpointing = false;
  std::string device = "cpu";
  std::string dtype = "f32";
  uint64_t seed = 0;
  int threads = 0;  // 0: libtorch's default
  int nproc = 1;    // >1: start this many data-parallel ranks on this machine
  bool progress = true;
};

// Each returns the process exit code; user errors are thrown as gemba::Error.
int run_pretrain(const TrainRunOptions& options);
int run_cpt(const TrainRunOptions& options);

}  // namespace gemba::train
