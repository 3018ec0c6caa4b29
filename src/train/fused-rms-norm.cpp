#include "train/fused-rms-norm.h"

#include <algorithm>
#include <cstdint>

#include "train/autocast.h"
#include "train/rms-norm-kernel.h"

namespace gemba::train {
namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

// The weight's gradient is summed per fixed block of rows, then the blocks in order, so it
// does not depend on how many threads ran them.
constexpr int64_t kRowsPerBlock = 64;

struct RmsNormFunction : public torch::autograd::Function<RmsNormFunction> {
  // x [N, D] f32 contiguous, weight [D] f32 contiguous; the output is bf16 if bf16_out, else f32.
  static torch::Tensor forward(AutogradContext* ctx, torch::Tensor x, torch::Tensor weight, double eps, bool bf16_out) {
    const int64_t n = x.size(0), d = x.size(1);
    auto inv_rms = torch::empty({n}, x.options());                                       // [N]
    auto y = torch::empty_like(x, x.options().dtype(bf16_out ? torch::kBFloat16 : torch::kFloat32));  // [N, D]
    const float* xp = x.data_ptr<float>();
    const float* wp = weight.data_ptr<float>();
    float* ip = inv_rms.data_ptr<float>();
    const auto e = static_cast<float>(eps);
    const int64_t grain = std::max<int64_t>(1, 16384 / d);  // ~16k elements per task
    if (bf16_out) {
      auto* yp = reinterpret_cast<uint16_t*>(y.data_ptr<at::BFloat16>());
      at::parallel_for(0, n, grain, [&](int64_t b, int64_t end) { rms_norm_rows_bf16(xp, wp, e, ip, yp, b, end, d); });
    } else {
      float* yp = y.data_ptr<float>();
      at::parallel_for(0, n, grain, [&](int64_t b, int64_t end) { rms_norm_rows_f32(xp, wp, e, ip, yp, b, end, d); });
    }
    ctx->save_for_backward({x, weight, inv_rms});
    return y;
  }

  static variable_list backward(AutogradContext* ctx, variable_list grad) {
    const auto saved = ctx->get_saved_variables();
    const auto& x = saved[0];
    const auto& weight = saved[1];
    const auto& inv_rms = saved[2];
    auto dy = grad[0].contiguous();
    if (dy.scalar_type() != torch::kBFloat16 && dy.scalar_type() != torch::kFloat32) dy = dy.to(torch::kFloat32);
    const int64_t n = x.size(0), d = x.size(1);
    const bool want_dw = ctx->needs_input_grad(1);
    const int64_t blocks = (n + kRowsPerBlock - 1) / kRowsPerBlock;
    auto dx = torch::empty_like(x);                                                      // [N, D] f32
    auto dw_blocks = want_dw ? torch::zeros({blocks, d}, x.options()) : torch::Tensor();  // [blocks, D]
    const float* xp = x.data_ptr<float>();
    const float* wp = weight.data_ptr<float>();
    const float* ip = inv_rms.data_ptr<float>();
    float* dxp = dx.data_ptr<float>();
    at::parallel_for(0, blocks, 1, [&](int64_t b0, int64_t b1) {
      for (int64_t blk = b0; blk < b1; ++blk) {
        const int64_t r0 = blk * kRowsPerBlock, r1 = std::min(n, r0 + kRowsPerBlock);
        float* dw = want_dw ? dw_blocks.data_ptr<float>() + blk * d : nullptr;
        if (dy.scalar_type() == torch::kBFloat16)
          rms_norm_backward_rows_bf16(xp, wp, ip, reinterpret_cast<const uint16_t*>(dy.data_ptr<at::BFloat16>()), dxp, dw,
                                      r0, r1, d);
        else
          rms_norm_backward_rows_f32(xp, wp, ip, dy.data_ptr<float>(), dxp, dw, r0, r1, d);
      }
    });
    torch::Tensor dw;
    if (want_dw) {
      // The blocks in order (not torch's sum, whose order follows the thread count).
      dw = torch::zeros({d}, x.options());  // [D]
      float* out = dw.data_ptr<float>();
      const float* part = dw_blocks.data_ptr<float>();
      for (int64_t blk = 0; blk < blocks; ++blk)
        for (int64_t j = 0; j < d; ++j) out[j] += part[blk * d + j];
    }
    return {dx, dw, torch::Tensor(), torch::Tensor()};
  }
};

}  // namespace

torch::Tensor rms_norm(const torch::Tensor& x, const torch::Tensor& weight, double eps) {
  TORCH_CHECK(x.dim() >= 1 && weight.dim() == 1 && x.size(-1) == weight.size(0),
              "rms_norm: x must be [..., D] and weight [D]");
  const bool fused = x.device().is_cpu() && weight.device().is_cpu() && x.scalar_type() == torch::kFloat32 &&
                     weight.scalar_type() == torch::kFloat32 && x.numel() > 0;
  if (!fused) {
    auto xf = x.to(torch::kFloat32);                                   // [..., D]
    auto var = xf.pow(2).mean(-1, /*keepdim=*/true);                   // [..., 1]
    auto normed = (xf * torch::rsqrt(var + eps)).to(x.scalar_type());  // [..., D]
    return weight * normed;
  }
  const auto autocast = active_autocast_dtype(x.device());
  const bool bf16_out = autocast && *autocast == torch::kBFloat16;
  const auto shape = x.sizes().vec();
  auto y = RmsNormFunction::apply(x.reshape({-1, x.size(-1)}).contiguous(), weight.contiguous(), eps, bf16_out);
  return y.view(shape);
}

}  // namespace gemba::train
