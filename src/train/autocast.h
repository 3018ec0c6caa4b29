// bf16 mixed precision through libtorch's autocast, on CPU and CUDA, across autocast's API
// change in PyTorch 2.4 (the device machine's PyTorch may be newer than Debian's 1.13).
// Weights and the optimizer stay f32; matrix products run in the autocast dtype.
#pragma once
#include <torch/torch.h>

#include <optional>

namespace gemba::train {

// Autocast on `device` in `dtype` for the scope's lifetime (nothing for f32); the previous
// state comes back at the end, so a scope inside another (a checkpointed layer recomputed in
// backward) leaves the outer one as it was.
class AutocastScope {
 public:
  AutocastScope(torch::Device device, torch::Dtype dtype);
  ~AutocastScope();
  AutocastScope(const AutocastScope&) = delete;
  AutocastScope& operator=(const AutocastScope&) = delete;

 private:
  bool on_ = false;
  torch::Device device_;
  bool was_enabled_ = false;
  torch::Dtype was_dtype_ = torch::kFloat32;
};

// The dtype autocast runs matrix products in on `device` now; nullopt when autocast is off there.
std::optional<torch::Dtype> active_autocast_dtype(torch::Device device);

}  // namespace gemba::train
