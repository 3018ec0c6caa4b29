// The training loop, reusable across objectives: a BatchSource says what data each step sees,
// a LossFn turns a batch into a summed loss, and the Trainer does the rest (AdamW, warmup +
// cosine LR, gradient accumulation, clipping, data parallel, validation, metrics,
// checkpoints and exact resume). Pre-training/CPT use PackedBatchSource + causal_lm_loss;
// SFT and DPO plug in their own source and loss.
#pragma once
#include <torch/torch.h>

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "train/device.h"
#include "train/distributed.h"
#include "train/lr-schedule.h"
#include "train/model.h"
#include "train/packed-sequences.h"

namespace gemba::train {

constexpr int64_t kIgnoreIndex = -100;  // label value that carries no loss

struct Batch {
  torch::Tensor input_ids;  // [b, T] int64
  torch::Tensor labels;     // [b, T] int64, kIgnoreIndex where no loss is taken
  std::map<std::string, torch::Tensor> extra;  // anything else a LossFn needs (e.g. DPO reference log-probs)
};

class BatchSource {
 public:
  virtual ~BatchSource() = default;
  // This rank's share of micro-batch `micro` of optimizer step `step` (0-based). Must depend
  // only on its arguments, so a resumed run (and any world size) sees the same global batch.
  virtual Batch get(int64_t step, int64_t micro, int rank, int world_size) = 0;
  // Input tokens of one global micro-batch (all ranks), for throughput.
  virtual int64_t tokens_per_micro_batch() const = 0;
};

// Causal-LM batches: `batch` packed sequences per micro-batch (global; each rank takes
// batch / world_size of them), labels = inputs shifted by one. Sequence index of global slot j
// of micro-batch m of step s: (s·grad_accum + m)·batch + j.
class PackedBatchSource : public BatchSource {
 public:
  PackedBatchSource(std::shared_ptr<MixedSequences> sequences, int64_t batch, int64_t grad_accum);
  Batch get(int64_t step, int64_t micro, int rank, int world_size) override;
  int64_t tokens_per_micro_batch() const override { return batch_ * sequences_->seq_len(); }

 private:
  std::shared_ptr<MixedSequences> sequences_;
  int64_t batch_, grad_accum_;
};

// Validation batches: the first windows of a shard set in file order (no shuffle); micro-batch
// m of "step" 0 is windows [m·batch, (m+1)·batch), wrapping around.
class SequentialBatchSource : public BatchSource {
 public:
  SequentialBatchSource(std::shared_ptr<PackedSequences> sequences, int64_t batch);
  Batch get(int64_t step, int64_t micro, int rank, int world_size) override;
  int64_t tokens_per_micro_batch() const override { return batch_ * sequences_->seq_len(); }

