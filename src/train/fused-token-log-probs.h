// The log-probability a model gives each label token, log softmax(logits)[label], as one
// autograd op: the language-model loss of every stage (pretrain, CPT, SFT) and DPO's sequence
// log-probabilities.
// libtorch ran it as a cast of the bf16 logits [N, V] to f32, log_softmax, a gather, and the
// same backward (~15 ms of a ~230 ms demo step, for V = 4000). On CPU tensors of f32 or bf16 this
// is one pass over each row forward (max, sum of exp) and one backward that writes the logits'
// gradient in their dtype (train/log-softmax-kernel.h). Anything else (CUDA, f64 in the
// reference tests) runs the same math as torch ops.
#pragma once
#include <torch/torch.h>

namespace gemba::train {

// logits [..., V], labels [...] (int64, in [0, V) or ignore_index) -> f32 [...]:
// log softmax(logits)[label], and 0 where labels == ignore_index (no gradient there).
torch::Tensor token_log_probs(const torch::Tensor& logits, const torch::Tensor& labels, int64_t ignore_index);

}  // namespace gemba::train
