// Rotary position embedding (HF's rotate_half convention) as one autograd op:
//   y = x * cos[t] + rotate_half(x) * sin[t],  rotate_half([x1, x2]) = [-x2, x1].
// libtorch 1.13 runs it as mul, narrow, neg, cat, mul, add (and their backward) over q and k,
// each a pass over memory with its own rounding to bf16. On CPU tensors of f32 or bf16 this is
// one loop forward and one backward (train/rope-kernel.h), computed in f32 and rounded once:
// 1.24 -> 0.55 ms forward + backward on the demo's [16, 128, 4, 48] bf16 q (bench/RESULTS.md,
// session 13). Anything else (CUDA, f64 in the reference tests) runs the same math as torch ops.
#pragma once
#include <torch/torch.h>

namespace gemba::train {

// x [B, T, H, hd] (any strides); cos, sin [T, hd] (model.h rope_tables, narrowed to T).
torch::Tensor rope(const torch::Tensor& x, const torch::Tensor& cos, const torch::Tensor& sin);

}  // namespace gemba::train
