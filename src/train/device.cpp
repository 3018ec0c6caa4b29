#include "train/device.h"

#include <chrono>

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

double measure_matmul_flops(torch::Device device, torch::Dtype dtype) {
  const int64_t n = 1024;  // big enough that threading overhead does not dominate
  auto opts = torch::TensorOptions().device(device).dtype(dtype);
  auto a = torch::randn({n, n}, opts), b = torch::randn({n, n}, opts);
  auto c = torch::mm(a, b);  // warm up
  double best = 0;
  for (int trial = 0; trial < 3; ++trial) {
    int reps = 0;
    const auto t0 = std::chrono::steady_clock::now();
    double dt = 0;
    do {
      c = torch::mm(a, b);
      ++reps;
      if (device.is_cuda()) c.cpu();
      dt = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    } while (dt < 0.3);
    best = std::max(best, 2.0 * n * n * n * reps / dt);
  }
  return best;
}

const char* dtype_name(torch::Dtype dtype) { return dtype == torch::kBFloat16 ? "bf16" : "f32"; }

bool bf16_pays(double f32_flops, double bf16_flops) { return bf16_flops >= kBf16MinSpeedup * f32_flops; }

DtypeChoice choose_dtype(const std::string& name, torch::Device device) {
  if (name == "f32" || name == "float32") return {torch::kFloat32, 0, ""};
  if (name == "bf16" || name == "bfloat16") return {torch::kBFloat16, 0, ""};
  if (name != "auto") fail("--dtype ", name, ": unknown dtype; use f32, bf16 or auto");
  const double f32 = measure_matmul_flops(device, torch::kFloat32);
  const double bf16 = measure_matmul_flops(device, torch::kBFloat16);
  const bool use_bf16 = bf16_pays(f32, bf16);
  const std::string reason = "auto: matrix products " + std::to_string(static_cast<int64_t>(bf16 / 1e9)) +
                             " GFLOP/s in bf16, " + std::to_string(static_cast<int64_t>(f32 / 1e9)) + " in f32";
  return {use_bf16 ? torch::kBFloat16 : torch::kFloat32, use_bf16 ? bf16 : f32, reason};
}

}  // namespace gemba::train