 private:
  std::shared_ptr<PackedSequences> sequences_;
  int64_t batch_;
};

// A summed loss and how many items (tokens, pairs) it sums over; the trainer divides the
// gradients by the global count, so micro-batches and ranks weigh by their item counts.
struct LossSum {
  torch::Tensor sum;  // scalar, differentiable
  double count = 0;
  // Other per-item sums to log (e.g. DPO's "rewards/margins"); logged as sum / count.
  std::map<std::string, double> metric_sums;
};
using LossFn = std::function<LossSum(LlamaForCausalLM& model, const Batch& batch)>;

// Next-token cross-entropy summed over labelled positions.
LossSum causal_lm_loss(LlamaForCausalLM& model, const Batch& batch);

struct TrainerOptions {
  int64_t steps = 100;          // optimizer steps of the whole run
  int64_t grad_accum = 1;       // micro-batches per optimizer step
  LrSchedule schedule;          // total_steps is set to `steps` by the Trainer
  double weight_decay = 0.1;    // AdamW (Loshchilov & Hutter 2019); not on norms/embeddings
  double beta1 = 0.9, beta2 = 0.95, adam_eps = 1e-8;
  double clip_norm = 1.0;       // 0: no clipping
  // CPU, f32 weights: the optimizer step in two passes (train/fused-adamw.h). false: libtorch's
  // AdamW ops (the same numbers to rounding; the reference in tests).
  bool fused_adamw = true;
  bool activation_checkpointing = false;
  int64_t eval_every = 0;       // 0: only at the end (when a validation source is given)
  int64_t eval_batches = 4;     // validation micro-batches per evaluation
  int64_t save_every = 0;       // 0: only at the end
  std::string out_dir;          // run directory: metrics.jsonl, checkpoint/, final HF files
  std::string tokenizer_dir;    // tokenizer files copied into saved HF directories
  torch::Device device = torch::kCPU;
  torch::Dtype dtype = torch::kFloat32;  // compute dtype (bf16 via autocast); weights stay f32
  double peak_flops = 0;        // per process; 0: measure torch::mm once at start
  bool progress = true;         // progress bar / JSON lines on stderr
  uint64_t seed = 0;            // recorded in the checkpoint
  // Writes the final model into out_dir instead of write_hf_files (e.g. LoRA: the adapter,
  // and the merged model). Called on rank 0 only.
  std::function<void(LlamaForCausalLM& model, const std::string& out_dir)> save_final;
};

struct Evaluation {
  double loss = 0;                       // mean per item
  std::map<std::string, double> extra;   // metric_sums per item
};

struct StepMetrics {
  int64_t step = 0;  // 1-based: the number of optimizer steps done
  double loss = 0, lr = 0, grad_norm = 0, tokens_per_s = 0, mfu = 0;
  std::optional<double> val_loss;
  std::map<std::string, double> extra;      // LossSum::metric_sums per item (train)
  std::map<std::string, double> val_extra;  // the same on validation data, logged as "val_<name>"
  Json to_json() const;
};

class Trainer {
 public:
  Trainer(LlamaForCausalLM model, TrainerOptions options, std::shared_ptr<BatchSource> train, LossFn loss,
          std::shared_ptr<BatchSource> validation = nullptr, std::shared_ptr<Distributed> dist = nullptr);
  ~Trainer();

  // Continues from a checkpoint written by save_checkpoint (a run dir or its checkpoint/).
  void resume(const std::string& dir);
  // Runs steps until options.steps, or until `stop_at` steps are done when stop_at > 0 (then a
  // checkpoint is written, as if the run had been interrupted there). Returns this call's metrics.
  std::vector<StepMetrics> run(int64_t stop_at = 0);
  // Mean validation loss (and extra metrics) per item over eval_batches micro-batches.
  Evaluation evaluate();

  // model + optimizer + schedule + step + RNG, atomically, as an HF directory plus
  // optimizer.pt and trainer-state.json.
  void save_checkpoint(const std::string& dir);
  // The final model as HF files in out_dir (each file written atomically).
  void save_final_model();

  int64_t step() const { return step_; }
  LlamaForCausalLM& model() { return model_; }
  torch::optim::Optimizer& optimizer();

 private:
  StepMetrics train_step();
  // Sums the gradients over ranks (each rank's are sums over its items); returns the factor
  // that makes them a mean over all items: 1 / global_count.
  double sum_gradients(double local_count, double& global_count);
  // Scales, clips and applies the gradients (AdamW at `lr`), then clears them; returns the
  // gradient norm before clipping.
  double optimizer_step(double lr, double grad_scale);
  // Sums (loss, count, metrics) over ranks; metrics keys must be the same on every rank.
  void allreduce_sums(double& sum, double& count, std::map<std::string, double>& metrics);
  void append_metrics(const Json& line);

  LlamaForCausalLM model_;
  TrainerOptions options_;
  std::shared_ptr<BatchSource> train_, validation_;
  LossFn loss_;
  std::shared_ptr<Distributed> dist_;
  std::unique_ptr<torch::optim::AdamW> optimizer_;
  std::vector<torch::Tensor> params_;  // trainable, in a fixed order
  bool fused_adamw_ = false;           // options_.fused_adamw and the parameters allow it
  int64_t step_ = 0;
  double flops_per_token_ = 0;
};

}  // namespace gemba::train
