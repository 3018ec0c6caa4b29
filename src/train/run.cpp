#include "train/run.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <thread>

#include "core/error.h"
#include "core/json.h"
#include "core/log.h"
#include "engine/serving-defaults.h"
#include "data/token-shard.h"
#include "format/model-config.h"
#include "tokenizer/tokenizer.h"
#include "train/device.h"
#include "train/dpo.h"
#include "train/interleaved-batches.h"
#include "engine/lora-gguf.h"
#include "train/launcher.h"
#include "train/lora.h"
#include "train/row-batches.h"
#include "train/sft-data.h"
#include "train/trainer.h"

namespace gemba::train {

namespace fs = std::filesystem;

namespace {

format::ModelConfig config_from_flag(const std::string& flag) {
  if (flag.empty()) fail("--config is required: a preset (", [] {
      std::string names;
      for (const auto& n : format::ModelConfig::preset_names()) names += (names.empty() ? "" : ", ") + n;
      return names;
    }(), ") or a config.json");
  if (fs::is_directory(flag)) return format::ModelConfig::from_hf_dir(flag);
  if (fs::exists(flag)) return format::ModelConfig::from_hf_json(read_json_file(flag), flag);
  return format::ModelConfig::preset(flag);
}

TrainerOptions trainer_options(const TrainRunOptions& o, const std::string& tokenizer_dir, int64_t default_eval_batches,
                               Distributed& dist) {
  TrainerOptions t;
  t.steps = o.steps;
  t.grad_accum = o.grad_accum;
  t.schedule.peak = o.lr;
  t.schedule.min_lr = o.lr * o.min_lr_ratio;
  t.schedule.warmup_steps = o.warmup >= 0 ? o.warmup : std::max<int64_t>(1, o.steps / 20);
  t.schedule.warmup_start = 0.0;  // every stage re-warms from 0 (Gupta et al. 2023)
  t.weight_decay = o.weight_decay;
  t.clip_norm = o.clip;
  t.activation_checkpointing = o.activation_checkpointing;
  t.eval_every = o.eval_every;
  t.eval_batches = o.eval_batches > 0 ? o.eval_batches : default_eval_batches;
  t.save_every = o.save_every;
  t.out_dir = o.out_dir;
  t.tokenizer_dir = tokenizer_dir;
  t.device = parse_device(o.device);
  DtypeChoice dtype = choose_dtype(o.dtype, t.device);
  // "auto" is measured on every rank; rank 0's decision holds, so all ranks compute alike.
  if (dist.active()) {
    auto decision = std::vector<torch::Tensor>{
        torch::tensor({dtype.dtype == torch::kBFloat16 ? 1.0 : 0.0, dtype.matmul_flops}, torch::kFloat64)};
    dist.broadcast_from_rank0(decision);
    dtype.dtype = decision[0][0].item<double>() != 0 ? torch::kBFloat16 : torch::kFloat32;
    dtype.matmul_flops = decision[0][1].item<double>();
  }
  t.dtype = dtype.dtype;
  t.peak_flops = dtype.matmul_flops;  // measured already for "auto"; the trainer measures otherwise
  if (!dtype.reason.empty() && dist.rank() == 0) log_info("--dtype ", o.dtype, ": ", dtype_name(t.dtype), " (", dtype.reason, ")");
  t.progress = o.progress;
  t.seed = o.seed;
  return t;
}

// --lora-rank r: freeze the model, train adapters; the run directory then gets the PEFT
// adapter (adapter_config.json, adapter_model.safetensors), the same adapter as a llama.cpp
// GGUF (adapter.gguf) and, unless --no-merge, the merged model as ordinary HF files.
void setup_lora(const TrainRunOptions& o, LlamaForCausalLM& model, TrainerOptions& t) {
  if (o.lora_rank <= 0) return;
  LoraOptions lora;
  lora.rank = o.lora_rank;
  lora.alpha = o.lora_alpha;
  lora.dropout = o.lora_dropout;
  lora.targets = parse_lora_targets(o.lora_targets);
  apply_lora(model, lora, o.seed);
  int64_t trainable = 0, total = 0;
  for (const auto& p : model->parameters()) {
    total += p.numel();
    if (p.requires_grad()) trainable += p.numel();
  }
  log_info("LoRA rank ", lora.rank, " alpha ", lora.alpha, " on ", o.lora_targets, ": ", trainable, " trainable of ", total,
           " parameters");
  const std::string base = o.base, tokenizer_dir = t.tokenizer_dir;
  const bool merge = o.lora_merge;
  t.save_final = [lora, base, tokenizer_dir, merge](LlamaForCausalLM& m, const std::string& dir) {
    save_peft_adapter(m, lora, dir, base);
    engine::convert_peft_to_gguf(dir, dir + "/adapter.gguf", base);
    if (!merge) return;
    merge_lora(m);
    write_hf_files(m, dir, tokenizer_dir);
  };
}

// The chat template of an HF directory's tokenizer_config.json, else gemba's plain one (the rule
// export applies when it writes tokenizer.chat_template).
tokenizer::ChatTemplate template_for(const TrainRunOptions& o, const std::string& tokenizer_dir) {
  if (!o.chat_template.empty()) return tokenizer::parse_chat_template(o.chat_template);
  return engine::chat_template_of_hf_dir(tokenizer_dir).gemba.value_or(tokenizer::ChatTemplate::kGembaPlain);
}

struct Job {
  LlamaForCausalLM model{nullptr};
  std::string tokenizer_dir;
  int32_t eos_id = 2;
  int32_t bos_id = -1;  // < 0: the model has no BOS
};

// Padding of chat rows: the tokenizer's pad token, else EOS (masked out of the loss either way).
int32_t chat_pad_id(const tokenizer::Tokenizer& tok) { return tok.pad_id() >= 0 ? tok.pad_id() : tok.eos_id(); }

// --mix-sft FILES:RATIO: that share of the optimizer steps are chat rows (loss on answers
// only, packed to --seq-len, the template the later sft stage uses) instead of text windows.
std::shared_ptr<BatchSource> with_chat_steps(const TrainRunOptions& o, const Job& job, std::shared_ptr<BatchSource> text) {
  if (job.tokenizer_dir.empty()) fail("--mix-sft needs the model's tokenizer: pass --tokenizer");
  auto [files, ratio] = parse_share_spec("--mix-sft", o.mix_sft);
  const auto tok = tokenizer::Tokenizer::load(job.tokenizer_dir);
  SftDataOptions rows_options;
  rows_options.chat_template = template_for(o, job.tokenizer_dir);
  rows_options.max_tokens = o.seq_len;
  rows_options.pack = true;
  SftDataReport report;
  auto rows = std::make_shared<const std::vector<SftRow>>(load_sft_rows(files, tok, rows_options, &report));
  log_info("--mix-sft: ", report.conversations, " conversations -> ", report.rows, " rows (",
           tokenizer::chat_template_name(rows_options.chat_template), " template) on ", ratio * 100, "% of the steps");
  auto chat = std::make_shared<RowBatchSource>(rows, o.batch, o.grad_accum, chat_pad_id(tok), o.seed ^ 0xc4a7ull);
  return std::make_shared<InterleavedBatchSource>(std::move(text), std::move(chat), ratio);
}

int train(const TrainRunOptions& o, Job job, bool continual) {
  if (o.out_dir.empty()) fail("-o DIR is required: where the model, metrics and checkpoints go");
  if (o.data.empty()) fail("--data is required: token shards (gemba data ... writes them)");
  auto dist = std::make_shared<Distributed>(rendezvous_from_env(), parse_device(o.device));

  const int32_t window_bos = o.bos_windows ? job.bos_id : -1;
  auto domain = std::make_shared<PackedSequences>(o.data, o.seq_len, job.eos_id, o.seed, /*shuffle=*/true, window_bos);
  std::shared_ptr<MixedSequences> mixed;
  if (!o.replay.empty()) {
    if (!continual) log_warn("--replay is meant for gemba cpt; mixing it in anyway");
    auto [path, ratio] = parse_share_spec("--replay", o.replay);
    auto replay = std::make_shared<PackedSequences>(path, o.seq_len, job.eos_id, o.seed ^ 0x5eedull, /*shuffle=*/true, window_bos);
    mixed = std::make_shared<MixedSequences>(domain, replay, ratio);
  } else {
    mixed = std::make_shared<MixedSequences>(domain);
  }
  std::shared_ptr<BatchSource> source = std::make_shared<PackedBatchSource>(mixed, o.batch, o.grad_accum);
  if (!o.mix_sft.empty()) source = with_chat_steps(o, job, source);
  std::shared_ptr<BatchSource> validation;
  // Validation shards too small for one sequence (e.g. a corpus that is one document, so
  // the split held none out) are a warning, not a reason to refuse training.
  uint64_t val_tokens = 0;
  if (!o.val_data.empty())
    for (const auto& path : data::expand_shard_paths(o.val_data)) val_tokens += data::TokenShard::open(path).size();
  if (!o.val_data.empty() && val_tokens <= static_cast<uint64_t>(o.seq_len)) {
    log_warn(o.val_data, ": ", val_tokens, " validation tokens, fewer than one sequence of --seq-len ", o.seq_len,
             "; training without validation");
  } else if (!o.val_data.empty())
    validation = std::make_shared<SequentialBatchSource>(
        std::make_shared<PackedSequences>(o.val_data, o.seq_len, job.eos_id, o.seed, /*shuffle=*/false, window_bos), o.batch);

  TrainerOptions t = trainer_options(o, job.tokenizer_dir, /*default_eval_batches=*/4, *dist);
  if (continual) setup_lora(o, job.model, t);
  else if (o.lora_rank > 0) fail("--lora-rank needs a model to adapt: use it with cpt, sft or dpo");

  Trainer trainer(job.model, t, source, causal_lm_loss, validation, dist);
  if (!o.resume.empty()) trainer.resume(o.resume);
  auto metrics = trainer.run();
  if (dist->rank() == 0 && !metrics.empty())
    log_info("done: step ", trainer.step(), ", loss ", metrics.back().loss, ", ", metrics.back().tokens_per_s,
             " tokens/s; model in ", o.out_dir);
  return 0;
}

// --nproc N without RANK in the environment: become the launcher of N ranks.
bool launch_if_requested(const TrainRunOptions& o, int* exit_code) {
  if (o.nproc <= 1 || std::getenv("RANK")) return false;
  *exit_code = launch_ranks(o.nproc, without_nproc(own_command_line()));
  return true;
}

void common_setup(const TrainRunOptions& o) {
  int threads = o.threads;
  // Ranks on one machine share its cores: without --threads each takes its share, not all.
  if (const int local = rendezvous_from_env().local_world_size; threads <= 0 && local > 1)
    threads = std::max(1, static_cast<int>(std::thread::hardware_concurrency()) / local);
  if (threads > 0) {
    torch::set_num_threads(threads);
    torch::set_num_interop_threads(1);
  }
  log_debug("compute threads: ", torch::get_num_threads());
  torch::manual_seed(o.seed);
}

// What sft and dpo share: the base model, its tokenizer, the template, row settings.
struct FineTuneJob {
  LlamaForCausalLM model{nullptr};
  std::string tokenizer_dir;
  std::unique_ptr<tokenizer::Tokenizer> tok;
  SftDataOptions rows;
  int32_t pad_id = 0;
};

FineTuneJob fine_tune_job(const TrainRunOptions& o, const char* base_flag) {
  if (o.out_dir.empty()) fail("-o DIR is required: where the model, metrics and checkpoints go");
  if (o.base.empty()) fail(base_flag, " HF_DIR is required: the model to fine-tune");
  if (o.data.empty()) fail("the training data flag is required");
  FineTuneJob job;
  job.model = load_hf_model(o.base, torch::kCPU);
  job.tokenizer_dir = o.tokenizer.empty() ? o.base : o.tokenizer;
  job.tok = std::make_unique<tokenizer::Tokenizer>(tokenizer::Tokenizer::load(job.tokenizer_dir));
  if (static_cast<int64_t>(job.tok->vocab_size()) > job.model->config().vocab_size)
    fail(job.tokenizer_dir, ": the tokenizer has ", job.tok->vocab_size(), " tokens but ", o.base, " only ",
         job.model->config().vocab_size, " embedding rows; pass the model's own tokenizer");
  job.rows.chat_template = template_for(o, job.tokenizer_dir);
  job.rows.max_tokens = o.seq_len;
  job.rows.pack = o.pack;
  job.pad_id = chat_pad_id(*job.tok);
  log_info("chat template: ", tokenizer::chat_template_name(job.rows.chat_template));
  return job;
}

int64_t whole_set_batches(size_t n, int64_t batch) { return static_cast<int64_t>((n + static_cast<size_t>(batch) - 1) / static_cast<size_t>(batch)); }

}  // namespace

int run_sft(const TrainRunOptions& o) {
  int code = 0;
  if (launch_if_requested(o, &code)) return code;
  common_setup(o);
  FineTuneJob job = fine_tune_job(o, "--base");
  auto dist = std::make_shared<Distributed>(rendezvous_from_env(), parse_device(o.device));
  SftDataReport report;
  auto rows = std::make_shared<const std::vector<SftRow>>(load_sft_rows(o.data, *job.tok, job.rows, &report));
  log_info("sft data: ", report.conversations, " conversations -> ", report.rows, " rows, ", report.target_tokens,
           " answer tokens");
  auto source = std::make_shared<RowBatchSource>(rows, o.batch, o.grad_accum, job.pad_id, o.seed, /*shuffle=*/true,
                                                 o.group_by_length);
  std::shared_ptr<BatchSource> validation;
  int64_t val_batches = 4;
  if (!o.val_data.empty()) {
    SftDataOptions val_options = job.rows;
    val_options.pack = false;
    auto val_rows = std::make_shared<const std::vector<SftRow>>(load_sft_rows(o.val_data, *job.tok, val_options));
    val_batches = whole_set_batches(val_rows->size(), o.batch);
    validation = std::make_shared<RowBatchSource>(val_rows, o.batch, 1, job.pad_id, o.seed, /*shuffle=*/false);
  }
  TrainerOptions t = trainer_options(o, job.tokenizer_dir, val_batches, *dist);
  setup_lora(o, job.model, t);
  Trainer trainer(job.model, t, source, causal_lm_loss, validation, dist);
  if (!o.resume.empty()) trainer.resume(o.resume);
  auto metrics = trainer.run();
  if (dist->rank() == 0 && !metrics.empty())
    log_info("done: step ", trainer.step(), ", loss ", metrics.back().loss,
             metrics.back().val_loss ? ", val loss " + std::to_string(*metrics.back().val_loss) : std::string(),
             "; model in ", o.out_dir);
  return 0;
}

int run_dpo(const TrainRunOptions& o) {
  int code = 0;
  if (launch_if_requested(o, &code)) return code;
  common_setup(o);
  DpoOptions dpo{o.dpo_loss, o.beta, o.label_smoothing, o.rpo_alpha};
  validate(dpo);
  FineTuneJob job = fine_tune_job(o, "--sft");
  auto dist = std::make_shared<Distributed>(rendezvous_from_env(), parse_device(o.device));
  const torch::Device device = parse_device(o.device);
  job.model->to(device);

  // The reference is the starting model: its log-probs once, cached (rank 0 writes).
  // Training pairs: only those the run's steps will visit are scored.
  auto reference_for = [&](const std::vector<PairRows>& pairs, const std::vector<size_t>& needed, const std::string& name) {
    const std::string cache = o.out_dir + "/" + name;
    std::vector<std::array<double, 2>> logps;
    if (dist->rank() == 0) logps = cached_reference_logps(cache, o.base, job.model, pairs, needed, o.batch, job.pad_id, device);
    dist->barrier();  // the other ranks then find the cache rank 0 wrote
    if (dist->rank() != 0) logps = cached_reference_logps(cache, o.base, job.model, pairs, needed, o.batch, job.pad_id, device);
    return logps;
  };
  auto pairs = std::make_shared<const std::vector<PairRows>>(tokenize_pairs(read_preference_pairs(o.data), *job.tok, job.rows));
  log_info("dpo data: ", pairs->size(), " pairs (", dpo.loss, ", beta ", dpo.beta, ")");
  const auto visited = visited_pairs(pairs->size(), o.steps, o.batch, o.grad_accum, o.seed);
  auto source = std::make_shared<PairBatchSource>(pairs, reference_for(*pairs, visited, "reference-logps.json"), o.batch,
                                                  o.grad_accum, job.pad_id, o.seed);
  std::shared_ptr<BatchSource> validation;
  int64_t val_batches = 4;
  if (!o.val_data.empty()) {
    auto val = std::make_shared<const std::vector<PairRows>>(tokenize_pairs(read_preference_pairs(o.val_data), *job.tok, job.rows));
    val_batches = whole_set_batches(val->size(), o.batch);
    auto val_reference = reference_for(*val, all_pair_indices(val->size()), "reference-logps-val.json");
    validation = std::make_shared<PairBatchSource>(val, std::move(val_reference), o.batch, 1, job.pad_id, o.seed,
                                                   /*shuffle=*/false);
  }
  TrainerOptions t = trainer_options(o, job.tokenizer_dir, val_batches, *dist);
  setup_lora(o, job.model, t);  // B = 0: the reference log-probs above are the adapted model's too
  Trainer trainer(job.model, t, source, dpo_loss_fn(dpo), validation, dist);
  if (!o.resume.empty()) trainer.resume(o.resume);
  auto metrics = trainer.run();
  if (dist->rank() == 0 && !metrics.empty()) {
    const auto& m = metrics.back();
    log_info("done: step ", trainer.step(), ", loss ", m.loss, ", reward margin ", m.extra.count("rewards/margins") ? m.extra.at("rewards/margins") : 0.0,
             m.val_extra.count("rewards/accuracy") ? ", val reward accuracy " + std::to_string(m.val_extra.at("rewards/accuracy")) : std::string(),
             "; model in ", o.out_dir);
  }
  return 0;
}

int run_pretrain(const TrainRunOptions& o) {
  int code = 0;
  if (launch_if_requested(o, &code)) return code;
  common_setup(o);
  format::ModelConfig config = config_from_flag(o.config);
  Job job;
  job.eos_id = static_cast<int32_t>(config.eos_id);
  job.bos_id = static_cast<int32_t>(config.bos_id);
  if (o.tokenizer.empty()) {
    log_warn("no --tokenizer: documents are taken as separated by config eos_id ", config.eos_id,
             " and the saved model has no tokenizer files");
  } else {
    auto tok = tokenizer::Tokenizer::load(o.tokenizer);
    if (static_cast<int64_t>(tok.vocab_size()) > config.vocab_size)
      fail("--config: vocab_size ", config.vocab_size, " is smaller than the tokenizer's ", tok.vocab_size(),
           " entries; use a config with vocab_size >= ", tok.vocab_size());
    // A preset's vocabulary is a size guess; a trained tokenizer is the truth. Embedding rows
    // no token can reach only cost time (the output layer is computed for every row).
    const bool is_preset = !fs::exists(o.config);
    const int64_t fitted = (static_cast<int64_t>(tok.vocab_size()) + 63) / 64 * 64;  // matmul-friendly
    if (is_preset && fitted < config.vocab_size) {
      log_info("vocab_size ", config.vocab_size, " -> ", fitted, " to fit the tokenizer's ", tok.vocab_size(), " tokens");
      config.vocab_size = fitted;
    }
    config.bos_id = tok.bos_id();
    config.eos_id = tok.eos_id();
    config.pad_id = tok.pad_id();
    job.eos_id = tok.eos_id();
    job.bos_id = tok.bos_id();
    job.tokenizer_dir = fs::is_directory(o.tokenizer) ? o.tokenizer : fs::path(o.tokenizer).parent_path().string();
  }
  job.model = LlamaForCausalLM(config);
  job.model->init_weights();
  return train(o, job, /*continual=*/false);
}

int run_cpt(const TrainRunOptions& o) {
  int code = 0;
  if (launch_if_requested(o, &code)) return code;
  common_setup(o);
  if (o.base.empty()) fail("--base HF_DIR is required: the model to continue pre-training");
  Job job;
  job.model = load_hf_model(o.base, torch::kCPU);
  job.tokenizer_dir = o.tokenizer.empty() ? o.base : o.tokenizer;
  job.eos_id = static_cast<int32_t>(job.model->config().eos_id);
  job.bos_id = static_cast<int32_t>(job.model->config().bos_id);
  return train(o, job, /*continual=*/true);
}

}  // namespace gemba::train
