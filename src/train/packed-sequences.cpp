#include "train/packed-sequences.h"

#include <algorithm>
#include <cmath>

#include "core/error.h"

namespace gemba::train {

PackedSequences::PackedSequences(const std::string& spec, int64_t seq_len, int32_t eos_id, uint64_t seed, bool shuffle,
                                 int32_t bos_id)
    : seq_len_(seq_len), eos_id_(eos_id), bos_id_(bos_id), seed_(seed), shuffle_(shuffle) {
  const int64_t leading = bos_id >= 0 ? 1 : 0;  // window positions not read from the stream
  if (seq_len < leading + 1) fail("--seq-len ", seq_len, ": must be at least ", leading + 1);
  stride_ = static_cast<uint64_t>(seq_len - leading);
  auto paths = data::expand_shard_paths(spec);
  if (paths.empty()) fail(spec, ": no token shards (*.tok) found; run `gemba data` to build them");
  for (const auto& path : paths) {
    shards_.push_back(data::TokenShard::open(path));
    const auto& shard = shards_.back();
    if (shard.size() == 0) continue;
    segments_.push_back({total_, shard.size(), static_cast<int>(shards_.size() - 1)});
    total_ += shard.size();
    if (shard[shard.size() - 1] != eos_id_) {  // keep documents of consecutive shards apart
      segments_.push_back({total_, 1, -1});
      total_ += 1;
    }
  }
  const uint64_t window = stride_ + 1;  // stream tokens per window
  if (total_ < window)
    fail(spec, ": the shards hold ", total_, " tokens, fewer than one sequence of --seq-len ", seq_len_,
         " + 1; add data or lower --seq-len");
  // Consecutive windows overlap by one token (the last target of one is the first input of
  // the next), so every token is predicted once per epoch (with BOS windows, that token is
  // also predicted a second time, from BOS alone).
  n_windows_ = (total_ - 1) / stride_;
}

void PackedSequences::read_stream(uint64_t pos, uint64_t n, int32_t* out) const {
  GEMBA_ASSERT(pos + n <= total_, "stream read past the end");
  auto it = std::upper_bound(segments_.begin(), segments_.end(), pos,
                             [](uint64_t p, const Segment& s) { return p < s.begin; });
  --it;
  while (n > 0) {
    const uint64_t offset = pos - it->begin;
    const uint64_t take = std::min(n, it->length - offset);
    if (it->shard < 0)
      std::fill(out, out + take, eos_id_);
    else
      shards_[static_cast<size_t>(it->shard)].read(offset, take, out);
    out += take;
    pos += take;
    n -= take;
    ++it;
  }
}

const std::vector<uint64_t>& PackedSequences::permutation(uint64_t epoch) const {
  if (cached_epoch_ != epoch) {
    cached_perm_ = shuffled_indices(n_windows_, seed_ * 0x100000001b3ull + epoch);
    cached_epoch_ = epoch;
  }
  return cached_perm_;
}

void PackedSequences::window(uint64_t w, int32_t* out) const {
  GEMBA_ASSERT(w < n_windows_, "window out of range");
  if (bos_id_ >= 0) *out++ = bos_id_;
  read_stream(w * stride_, stride_ + 1, out);
}

void PackedSequences::sequence(uint64_t k, int32_t* out) const {
  const uint64_t epoch = k / n_windows_, i = k % n_windows_;
  window(shuffle_ ? permutation(epoch)[i] : i, out);
}

MixedSequences::MixedSequences(std::shared_ptr<PackedSequences> domain, std::shared_ptr<PackedSequences> replay,
                               double replay_ratio)
    : domain_(std::move(domain)), replay_(std::move(replay)), ratio_(replay_ ? replay_ratio : 0.0) {
  if (ratio_ < 0 || ratio_ >= 1) fail("--replay ratio ", ratio_, ": must be in [0, 1)");
  if (replay_ && replay_->seq_len() != domain_->seq_len()) fail("--replay: sequence lengths differ");
}

bool MixedSequences::is_replay(uint64_t k) const {
  if (ratio_ <= 0) return false;
  const double kd = static_cast<double>(k);
  return std::floor((kd + 1) * ratio_) > std::floor(kd * ratio_);
}

void MixedSequences::sequence(uint64_t k, int32_t* out) const {
  if (ratio_ <= 0) return domain_->sequence(k, out);
  const auto replay_before = static_cast<uint64_t>(std::floor(static_cast<double>(k) * ratio_));
  if (is_replay(k))
    replay_->sequence(replay_before, out);
  else
    domain_->sequence(k - replay_before, out);
}

std::pair<std::string, double> parse_share_spec(const std::string& flag, const std::string& spec) {
  auto colon = spec.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == spec.size())
    fail(flag, " ", spec, ": expected FILES:RATIO, e.g. general.tok:0.2");
  double ratio = 0;
  try {
    size_t used = 0;
    ratio = std::stod(spec.substr(colon + 1), &used);
    if (used != spec.size() - colon - 1) throw std::invalid_argument("trailing");
  } catch (const std::exception&) {
    fail(flag, " ", spec, ": '", spec.substr(colon + 1), "' is not a number; expected FILES:RATIO, e.g. general.tok:0.2");
  }
  if (!(ratio >= 0 && ratio < 1)) fail(flag, " ", spec, ": the ratio must be in [0, 1)");
  return {spec.substr(0, colon), ratio};
}

}  // namespace gemba::train
