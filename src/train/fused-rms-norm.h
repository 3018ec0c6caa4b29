// RMSNorm (HF convention: normalise in f32, then scale) as one autograd op.
// libtorch 1.13 runs it as pow, mean, add, rsqrt, mul, mul and ~10 ops backward, each a pass
// over memory; on the demo's bf16 step the norms and the casts of their outputs to bf16 (once
// per projection that reads them) were ~15% of the step (bench/RESULTS.md, session 16). On CPU
// with f32 x and weight this is one loop forward and one backward (train/rms-norm-kernel.h).
// Under bf16 autocast the output is bf16 directly: the same bits as autocast's cast of the f32
// output, made once instead of once per consuming projection. Anything else (CUDA, f64 in the
// reference tests) runs the same math as torch ops.
#pragma once
#include <torch/torch.h>

namespace gemba::train {

// x [..., D], weight [D] -> [..., D]: weight * x / sqrt(mean(x^2, last dim) + eps).
torch::Tensor rms_norm(const torch::Tensor& x, const torch::Tensor& weight, double eps);

}  // namespace gemba::train
