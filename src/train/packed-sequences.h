// Causal-LM training data: the token shards of a --data argument seen as one stream (an EOS
// is inserted where a shard does not end with one, so documents never run together), cut
// into fixed windows of seq_len + 1 tokens (inputs = window[0..L), targets = window[1..L]),
// each starting with BOS when a bos_id is given (then seq_len stream tokens follow it):
// inference always starts a sequence with BOS, so the model must learn that position 0 is BOS
// and what to predict right after it, not find BOS there once per document at random offsets.
// visited in a deterministic shuffled order: epoch e uses a permutation seeded by (seed, e).
// Sequence k of the run is a pure function of (seed, k), so a resumed run needs only k.
// No libtorch here: this file is cheap to compile and test.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/shuffle.h"
#include "data/token-shard.h"

namespace gemba::train {

class PackedSequences {
 public:
  // `spec` as for --data (file, directory of *.tok, or comma-separated list). Throws
  // gemba::Error naming the shards when they hold fewer than seq_len + 1 tokens.
  PackedSequences(const std::string& spec, int64_t seq_len, int32_t eos_id, uint64_t seed, bool shuffle = true,
                  int32_t bos_id = -1);

  int64_t seq_len() const { return seq_len_; }
  uint64_t n_windows() const { return n_windows_; }  // windows per epoch
  uint64_t n_tokens() const { return total_; }        // stream length incl. inserted EOS

  // The k-th sequence of the run (k counts across epochs): seq_len + 1 tokens into `out`.
  void sequence(uint64_t k, int32_t* out) const;
  // Window w of the stream in file order (validation: no shuffle).
  void window(uint64_t w, int32_t* out) const;

 private:
  struct Segment {
    uint64_t begin;   // position in the stream
    uint64_t length;
    int shard;        // -1: a single inserted EOS
  };
  void read_stream(uint64_t pos, uint64_t n, int32_t* out) const;
  const std::vector<uint64_t>& permutation(uint64_t epoch) const;

  std::vector<data::TokenShard> shards_;
  std::vector<Segment> segments_;
  int64_t seq_len_;
  int32_t eos_id_;
  int32_t bos_id_;     // < 0: windows are plain stream slices
  uint64_t stride_;    // stream tokens between window starts: seq_len, or seq_len - 1 with BOS
  uint64_t seed_;
  bool shuffle_;
  uint64_t total_ = 0, n_windows_ = 0;
  mutable uint64_t cached_epoch_ = ~0ull;
  mutable std::vector<uint64_t> cached_perm_;
};

// Continual pre-training mix: domain sequences plus a replay share of general text (the guard
// against forgetting). Slot k of the run is a replay sequence iff floor((k+1)·r) > floor(k·r),
// which gives exactly the ratio r over any prefix, deterministically.
class MixedSequences {
 public:
  MixedSequences(std::shared_ptr<PackedSequences> domain, std::shared_ptr<PackedSequences> replay, double replay_ratio);
  explicit MixedSequences(std::shared_ptr<PackedSequences> domain) : MixedSequences(std::move(domain), nullptr, 0.0) {}
  int64_t seq_len() const { return domain_->seq_len(); }
  void sequence(uint64_t k, int32_t* out) const;
  bool is_replay(uint64_t k) const;
  double replay_ratio() const { return ratio_; }

 private:
  std::shared_ptr<PackedSequences> domain_, replay_;
  double ratio_;
};

// Parses a FILES:RATIO flag value such as --replay "general.tok:0.2" (the last ':' splits; the
// ratio must be in [0, 1)); errors name `flag`.
std::pair<std::string, double> parse_share_spec(const std::string& flag, const std::string& spec);

}  // namespace gemba::train
