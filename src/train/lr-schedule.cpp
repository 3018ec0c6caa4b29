#include "train/lr-schedule.h"

#include <algorithm>
#include <cmath>

namespace gemba::train {

double LrSchedule::at(int64_t step) const {
  if (step < warmup_steps) {
    const double t = static_cast<double>(step + 1) / static_cast<double>(warmup_steps);
    return warmup_start + (peak - warmup_start) * t;
  }
  const int64_t decay_steps = std::max<int64_t>(1, total_steps - warmup_steps);
  const double t = std::min(1.0, static_cast<double>(step - warmup_steps) / static_cast<double>(decay_steps));
  const double kPi = 3.14159265358979323846;
  return min_lr + 0.5 * (peak - min_lr) * (1.0 + std::cos(kPi * t));
}

}  // namespace gemba::train
