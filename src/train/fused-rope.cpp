#include "train/fused-rope.h"

#include <algorithm>
#include <cstdint>

#include "train/rope-kernel.h"

namespace gemba::train {
namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

// x [B, T, H, hd] contiguous f32 or bf16; cos, sin [T, hd] f32 contiguous.
torch::Tensor run_rope(const torch::Tensor& x, const torch::Tensor& cos, const torch::Tensor& sin, bool backward) {
  auto y = torch::empty_like(x);
  const int64_t T = x.size(1), H = x.size(2), hd = x.size(3);
  const int64_t rows = x.numel() / hd;
  const float* c = cos.data_ptr<float>();
  const float* s = sin.data_ptr<float>();
  const int64_t grain = std::max<int64_t>(1, 16384 / hd);  // ~16k elements per task
  if (x.scalar_type() == torch::kBFloat16) {
    const auto* in = reinterpret_cast<const uint16_t*>(x.data_ptr<at::BFloat16>());
    auto* out = reinterpret_cast<uint16_t*>(y.data_ptr<at::BFloat16>());
    at::parallel_for(0, rows, grain, [&](int64_t b, int64_t e) { rope_rows_bf16(backward, in, c, s, out, b, e, H, T, hd); });
  } else {
    const float* in = x.data_ptr<float>();
    float* out = y.data_ptr<float>();
    at::parallel_for(0, rows, grain, [&](int64_t b, int64_t e) { rope_rows_f32(backward, in, c, s, out, b, e, H, T, hd); });
  }
  return y;
}

struct RopeFunction : public torch::autograd::Function<RopeFunction> {
  static torch::Tensor forward(AutogradContext* ctx, torch::Tensor x, torch::Tensor cos, torch::Tensor sin) {
    ctx->save_for_backward({cos, sin});
    return run_rope(x.contiguous(), cos, sin, /*backward=*/false);
  }
  static variable_list backward(AutogradContext* ctx, variable_list grad) {
    const auto saved = ctx->get_saved_variables();
    return {run_rope(grad[0].contiguous(), saved[0], saved[1], /*backward=*/true), torch::Tensor(), torch::Tensor()};
  }
};

// HF rotate_half: [x1, x2] -> [-x2, x1] over the last dim.
torch::Tensor rotate_half(const torch::Tensor& x) {
  const int64_t half = x.size(-1) / 2;
  return torch::cat({-x.narrow(-1, half, half), x.narrow(-1, 0, half)}, -1);
}

}  // namespace

torch::Tensor rope(const torch::Tensor& x, const torch::Tensor& cos, const torch::Tensor& sin) {
  TORCH_CHECK(x.dim() == 4 && cos.dim() == 2 && cos.size(0) == x.size(1) && cos.size(1) == x.size(3) &&
                  sin.sizes() == cos.sizes() && x.size(3) % 2 == 0,
              "rope: x must be [B, T, H, hd] and cos, sin [T, hd] with an even hd");
  const auto dt = x.scalar_type();
  const bool fused = x.device().is_cpu() && cos.device().is_cpu() && (dt == torch::kFloat32 || dt == torch::kBFloat16);
  if (!fused) {
    auto c = cos.to(dt).unsqueeze(1);  // [T, 1, hd]
    auto s = sin.to(dt).unsqueeze(1);
    return x * c + rotate_half(x) * s;
  }
  return RopeFunction::apply(x, cos.to(torch::kFloat32).contiguous(), sin.to(torch::kFloat32).contiguous());
}

}  // namespace gemba::train
