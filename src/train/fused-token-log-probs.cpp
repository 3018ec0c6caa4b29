#include "train/fused-token-log-probs.h"

#include <algorithm>
#include <atomic>
#include <cstdint>

#include "core/error.h"
#include "train/log-softmax-kernel.h"
#include "train/raw-data.h"

namespace gemba::train {
namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

[[noreturn]] void fail_label_outside_vocabulary(int64_t v) {
  fail("token_log_probs: a label is outside the vocabulary [0, ", v, "); the data does not match the model's tokenizer");
}

struct TokenLogProbsFunction : public torch::autograd::Function<TokenLogProbsFunction> {
  // logits [N, V] contiguous f32 or bf16, labels [N] int64 contiguous -> [N] f32.
  static torch::Tensor forward(AutogradContext* ctx, torch::Tensor logits, torch::Tensor labels, int64_t ignore_index) {
    const int64_t n = logits.size(0), v = logits.size(1);
    auto out = torch::zeros({n}, logits.options().dtype(torch::kFloat32));  // [N]
    auto lse = torch::zeros({n}, logits.options().dtype(torch::kFloat32));  // [N]
    const int64_t* lab = labels.data_ptr<int64_t>();
    const bool bf16 = logits.scalar_type() == torch::kBFloat16;
    std::atomic<bool> out_of_range{false};  // checked here, where the labels are read anyway
    at::parallel_for(0, n, 1, [&](int64_t r0, int64_t r1) {
      for (int64_t r = r0; r < r1; ++r) {
        if (lab[r] == ignore_index) continue;
        if (lab[r] < 0 || lab[r] >= v) {
          out_of_range = true;
          continue;
        }
        float* l = raw<float>(lse) + r;
        raw<float>(out)[r] = bf16 ? row_log_prob_bf16(raw<const uint16_t>(logits) + r * v, v, lab[r], l)
                                  : row_log_prob_f32(raw<const float>(logits) + r * v, v, lab[r], l);
      }
    });
    if (out_of_range) fail_label_outside_vocabulary(v);
    ctx->save_for_backward({logits, labels, lse});
    ctx->saved_data["ignore_index"] = ignore_index;
    return out;
  }

  static variable_list backward(AutogradContext* ctx, variable_list grad) {
    const auto saved = ctx->get_saved_variables();
    const auto& logits = saved[0];
    const auto& labels = saved[1];
    const auto& lse = saved[2];
    const int64_t ignore_index = ctx->saved_data["ignore_index"].toInt();
    const int64_t n = logits.size(0), v = logits.size(1);
    auto g = grad[0].to(torch::kFloat32).contiguous();  // [N]
    auto dlogits = torch::empty_like(logits);            // [N, V]
    const int64_t* lab = labels.data_ptr<int64_t>();
    const bool bf16 = logits.scalar_type() == torch::kBFloat16;
    at::parallel_for(0, n, 1, [&](int64_t r0, int64_t r1) {
      for (int64_t r = r0; r < r1; ++r) {
        if (lab[r] == ignore_index) {
          std::fill_n(static_cast<char*>(dlogits.data_ptr()) + r * v * dlogits.element_size(), v * dlogits.element_size(), 0);
          continue;
        }
        const float gr = raw<const float>(g)[r], l = raw<const float>(lse)[r];
        if (bf16)
          row_log_prob_backward_bf16(raw<const uint16_t>(logits) + r * v, v, lab[r], l, gr, raw<uint16_t>(dlogits) + r * v);
        else
          row_log_prob_backward_f32(raw<const float>(logits) + r * v, v, lab[r], l, gr, raw<float>(dlogits) + r * v);
      }
    });
    return {dlogits, torch::Tensor(), torch::Tensor()};
  }
};

}  // namespace

torch::Tensor token_log_probs(const torch::Tensor& logits, const torch::Tensor& labels, int64_t ignore_index) {
  const int64_t v = logits.size(-1);
  auto flat_labels = labels.reshape({-1}).to(torch::kInt64);  // [N]
  const auto dt = logits.scalar_type();
  if (!logits.device().is_cpu() || (dt != torch::kFloat32 && dt != torch::kBFloat16)) {
    auto valid = flat_labels.ne(ignore_index);
    if (flat_labels.lt(0).logical_or(flat_labels.ge(v)).logical_and(valid).any().item<bool>())
      fail_label_outside_vocabulary(v);
    auto logp = torch::log_softmax(logits.reshape({-1, v}).to(torch::kFloat32), -1);           // [N, V]
    auto picked = logp.gather(-1, flat_labels.masked_fill(valid.logical_not(), 0).unsqueeze(-1)).squeeze(-1);  // [N]
    return (picked * valid.to(torch::kFloat32)).view(labels.sizes());
  }
  return TokenLogProbsFunction::apply(logits.reshape({-1, v}).contiguous(), flat_labels.contiguous(), ignore_index)
      .view(labels.sizes());
}

}  // namespace gemba::train
