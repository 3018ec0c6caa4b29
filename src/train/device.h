// Where training runs: "cpu", "cuda", "cuda:N"; and the compute dtype.
#pragma once
#include <torch/torch.h>

#include <string>

namespace gemba::train {

// Parses a --device flag; "cuda" without a CUDA build or GPU is a user error.
torch::Device parse_device(const std::string& name);

// Measured dense matmul rate of torch::mm in `dtype` on `device`, FLOP/s (about 1 s).
double measure_matmul_flops(torch::Device device, torch::Dtype dtype);

// bf16 pays when its matrix products run at least this many times faster than f32's. Below
// that the time saved is eaten by the casts and by the loop outside the products, which stay
// f32: on a 2-vCPU Sapphire Rapids, bf16 products (AMX) ran 6x faster and a training step 1.6x.
inline constexpr double kBf16MinSpeedup = 2.0;

// The --dtype decision for "auto", from the two measured rates.
bool bf16_pays(double f32_flops, double bf16_flops);

// "bf16" or "f32", for logs.
const char* dtype_name(torch::Dtype dtype);

struct DtypeChoice {
  torch::Dtype dtype = torch::kFloat32;
  double matmul_flops = 0;  // the chosen dtype's measured rate; 0 when nothing was measured
  std::string reason;       // for the log: what was measured, or "" when the flag said it
};

// A --dtype flag: "f32", "bf16", or "auto" (measure both on `device`; bf16 when bf16_pays).
// CPUs with AMX or AVX512-BF16 get bf16 through oneDNN; older CPUs emulate it slowly and keep f32.
DtypeChoice choose_dtype(const std::string& name, torch::Device device);

}  // namespace gemba::train
