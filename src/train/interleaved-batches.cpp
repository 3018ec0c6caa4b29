#include "train/interleaved-batches.h"

#include <cmath>

#include "core/error.h"

namespace gemba::train {

InterleavedBatchSource::InterleavedBatchSource(std::shared_ptr<BatchSource> main, std::shared_ptr<BatchSource> side,
                                               double side_ratio)
    : main_(std::move(main)), side_(std::move(side)), ratio_(side_ratio) {
  if (!(ratio_ >= 0 && ratio_ < 1)) fail("interleaved batches: the side share ", ratio_, " must be in [0, 1)");
  if (!main_ || (ratio_ > 0 && !side_)) fail("interleaved batches: a source is missing");
}

int64_t InterleavedBatchSource::side_steps_before(int64_t step) const {
  return static_cast<int64_t>(std::floor(static_cast<double>(step) * ratio_));
}

bool InterleavedBatchSource::is_side_step(int64_t step) const {
  return ratio_ > 0 && side_steps_before(step + 1) > side_steps_before(step);
}

Batch InterleavedBatchSource::get(int64_t step, int64_t micro, int rank, int world_size) {
  const int64_t side_before = side_steps_before(step);
  if (is_side_step(step)) return side_->get(side_before, micro, rank, world_size);
  return main_->get(step - side_before, micro, rank, world_size);
}

}  // namespace gemba::train
