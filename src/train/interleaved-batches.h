// Two batch sources taking turns by optimizer step: step s comes from `side` iff
// floor((s+1)·r) > floor(s·r), so exactly a share r of any prefix of the run is side steps,
// deterministically (the rule MixedSequences uses for replay windows). Each source sees its
// own steps numbered 0, 1, 2...: a resumed run or another world size gets the same batches.
//
// Why: `gemba cpt --mix-sft` puts chat-templated true/false statements (loss on the answer
// only) between the manual windows, so the readout is learned while the facts are, over the
// whole CPT, instead of in a short SFT after it (docs/knowledge-experiments.md, session 8).
#pragma once
#include <memory>

#include "train/trainer.h"

namespace gemba::train {

class InterleavedBatchSource : public BatchSource {
 public:
  // side_ratio in [0, 1): the share of steps taken from `side`.
  InterleavedBatchSource(std::shared_ptr<BatchSource> main, std::shared_ptr<BatchSource> side, double side_ratio);
  Batch get(int64_t step, int64_t micro, int rank, int world_size) override;
  // The main source's: throughput is reported in its units (the side's rows are padded).
  int64_t tokens_per_micro_batch() const override { return main_->tokens_per_micro_batch(); }

  bool is_side_step(int64_t step) const;
  int64_t side_steps_before(int64_t step) const;  // side steps among steps [0, step)

 private:
  std::shared_ptr<BatchSource> main_, side_;
  double ratio_;
};

}  // namespace gemba::train
