// Batches of variable-length rows (SFT conversations): each micro-batch is padded on the
// right to its longest row; labels are the next token where that token is a target, else
// kIgnoreIndex (padding, prompts). Row order: epoch e visits the rows in a permutation
// seeded by (seed, e), so the rows of any step are a pure function of the step (exact resume,
// any world size), like PackedBatchSource.
#pragma once
#include <memory>
#include <vector>

#include "train/sft-data.h"
#include "train/trainer.h"

namespace gemba::train {

// Inputs [b, T] and labels [b, T] for rows[i] (T = longest row - 1); pad_id fills inputs.
Batch batch_from_rows(const std::vector<const SftRow*>& rows, int32_t pad_id);


// The order a run visits n items (shared by the SFT and DPO sources): epoch e in a permutation
// seeded by (seed, e), or in file order when !shuffle.
class EpochOrder {
 public:
  EpochOrder(uint64_t n, uint64_t seed, bool shuffle) : n_(n), seed_(seed), shuffle_(shuffle) {}
  uint64_t at(uint64_t k) const;  // the item visited k-th
  bool shuffled() const { return shuffle_; }

  // Length grouping (shuffled orders only): each run of `group` consecutive items of an epoch's
  // permutation is sorted longest first, so a micro-batch holds rows of about the same length
  // and little of it is padding. The groups stay random; the order is still a pure function of
  // (seed, epoch). lengths[i]: item i's length.
  void group_by_length(std::vector<uint32_t> lengths, uint64_t group);

 private:
  uint64_t n_, seed_;
  bool shuffle_;
  std::vector<uint32_t> lengths_;  // empty: no grouping
  uint64_t group_ = 0;
  mutable uint64_t cached_epoch_ = ~0ull;
  mutable std::vector<uint64_t> cached_perm_;  // the current epoch's permutation
};

// The global slots of micro-batch `micro` of `step` that belong to `rank`: [first, first + rows).
// Unshuffled (validation) sources read micro-batch m as slots [m·batch, ...) whatever the step.
struct RankSlice {
  uint64_t first = 0;
  int64_t rows = 0;
};
RankSlice rank_slice(int64_t step, int64_t micro, int64_t batch, int64_t grad_accum, int rank, int world_size);
RankSlice rank_slice(const EpochOrder& order, int64_t step, int64_t micro, int64_t batch, int64_t grad_accum, int rank,
                     int world_size);

class RowBatchSource : public BatchSource {
 public:
  // shuffle = false: rows in order, micro-batch m of "step" 0 is rows [m·batch, (m+1)·batch)
  // wrapping around (validation).
  // group_by_length: micro-batches of rows of about the same length (EpochOrder::group_by_length,
  // groups of kLengthGroupBatches micro-batches): less padding, the same rows per epoch.
  RowBatchSource(std::shared_ptr<const std::vector<SftRow>> rows, int64_t batch, int64_t grad_accum, int32_t pad_id,
                 uint64_t seed, bool shuffle = true, bool group_by_length = false);
  static constexpr int64_t kLengthGroupBatches = 64;
  Batch get(int64_t step, int64_t micro, int rank, int world_size) override;
  int64_t tokens_per_micro_batch() const override { return tokens_per_micro_batch_; }
  size_t size() const { return rows_->size(); }

 private:
  std::shared_ptr<const std::vector<SftRow>> rows_;
  int64_t batch_, grad_accum_;
  int32_t pad_id_;
  EpochOrder order_;
  int64_t tokens_per_micro_batch_ = 0;
};

}  // namespace gemba::train
