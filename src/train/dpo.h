// Direct Preference Optimization (Rafailov et al. 2023): fine-tune a policy so that, relative
// to a frozen reference (the SFT model), it prefers each pair's chosen answer over its
// rejected one. Pairs come from `gemba pairs` (rejected = a similar-but-different FAQ answer)
// in TRL's format. The reference log-probs are computed once, before training, and cached in
// the run directory; chosen and rejected rows go through the policy in one batch.
//
// With h = (log πθ(yc|x) - log πref(yc|x)) - (log πθ(yr|x) - log πref(yr|x)):
//   sigmoid: loss = -(1-ε) log σ(β h) - ε log σ(-β h)       (ε: label smoothing, cDPO)
//   ipo:     loss = (h - 1/(2β))²  with per-token mean log-probs (Azar et al. 2023)
//   + rpo_alpha · NLL of the chosen answer (per-token mean; Pang et al. 2024, "Iterative
//     Reasoning Preference Optimization"), against the likelihood of both answers sinking.
// Logged per pair: rewards/chosen = β(log πθ(yc) - log πref(yc)), rewards/rejected, margins,
// accuracy (chosen reward > rejected reward), logps/chosen, logps/rejected.
#pragma once
#include <torch/torch.h>

#include <array>
#include <memory>
#include <string>
#include <vector>

#include "train/row-batches.h"
#include "train/sft-data.h"
#include "train/trainer.h"

namespace gemba::train {

struct PreferencePair {
  std::string id;                                // "<file>:<line>"
  std::vector<tokenizer::ChatMessage> prompt;    // a string prompt becomes one user turn
  std::string chosen, rejected;                  // assistant answers
};

// TRL preference JSONL: {"prompt": str | [messages], "chosen": str | [assistant message],
// "rejected": ...}; `paths` is one file or a comma-separated list. Malformed lines are skipped
// with a warning naming file:line; a file with no usable pair throws gemba::Error.
std::vector<PreferencePair> read_preference_pairs(const std::string& paths);

struct PairRows {
  SftRow chosen, rejected;  // prompt + answer, targets = answer tokens (and EOS)
};
std::vector<PairRows> tokenize_pairs(const std::vector<PreferencePair>& pairs, const tokenizer::Tokenizer& tok,
                                     const SftDataOptions& options);

struct DpoOptions {
  std::string loss = "sigmoid";  // sigmoid | ipo
  double beta = 0.1;
  double label_smoothing = 0.0;  // sigmoid only, in [0, 0.5)
  double rpo_alpha = 0.0;
};
void validate(const DpoOptions& options);

// Per-pair terms from sequence log-probs (all [b]): policy chosen/rejected, reference
// chosen/rejected (sums, or per-token means for ipo: the caller decides).
struct DpoTerms {
  torch::Tensor losses;            // [b]
  torch::Tensor chosen_rewards;    // [b], detached
  torch::Tensor rejected_rewards;  // [b], detached
};
DpoTerms dpo_terms(const torch::Tensor& policy_chosen, const torch::Tensor& policy_rejected,
                   const torch::Tensor& reference_chosen, const torch::Tensor& reference_rejected, const DpoOptions& options);

// logits [B, T, V], labels [B, T] (kIgnoreIndex = no target) -> per-row sum of target-token
// log-probs [B] and target counts [B].
std::pair<torch::Tensor, torch::Tensor> sequence_logps(const torch::Tensor& logits, const torch::Tensor& labels);

// The pair indices (sorted, unique) a shuffled PairBatchSource with this seed draws in `steps`
// optimizer steps of `grad_accum` micro-batches of `batch` pairs (all ranks together); every
// pair when that is at least n_pairs.
std::vector<size_t> visited_pairs(size_t n_pairs, int64_t steps, int64_t batch, int64_t grad_accum, uint64_t seed);
std::vector<size_t> all_pair_indices(size_t n_pairs);  // 0 .. n_pairs-1

// Reference log-prob sums: [i][0] chosen, [i][1] rejected for each pair i in `which`, NaN for
// the others (size = pairs.size()). Runs `model` in eval mode without gradients, `batch` pairs
// at a time. Without `which`: every pair.
std::vector<std::array<double, 2>> compute_reference_logps(LlamaForCausalLM& model, const std::vector<PairRows>& pairs,
                                                           const std::vector<size_t>& which, int64_t batch,
                                                           int32_t pad_id, torch::Device device);
std::vector<std::array<double, 2>> compute_reference_logps(LlamaForCausalLM& model, const std::vector<PairRows>& pairs,
                                                           int64_t batch, int32_t pad_id, torch::Device device);

// The cache: `path` holds {"key", "logps"} (null for pairs not scored). Its scores are reused
// when the key matches; the `needed` pairs it lacks are computed and the file rewritten
// (atomically). The key combines the reference model's files and the exact token ids of the
// pairs. Without `needed`: every pair.
std::vector<std::array<double, 2>> cached_reference_logps(const std::string& path, const std::string& reference_dir,
                                                          LlamaForCausalLM& model, const std::vector<PairRows>& pairs,
                                                          const std::vector<size_t>& needed, int64_t batch,
                                                          int32_t pad_id, torch::Device device);
std::vector<std::array<double, 2>> cached_reference_logps(const std::string& path, const std::string& reference_dir,
                                                          LlamaForCausalLM& model, const std::vector<PairRows>& pairs,
                                                          int64_t batch, int32_t pad_id, torch::Device device);

// Batches of `batch` pairs: input rows [chosen_0..chosen_{b-1}, rejected_0..rejected_{b-1}],
// extra["ref_chosen"], extra["ref_rejected"] [b] (f64), extra["target_counts"] [2b].
class PairBatchSource : public BatchSource {
 public:
  PairBatchSource(std::shared_ptr<const std::vector<PairRows>> pairs, std::vector<std::array<double, 2>> reference,
                  int64_t batch, int64_t grad_accum, int32_t pad_id, uint64_t seed, bool shuffle = true);
  Batch get(int64_t step, int64_t micro, int rank, int world_size) override;
  int64_t tokens_per_micro_batch() const override { return tokens_per_micro_batch_; }

 private:
  std::shared_ptr<const std::vector<PairRows>> pairs_;
  std::vector<std::array<double, 2>> reference_;
  int64_t batch_, grad_accum_;
  int32_t pad_id_;
  EpochOrder order_;
  int64_t tokens_per_micro_batch_ = 0;
};

// The LossFn over PairBatchSource batches: sum of per-pair losses, count = pairs, and the
// reward metrics as metric_sums.
LossFn dpo_loss_fn(const DpoOptions& options);

}  // namespace gemba::train
