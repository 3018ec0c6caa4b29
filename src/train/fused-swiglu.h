// SwiGLU's gate, silu(gate) * up, as one autograd op.
// libtorch 1.13 ran it as a cast of gate to f32 (its bf16 silu is 2.5x slower), silu, a cast
// back, a multiply, and the same backward: ~13% of the demo's bf16 step (bench/RESULTS.md,
// session 16). On CPU tensors of f32 or bf16 this is one loop forward and one backward
// (train/swiglu-kernel.h), computed in f32 and rounded once. Anything else (CUDA, f64 in the
// reference tests) runs the same math as torch ops.
#pragma once
#include <torch/torch.h>

namespace gemba::train {

// gate, up [..., F] of one dtype -> [..., F]: silu(gate) * up.
torch::Tensor swiglu(const torch::Tensor& gate, const torch::Tensor& up);

}  // namespace gemba::train
