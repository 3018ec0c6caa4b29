#include "train/trainer.h"


#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>

#include "core/blas-kernels.h"
#include "core/error.h"
#include "core/log.h"
#include "core/progress.h"
#include "train/autocast.h"
#include "train/checkpoint.h"
#include "train/cpu-allocator.h"
#include "train/fused-adamw.h"
#include "train/fused-token-log-probs.h"

namespace gemba::train {

namespace fs = std::filesystem;

namespace {

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

torch::Tensor to_tensor(const std::vector<int32_t>& ids, int64_t rows, int64_t cols) {
  return torch::from_blob(const_cast<int32_t*>(ids.data()), {rows, cols}, torch::kInt32).to(torch::kInt64);
}

Batch batch_from_windows(const std::vector<int32_t>& windows, int64_t rows, int64_t seq_len) {
  // windows: rows × (seq_len + 1) tokens; inputs drop the last, labels drop the first.
  auto all = to_tensor(windows, rows, seq_len + 1);  // [b, T+1]
  Batch b;
  b.input_ids = all.narrow(1, 0, seq_len).contiguous();  // [b, T]
  b.labels = all.narrow(1, 1, seq_len).contiguous();     // [b, T]
  return b;
}

int64_t local_rows(int64_t batch, int rank, int world, int64_t* first) {
  if (batch % world != 0) fail("--batch ", batch, " must be divisible by the number of ranks (", world, ")");
  const int64_t rows = batch / world;
  *first = rows * rank;
  return rows;
}

}  // namespace

// ---- batch sources -----------------------------------------------------------------------

PackedBatchSource::PackedBatchSource(std::shared_ptr<MixedSequences> sequences, int64_t batch, int64_t grad_accum)
    : sequences_(std::move(sequences)), batch_(batch), grad_accum_(grad_accum) {
  if (batch_ < 1) fail("--batch ", batch_, ": must be at least 1");
  if (grad_accum_ < 1) fail("--grad-accum ", grad_accum_, ": must be at least 1");
}

Batch PackedBatchSource::get(int64_t step, int64_t micro, int rank, int world_size) {
  int64_t first = 0;
  const int64_t rows = local_rows(batch_, rank, world_size, &first);
  const int64_t L = sequences_->seq_len();
  std::vector<int32_t> windows(static_cast<size_t>(rows * (L + 1)));
  const uint64_t base = static_cast<uint64_t>((step * grad_accum_ + micro) * batch_ + first);
  for (int64_t r = 0; r < rows; ++r) sequences_->sequence(base + static_cast<uint64_t>(r), windows.data() + r * (L + 1));
  return batch_from_windows(windows, rows, L);
}

SequentialBatchSource::SequentialBatchSource(std::shared_ptr<PackedSequences> sequences, int64_t batch)
    : sequences_(std::move(sequences)), batch_(batch) {
  if (batch_ < 1) fail("--batch ", batch_, ": must be at least 1");
}

Batch SequentialBatchSource::get(int64_t step, int64_t micro, int rank, int world_size) {
  int64_t first = 0;
  const int64_t rows = local_rows(batch_, rank, world_size, &first);
  const int64_t L = sequences_->seq_len();
  std::vector<int32_t> windows(static_cast<size_t>(rows * (L + 1)));
  const uint64_t n = sequences_->n_windows();
  for (int64_t r = 0; r < rows; ++r) {
    const uint64_t w = static_cast<uint64_t>((step + micro) * batch_ + first + r) % n;
    sequences_->window(w, windows.data() + r * (L + 1));
  }
  return batch_from_windows(windows, rows, L);
}

LossSum causal_lm_loss(LlamaForCausalLM& model, const Batch& batch) {
  auto logits = model->forward(batch.input_ids);                                   // [b, T, V]
  auto loss = -token_log_probs(logits, batch.labels, kIgnoreIndex).sum();           // summed cross-entropy
  const double count = batch.labels.ne(kIgnoreIndex).sum().item<double>();
  return {loss, count};
}

// ---- metrics -----------------------------------------------------------------------------

Json StepMetrics::to_json() const {
  Json j = {{"step", step}, {"loss", loss}, {"lr", lr}, {"grad_norm", grad_norm}, {"tokens_per_s", tokens_per_s}, {"mfu", mfu}};
  if (val_loss) {
    j["val_loss"] = *val_loss;
    j["val_ppl"] = std::exp(*val_loss);
  }
  for (const auto& [k, v] : extra) j[k] = v;
  for (const auto& [k, v] : val_extra) j["val_" + k] = v;
  return j;
}

// ---- trainer -----------------------------------------------------------------------------

Trainer::Trainer(LlamaForCausalLM model, TrainerOptions options, std::shared_ptr<BatchSource> train, LossFn loss,
                 std::shared_ptr<BatchSource> validation, std::shared_ptr<Distributed> dist)
    : model_(std::move(model)),
      options_(std::move(options)),
      train_(std::move(train)),
      validation_(std::move(validation)),
      loss_(std::move(loss)),
      dist_(dist ? std::move(dist) : std::make_shared<Distributed>()) {
  if (options_.steps < 1) fail("--steps ", options_.steps, ": must be at least 1");
  if (options_.grad_accum < 1) fail("--grad-accum ", options_.grad_accum, ": must be at least 1");
  options_.schedule.total_steps = options_.steps;
  if (options_.device.is_cpu()) keep_freed_memory_for_reuse();
  model_->to(options_.device);
  model_->set_activation_checkpointing(options_.activation_checkpointing);

  // AdamW groups: decay on matrices (projections, lm_head); none on norms and embeddings.
  std::vector<torch::Tensor> decay, no_decay;
  for (auto& item : model_->named_parameters()) {
    if (!item.value().requires_grad()) continue;
    params_.push_back(item.value());
    const bool is_embedding = item.key().find("embed_tokens") != std::string::npos;
    (item.value().dim() >= 2 && !is_embedding ? decay : no_decay).push_back(item.value());
  }
  if (params_.empty()) fail("the model has no trainable parameters");
  auto defaults = torch::optim::AdamWOptions(options_.schedule.peak)
                      .betas({options_.beta1, options_.beta2})
                      .eps(options_.adam_eps)
                      .weight_decay(options_.weight_decay);
  std::vector<torch::optim::OptimizerParamGroup> groups;
  if (!decay.empty()) groups.emplace_back(decay, std::make_unique<torch::optim::AdamWOptions>(defaults));
  if (!no_decay.empty()) {
    auto opts = std::make_unique<torch::optim::AdamWOptions>(defaults);
    opts->weight_decay(0.0);
    groups.emplace_back(no_decay, std::move(opts));
  }
  optimizer_ = std::make_unique<torch::optim::AdamW>(std::move(groups), defaults);
  fused_adamw_ = options_.fused_adamw && fused_adamw_supported(*optimizer_);

  // Every rank starts from rank 0's weights.
  if (dist_->active()) {
    torch::NoGradGuard no_grad;
    std::vector<torch::Tensor> all;
    for (auto& p : model_->parameters()) all.push_back(p.data());
    dist_->broadcast_from_rank0(all);
  }
  if (options_.peak_flops <= 0) options_.peak_flops = measure_matmul_flops(options_.device, options_.dtype);
  if (dist_->rank() == 0) {
    const std::string kernels = options_.device.is_cpu() ? openblas_kernels_in_use() : std::string();
    log_info("matrix products: ", static_cast<int64_t>(options_.peak_flops / 1e9), " GFLOP/s measured in ",
             dtype_name(options_.dtype),
             kernels.empty() ? std::string() : " (OpenBLAS kernels: " + kernels + ")");
  }
}

Trainer::~Trainer() = default;

torch::optim::Optimizer& Trainer::optimizer() { return *optimizer_; }

void Trainer::resume(const std::string& dir) {
  const std::string ckpt = resolve_checkpoint_dir(dir);
  Json state = read_training_checkpoint(ckpt, model_, *optimizer_);
  step_ = state.at("step").get<int64_t>();
  model_->to(options_.device);
  const int64_t saved_world = json_optional<int64_t>(state, "world_size", 1, ckpt);
  if (saved_world != dist_->world_size())
    log_info("resuming a ", saved_world, "-rank run on ", dist_->world_size(), " ranks: same global batches, same data order");
  if (step_ >= options_.steps) log_warn(ckpt, ": already at step ", step_, " of ", options_.steps, "; raise --steps to train further");
  log_info("resumed from ", ckpt, " at step ", step_);
}

double Trainer::sum_gradients(double local_count, double& global_count) {
  global_count = local_count;
  for (auto& p : params_)
    if (!p.grad().defined()) p.mutable_grad() = torch::zeros_like(p);
  if (dist_->active()) {
    std::vector<torch::Tensor> grads;
    for (auto& p : params_) {
      if (!p.grad().is_contiguous()) p.mutable_grad() = p.grad().contiguous();
      grads.push_back(p.grad());
    }
    auto count = std::vector<torch::Tensor>{torch::tensor({local_count}, torch::kFloat64)};
    dist_->allreduce_sum_coalesced(grads);
    dist_->allreduce_sum(count);
    global_count = count[0].item<double>();
  }
  if (global_count <= 0) fail("a training step had no labelled tokens; check the data and --seq-len");
  return 1.0 / global_count;
}

double Trainer::optimizer_step(double lr, double grad_scale) {
  for (auto& group : optimizer_->param_groups()) static_cast<torch::optim::AdamWOptions&>(group.options()).lr(lr);
  if (fused_adamw_) return fused_adamw_step(*optimizer_, grad_scale, options_.clip_norm);

  // libtorch's ops, one pass each: the reference for the fused step, and the path on GPUs.
  for (auto& p : params_) p.grad().mul_(grad_scale);
  double grad_norm = 0;
  if (options_.clip_norm > 0) {
    grad_norm = torch::nn::utils::clip_grad_norm_(params_, options_.clip_norm);
  } else {
    torch::NoGradGuard no_grad;
    double sq = 0;
    for (auto& p : params_) sq += p.grad().to(torch::kFloat64).pow(2).sum().item<double>();
    grad_norm = std::sqrt(sq);
  }
  optimizer_->step();
  optimizer_->zero_grad();
  return grad_norm;
}

StepMetrics Trainer::train_step() {
  auto t0 = std::chrono::steady_clock::now();
  model_->train();
  double local_sum = 0, local_count = 0;
  std::map<std::string, double> metric_sums;
  int64_t seq_len = 0;
  for (int64_t m = 0; m < options_.grad_accum; ++m) {
    Batch batch = train_->get(step_, m, dist_->rank(), dist_->world_size());
    batch.input_ids = batch.input_ids.to(options_.device);
    batch.labels = batch.labels.to(options_.device);
    for (auto& [k, v] : batch.extra) v = v.to(options_.device);
    seq_len = batch.input_ids.size(1);
    LossSum ls;
    {
      AutocastScope autocast(options_.device, options_.dtype);
      ls = loss_(model_, batch);
    }
    ls.sum.backward();
    local_sum += ls.sum.item<double>();
    local_count += ls.count;
    for (const auto& [k, v] : ls.metric_sums) metric_sums[k] += v;
  }
  double global_count = 0;
  const double grad_scale = sum_gradients(local_count, global_count);
  double global_sum = local_sum, counted = local_count;
  allreduce_sums(global_sum, counted, metric_sums);

  const double lr = options_.schedule.at(step_);
  const double grad_norm = optimizer_step(lr, grad_scale);
  ++step_;

  if (flops_per_token_ == 0) flops_per_token_ = train_flops_per_token(model_->config(), seq_len);
  const double dt = seconds_since(t0);
  StepMetrics m;
  m.step = step_;
  m.loss = global_sum / global_count;
  m.lr = lr;
  m.grad_norm = grad_norm;
  const double tokens = static_cast<double>(train_->tokens_per_micro_batch() * options_.grad_accum);
  m.tokens_per_s = tokens / dt;
  m.mfu = m.tokens_per_s * flops_per_token_ / (options_.peak_flops * dist_->world_size());
  for (const auto& [k, v] : metric_sums) m.extra[k] = v / global_count;
  return m;
}

void Trainer::allreduce_sums(double& sum, double& count, std::map<std::string, double>& metrics) {
  if (!dist_->active()) return;
  std::vector<double> values{sum, count};
  for (const auto& [k, v] : metrics) values.push_back(v);  // std::map: same key order on every rank
  auto t = std::vector<torch::Tensor>{torch::tensor(values, torch::kFloat64)};
  dist_->allreduce_sum(t);
  sum = t[0][0].item<double>();
  count = t[0][1].item<double>();
  int64_t i = 2;
  for (auto& [k, v] : metrics) v = t[0][i++].item<double>();
}

Evaluation Trainer::evaluate() {
  if (!validation_) fail("no validation data; pass --val-data");
  model_->eval();
  torch::NoGradGuard no_grad;
  double sum = 0, count = 0;
  std::map<std::string, double> metric_sums;
  for (int64_t m = 0; m < options_.eval_batches; ++m) {
    Batch batch = validation_->get(0, m, dist_->rank(), dist_->world_size());
    batch.input_ids = batch.input_ids.to(options_.device);
    batch.labels = batch.labels.to(options_.device);
    for (auto& [k, v] : batch.extra) v = v.to(options_.device);
    AutocastScope autocast(options_.device, options_.dtype);
    LossSum ls = loss_(model_, batch);
    sum += ls.sum.item<double>();
    count += ls.count;
    for (const auto& [k, v] : ls.metric_sums) metric_sums[k] += v;
  }
  allreduce_sums(sum, count, metric_sums);
  model_->train();
  if (count <= 0) fail("validation data gave no labelled tokens");
  Evaluation e;
  e.loss = sum / count;
  for (const auto& [k, v] : metric_sums) e.extra[k] = v / count;
  return e;
}

void Trainer::append_metrics(const Json& line) {
  if (options_.out_dir.empty() || dist_->rank() != 0) return;
  fs::create_directories(options_.out_dir);
  std::ofstream out(options_.out_dir + "/metrics.jsonl", std::ios::app);
  out << line.dump() << "\n";
  if (!out) fail(options_.out_dir, "/metrics.jsonl: cannot append (disk full or no permission?)");
}

void Trainer::save_checkpoint(const std::string& dir) {
  if (dist_->rank() == 0) {
    Json state = {{"step", step_},
                  {"steps", options_.steps},
                  {"seed", options_.seed},
                  {"world_size", dist_->world_size()},
                  {"lr_peak", options_.schedule.peak},
                  {"lr_min", options_.schedule.min_lr},
                  {"warmup_steps", options_.schedule.warmup_steps}};
    fs::create_directories(fs::path(dir).parent_path().empty() ? fs::path(".") : fs::path(dir).parent_path());
    write_training_checkpoint(dir, model_, *optimizer_, state, options_.tokenizer_dir);
  }
  dist_->barrier();
}

void Trainer::save_final_model() {
  if (options_.out_dir.empty()) return;
  if (dist_->rank() == 0) {
    fs::create_directories(options_.out_dir);
    if (options_.save_final)
      options_.save_final(model_, options_.out_dir);
    else
      write_hf_files(model_, options_.out_dir, options_.tokenizer_dir);
  }
  dist_->barrier();
}

std::vector<StepMetrics> Trainer::run(int64_t stop_at) {
  std::vector<StepMetrics> done;
  const bool show = options_.progress && dist_->rank() == 0;
  std::unique_ptr<Progress> progress;
  if (show) progress = std::make_unique<Progress>("train", static_cast<uint64_t>(options_.steps), "step");
  const std::string ckpt_dir = options_.out_dir.empty() ? "" : options_.out_dir + "/" + kCheckpointSubdir;
  while (step_ < options_.steps) {
    StepMetrics m = train_step();
    const bool last = step_ == options_.steps;
    if (validation_ && ((options_.eval_every > 0 && step_ % options_.eval_every == 0) || last)) {
      Evaluation e = evaluate();
      m.val_loss = e.loss;
      m.val_extra = e.extra;
    }
    Json line = m.to_json();
    append_metrics(line);
    if (progress) progress->update(static_cast<uint64_t>(step_), line);
    done.push_back(m);
    if (!std::isfinite(m.loss)) fail("the loss became ", m.loss, " at step ", step_, "; lower --lr or check the data");
    const bool stopping = stop_at > 0 && step_ >= stop_at && !last;
    if (!ckpt_dir.empty() && (last || stopping || (options_.save_every > 0 && step_ % options_.save_every == 0)))
      save_checkpoint(ckpt_dir);
    if (stopping) break;
  }
  if (progress) progress->finish();
  if (step_ >= options_.steps) save_final_model();
  return done;
}

}  // namespace gemba::train
