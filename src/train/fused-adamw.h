// One AdamW step over all of an optimizer's parameters in two passes over memory (gradient
// norm, then the update), where libtorch's AdamW runs ~10 tensor ops per parameter and the
// trainer added a scaling, a clipping and a zeroing pass: ~1200 small ops per step, ~7% of a
// demo-size CPU step.
//
// The state lives in the torch::optim::AdamW object, as its own step() would leave it, so
// checkpoints (optimizer.pt) are the same either way and a run may resume with either.
#pragma once
#include <torch/torch.h>

namespace gemba::train {

// Whether fused_adamw_step can run: CPU, every parameter f32 and contiguous, no AMSGrad.
bool fused_adamw_supported(const torch::optim::AdamW& optimizer);

// Given raw gradients g (as backward left them), treats grad_scale * g as the gradient: its
// global L2 norm is returned, and when clip_norm > 0 it is scaled by
// min(1, clip_norm / (norm + 1e-6)) as torch::nn::utils::clip_grad_norm_ would. Then one AdamW
// step with each group's lr / betas / eps / weight decay. The gradients are reset to undefined
// afterwards (the next backward writes them afresh instead of adding to zeros).
// The norm is summed in f64 over fixed blocks in order: it does not depend on the thread count.
double fused_adamw_step(torch::optim::AdamW& optimizer, double grad_scale, double clip_norm);

}  // namespace gemba::train
