#include "train/row-batches.h"

#include <algorithm>

#include "core/error.h"
#include "train/packed-sequences.h"

namespace gemba::train {

Batch batch_from_rows(const std::vector<const SftRow*>& rows, int32_t pad_id) {
  size_t longest = 2;
  for (const SftRow* r : rows) longest = std::max(longest, r->ids.size());
  const int64_t b = static_cast<int64_t>(rows.size()), T = static_cast<int64_t>(longest) - 1;
  auto inputs = torch::full({b, T}, static_cast<int64_t>(pad_id < 0 ? 0 : pad_id), torch::kInt64);
  auto labels = torch::full({b, T}, kIgnoreIndex, torch::kInt64);
  auto in = inputs.accessor<int64_t, 2>();
  auto lab = labels.accessor<int64_t, 2>();
  for (int64_t i = 0; i < b; ++i) {
    const SftRow& r = *rows[static_cast<size_t>(i)];
    const int64_t n = static_cast<int64_t>(r.ids.size());
    for (int64_t t = 0; t + 1 < n; ++t) {
      in[i][t] = r.ids[static_cast<size_t>(t)];
      if (r.is_target[static_cast<size_t>(t + 1)]) lab[i][t] = r.ids[static_cast<size_t>(t + 1)];
    }
  }
  return Batch{inputs, labels, {}};
}

uint64_t EpochOrder::at(uint64_t k) const {
  if (!shuffle_) return k % n_;
  const uint64_t epoch = k / n_;
  if (epoch != cached_epoch_) {
    cached_perm_ = shuffled_indices(n_, seed_ * 0x9e3779b97f4a7c15ull + epoch);
    cached_epoch_ = epoch;
    for (uint64_t start = 0; group_ > 0 && start < n_; start += group_) {
      auto first = cached_perm_.begin() + static_cast<std::ptrdiff_t>(start);
      auto last = cached_perm_.begin() + static_cast<std::ptrdiff_t>(std::min(n_, start + group_));
      std::stable_sort(first, last, [&](uint64_t a, uint64_t b) { return lengths_[a] > lengths_[b]; });
    }
  }
  return cached_perm_[k % n_];
}

void EpochOrder::group_by_length(std::vector<uint32_t> lengths, uint64_t group) {
  if (lengths.size() != n_) fail("length grouping: ", lengths.size(), " lengths for ", n_, " items");
  lengths_ = std::move(lengths);
  group_ = shuffle_ ? group : 0;  // an unshuffled order (validation) stays in file order
  cached_epoch_ = ~0ull;
}

RankSlice rank_slice(int64_t step, int64_t micro, int64_t batch, int64_t grad_accum, int rank, int world_size) {
  if (batch % world_size != 0) fail("--batch ", batch, " must be divisible by the number of ranks (", world_size, ")");
  RankSlice s;
  s.rows = batch / world_size;
  s.first = static_cast<uint64_t>((step * grad_accum + micro) * batch + s.rows * rank);
  return s;
}

RankSlice rank_slice(const EpochOrder& order, int64_t step, int64_t micro, int64_t batch, int64_t grad_accum, int rank,
                     int world_size) {
  return order.shuffled() ? rank_slice(step, micro, batch, grad_accum, rank, world_size)
                          : rank_slice(0, step + micro, batch, 1, rank, world_size);
}

RowBatchSource::RowBatchSource(std::shared_ptr<const std::vector<SftRow>> rows, int64_t batch, int64_t grad_accum,
                               int32_t pad_id, uint64_t seed, bool shuffle, bool group_by_length)
    : rows_(std::move(rows)),
      batch_(batch),
      grad_accum_(grad_accum),
      pad_id_(pad_id),
      order_(rows_ ? rows_->size() : 0, seed, shuffle) {
  if (!rows_ || rows_->empty()) fail("no training rows");
  if (batch_ < 1) fail("--batch ", batch_, ": must be at least 1");
  if (grad_accum_ < 1) fail("--grad-accum ", grad_accum_, ": must be at least 1");
  uint64_t total = 0;
  for (const auto& r : *rows_) total += r.ids.size() - 1;
  if (group_by_length) {
    std::vector<uint32_t> lengths;
    for (const auto& r : *rows_) lengths.push_back(static_cast<uint32_t>(r.ids.size()));
    order_.group_by_length(std::move(lengths), static_cast<uint64_t>(kLengthGroupBatches * batch_));
  }
  tokens_per_micro_batch_ = static_cast<int64_t>(total * static_cast<uint64_t>(batch_) / rows_->size());
}

Batch RowBatchSource::get(int64_t step, int64_t micro, int rank, int world_size) {
  const RankSlice s = rank_slice(order_, step, micro, batch_, grad_accum_, rank, world_size);
  std::vector<const SftRow*> rows;
  for (int64_t r = 0; r < s.rows; ++r) rows.push_back(&(*rows_)[order_.at(s.first + static_cast<uint64_t>(r))]);
  return batch_from_rows(rows, pad_id_);
}

}  // namespace gemba::train
