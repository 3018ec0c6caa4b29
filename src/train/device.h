// Where training runs: "cpu", "cuda", "cuda:N"; and the compute dtype.
#pragma once
#include <torch/torch.h>

#include <string>

namespace gemba::train {

// Parses a --device flag; "cuda" without a CUDA build or GPU is a user error.
torch::Device parse_device(const std::string& name);

// "f32" or "bf16".
torch::Dtype parse_dtype(const std::string& name);

}  // namespace gemba::train
