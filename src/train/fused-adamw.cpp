#include "train/fused-adamw.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <type_traits>
#include <vector>

#include "train/adamw-kernel.h"

namespace gemba::train {
namespace {

// Elements per block: the unit of work of both passes, small enough to spread a few large
// matrices over the threads, large enough that a block's overhead is noise.
constexpr int64_t kBlock = 32768;

// The key under which torch::optim keeps a parameter's state: a string of the TensorImpl's
// address in libtorch 1.13, the address itself in later versions.
template <class StateMap>
typename StateMap::key_type state_key(const StateMap&, const torch::Tensor& p) {
  using Key = typename StateMap::key_type;
  if constexpr (std::is_same_v<Key, std::string>)
    return c10::guts::to_string(p.unsafeGetTensorImpl());
  else
    return static_cast<Key>(p.unsafeGetTensorImpl());
}

struct Block {
  size_t param;  // index into the flat parameter list
  int64_t begin, end;
};

}  // namespace

bool fused_adamw_supported(const torch::optim::AdamW& optimizer) {
  for (const auto& group : optimizer.param_groups()) {
    if (static_cast<const torch::optim::AdamWOptions&>(group.options()).amsgrad()) return false;
    for (const auto& p : group.params())
      if (!p.device().is_cpu() || p.scalar_type() != torch::kFloat32 || !p.is_contiguous()) return false;
  }
  return true;
}

double fused_adamw_step(torch::optim::AdamW& optimizer, double grad_scale, double clip_norm) {
  torch::NoGradGuard no_grad;
  // Every parameter with a gradient, its group's options and its AdamW state (created as
  // AdamW::step creates it).
  std::vector<torch::Tensor> params, grads;
  std::vector<const torch::optim::AdamWOptions*> options;
  std::vector<torch::optim::AdamWParamState*> states;
  auto& state_map = optimizer.state();
  for (auto& group : optimizer.param_groups()) {
    const auto& opts = static_cast<const torch::optim::AdamWOptions&>(group.options());
    for (auto& p : group.params()) {
      if (!p.grad().defined()) continue;
      auto key = state_key(state_map, p);
      auto it = state_map.find(key);
      if (it == state_map.end()) {
        auto state = std::make_unique<torch::optim::AdamWParamState>();
        state->step(0);
        state->exp_avg(torch::zeros_like(p, torch::MemoryFormat::Preserve));
        state->exp_avg_sq(torch::zeros_like(p, torch::MemoryFormat::Preserve));
        it = state_map.emplace(key, std::move(state)).first;
      }
      auto& st = static_cast<torch::optim::AdamWParamState&>(*it->second);
      if (!st.exp_avg().is_contiguous()) st.exp_avg(st.exp_avg().contiguous());
      if (!st.exp_avg_sq().is_contiguous()) st.exp_avg_sq(st.exp_avg_sq().contiguous());
      params.push_back(p);
      grads.push_back(p.grad().contiguous());
      options.push_back(&opts);
      states.push_back(&st);
    }
  }
  std::vector<Block> blocks;
  for (size_t i = 0; i < params.size(); ++i)
    for (int64_t b = 0, n = params[i].numel(); b < n; b += kBlock) blocks.push_back({i, b, std::min(n, b + kBlock)});
  const auto n_blocks = static_cast<int64_t>(blocks.size());

  // Pass 1: the gradient norm, per block, then the blocks in order.
  std::vector<double> partial(blocks.size(), 0.0);
  at::parallel_for(0, n_blocks, 1, [&](int64_t b0, int64_t b1) {
    for (int64_t b = b0; b < b1; ++b) {
      const Block& blk = blocks[b];
      partial[b] = sum_of_squares_f32(grads[blk.param].data_ptr<float>(), blk.begin, blk.end);
    }
  });
  double sum = 0;
  for (double s : partial) sum += s;
  const double norm = grad_scale * std::sqrt(sum);
  double scale = grad_scale;
  if (clip_norm > 0) {
    const double coef = clip_norm / (norm + 1e-6);
    if (coef < 1) scale *= coef;
  }

  // Pass 2: the update, with each parameter's step numbers.
  std::vector<AdamWStep> steps(params.size());
  for (size_t i = 0; i < params.size(); ++i) {
    const auto& o = *options[i];
    auto& st = *states[i];
    st.step(st.step() + 1);
    const double beta1 = std::get<0>(o.betas()), beta2 = std::get<1>(o.betas());
    const auto t = static_cast<double>(st.step());
    AdamWStep& s = steps[i];
    s.grad_scale = static_cast<float>(scale);
    s.decay = static_cast<float>(1 - o.lr() * o.weight_decay());
    s.beta1 = static_cast<float>(beta1);
    s.one_minus_beta1 = static_cast<float>(1 - beta1);
    s.beta2 = static_cast<float>(beta2);
    s.one_minus_beta2 = static_cast<float>(1 - beta2);
    s.eps = static_cast<float>(o.eps());
    s.neg_step_size = static_cast<float>(-o.lr() / (1 - std::pow(beta1, t)));
    s.sqrt_bias2 = static_cast<float>(std::sqrt(1 - std::pow(beta2, t)));
  }
  at::parallel_for(0, n_blocks, 1, [&](int64_t b0, int64_t b1) {
    for (int64_t b = b0; b < b1; ++b) {
      const Block& blk = blocks[b];
      auto& st = *states[blk.param];
      adamw_update_f32(params[blk.param].data_ptr<float>(), grads[blk.param].data_ptr<float>(),
                       st.exp_avg().data_ptr<float>(), st.exp_avg_sq().data_ptr<float>(), blk.begin, blk.end,
                       steps[blk.param]);
    }
  });
  for (auto& p : params) p.mutable_grad().reset();
  return norm;
}

}  // namespace gemba::train
