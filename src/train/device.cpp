#include "train/device.h"

#include "core/error.h"

namespace gemba::train {

torch::Device parse_device(const std::string& name) {
  if (name == "cpu") return torch::Device(torch::kCPU);
  if (name.rfind("cuda", 0) == 0) {
    if (!torch::cuda::is_available())
      fail("--device ", name, ": CUDA is not available in this build or on this machine; use --device cpu");
    return torch::Device(name);
  }
  fail("--device ", name, ": unknown device; use cpu, cuda or cuda:N");
}

torch::Dtype parse_dtype(const std::string& name) {
  if (name == "f32" || name == "float32") return torch::kFloat32;
  if (name == "bf16" || name == "bfloat16") return torch::kBFloat16;
  fail("--dtype ", name, ": unknown dtype; use f32 or bf16");
}

}  // namespace gemba::train
