#include "train/autocast.h"

#include <ATen/autocast_mode.h>
#include <torch/version.h>

namespace gemba::train {

namespace {

#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
bool enabled(torch::Device d) { return at::autocast::is_autocast_enabled(d.type()); }
torch::Dtype dtype_of(torch::Device d) { return at::autocast::get_autocast_dtype(d.type()); }
void set(torch::Device d, bool on, torch::Dtype dtype) {
  at::autocast::set_autocast_dtype(d.type(), dtype);
  at::autocast::set_autocast_enabled(d.type(), on);
}
#else
bool enabled(torch::Device d) { return d.is_cuda() ? at::autocast::is_enabled() : at::autocast::is_cpu_enabled(); }
torch::Dtype dtype_of(torch::Device d) {
  return d.is_cuda() ? at::autocast::get_autocast_gpu_dtype() : at::autocast::get_autocast_cpu_dtype();
}
void set(torch::Device d, bool on, torch::Dtype dtype) {
  if (d.is_cuda()) {
    at::autocast::set_autocast_gpu_dtype(dtype);
    at::autocast::set_enabled(on);
  } else {
    at::autocast::set_autocast_cpu_dtype(dtype);
    at::autocast::set_cpu_enabled(on);
  }
}
#endif

}  // namespace

AutocastScope::AutocastScope(torch::Device device, torch::Dtype dtype)
    : on_(dtype != torch::kFloat32), device_(device) {
  if (!on_) return;
  was_enabled_ = enabled(device_);
  was_dtype_ = dtype_of(device_);
  set(device_, true, dtype);
}

AutocastScope::~AutocastScope() {
  if (!on_) return;
  set(device_, was_enabled_, was_dtype_);
  // The cast weights cached for this scope are stale once the optimizer steps.
  if (!was_enabled_) at::autocast::clear_cache();
}

std::optional<torch::Dtype> active_autocast_dtype(torch::Device device) {
  if (!enabled(device)) return std::nullopt;
  return dtype_of(device);
}

}  // namespace gemba::train
