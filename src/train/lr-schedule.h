// Learning-rate schedule: linear warmup then cosine decay (Loshchilov & Hutter 2017, "SGDR")
// to min_lr. Continual pre-training restarts this schedule from step 0 on the base model:
// the LR is re-warmed from `warmup_start` up to the peak (Gupta et al. 2023, "Continual
// Pre-Training of Large Language Models: How to (re)warm your model?").
#pragma once
#include <cstdint>

namespace gemba::train {

struct LrSchedule {
  double peak = 3e-4;
  double min_lr = 3e-5;
  double warmup_start = 0.0;  // LR at step 0 of the warmup
  int64_t warmup_steps = 0;
  int64_t total_steps = 1;

  // LR of optimizer step `step` (0-based).
  double at(int64_t step) const;
};

}  // namespace gemba::train
