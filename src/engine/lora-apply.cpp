#include "engine/lora-apply.h"

#include <algorithm>

#include "core/error.h"
#include "core/log.h"

namespace gemba::engine {

namespace {

// Below this many multiply-adds a loop runs on the calling thread: waking the pool costs more.
constexpr int64_t kParallelWork = 1 << 15;
// Ranks accumulated together in A x (kept in vector registers).
constexpr int64_t kRankBlock = 16;

// acc[0..K) += sum_i x[i] * at[i * stride + 0..K)   (K ranks of A^T [in, stride] at once)
template <int64_t K>
void accumulate_rank_block(const float* x, int64_t in, const float* at, int64_t stride, float* acc) {
  float a[K] = {};
  for (int64_t i = 0; i < in; ++i) {
    const float xi = x[i];
    const float* row = at + i * stride;
    for (int64_t k = 0; k < K; ++k) a[k] += xi * row[k];
  }
  for (int64_t k = 0; k < K; ++k) acc[k] += a[k];
}

template <class Fn>
void maybe_parallel(ThreadPool& pool, int64_t items, int64_t work, const Fn& fn) {
  if (work < kParallelWork || pool.size() == 1 || items < 2) {
    fn(size_t{0}, static_cast<size_t>(items), 0);
    return;
  }
  pool.parallel_for(static_cast<size_t>(items), fn);
}

}  // namespace

LoraApplier::LoraApplier(const format::ModelConfig& config, RopeStyle rope_style, std::string model_what)
    : config_(config), rope_style_(rope_style), model_what_(std::move(model_what)), terms_(static_cast<size_t>(config.n_layers)) {}

void LoraApplier::add(const LoraAdapter& adapter, float scale) {
  validate_lora_for_model(adapter, config_, model_what_);
  adapters_.push_back(std::make_unique<LoraAdapter>(with_qk_rows(adapter, rope_style_, config_.head_dim())));
  ++n_adapters_;
  if (scale == 0) return;  // contributes nothing; kept so n_adapters() counts it
  for (const LoraPair& p : adapters_.back()->pairs) {
    Term term{&p, scale * adapter.pair_scale(p), std::vector<float>(p.a.size()), std::vector<float>(p.b.size())};
    for (int64_t k = 0; k < p.rank; ++k)
      for (int64_t i = 0; i < p.in; ++i) term.at[static_cast<size_t>(i * p.rank + k)] = p.a[static_cast<size_t>(k * p.in + i)];
    for (int64_t o = 0; o < p.out; ++o)
      for (int64_t k = 0; k < p.rank; ++k) term.bt[static_cast<size_t>(k * p.out + o)] = p.b[static_cast<size_t>(o * p.rank + k)];
    terms_[static_cast<size_t>(p.layer)][static_cast<size_t>(p.projection)].push_back(std::move(term));
  }
}

void LoraApplier::apply(int64_t layer, Projection projection, const float* x, int64_t n, int64_t in_dim, float* y, int64_t out_dim,
                        ThreadPool& pool) const {
  if (layer < 0 || layer >= static_cast<int64_t>(terms_.size()) || projection == Projection::kOutput) return;
  for (const Term& term : terms_[static_cast<size_t>(layer)][static_cast<size_t>(projection)]) {
    const LoraPair& p = *term.pair;
    GEMBA_ASSERT(p.in == in_dim && p.out == out_dim, "LoRA pair ", p.name, " does not fit the projection");
    const int64_t r = p.rank;
    // ax [n, r] = scale * x A^T
    // Scratch reused across calls; the pool's workers use it through this pointer (a
    // thread_local named inside the lambdas would be each worker's own, empty copy).
    thread_local std::vector<float> scratch;
    scratch.resize(static_cast<size_t>(n * r));
    float* ax = scratch.data();
    maybe_parallel(pool, n, n * r * in_dim, [&](size_t begin, size_t end, int) {
      for (size_t t = begin; t < end; ++t) {
        const float* xr = x + t * static_cast<size_t>(in_dim);
        for (int64_t k0 = 0; k0 < r; k0 += kRankBlock) {  // ranks in register-sized blocks
          const int64_t kn = std::min(kRankBlock, r - k0);
          float acc[kRankBlock] = {};
          const float* at = term.at.data() + k0;
          if (kn == 8)  // the common ranks as fixed-length loops the compiler unrolls into registers
            accumulate_rank_block<8>(xr, in_dim, at, r, acc);
          else if (kn == kRankBlock)
            accumulate_rank_block<kRankBlock>(xr, in_dim, at, r, acc);
          else
            for (int64_t i = 0; i < in_dim; ++i)
              for (int64_t k = 0; k < kn; ++k) acc[k] += xr[i] * at[i * r + k];
          for (int64_t k = 0; k < kn; ++k) ax[t * static_cast<size_t>(r) + static_cast<size_t>(k0 + k)] = term.scale * acc[k];
        }
      }
    });
    // y [n, out] += ax Bt, split over slices of the output columns; each (token, k) is one
    // contiguous axpy of Bt's row k into the token's output row.
    constexpr int64_t kSlice = 64;
    const int64_t n_slices = (out_dim + kSlice - 1) / kSlice;
    maybe_parallel(pool, n_slices, n * r * out_dim, [&](size_t begin, size_t end, int) {
      const int64_t o0 = static_cast<int64_t>(begin) * kSlice, o1 = std::min(out_dim, static_cast<int64_t>(end) * kSlice);
      float acc[kSlice];
      for (int64_t t = 0; t < n; ++t) {
        float* yr = y + t * out_dim;
        for (int64_t s = o0; s < o1; s += kSlice) {
          const int64_t len = std::min(kSlice, o1 - s);
          std::fill_n(acc, len, 0.0f);
          for (int64_t k = 0; k < r; ++k) {
            const float c = ax[t * r + k];
            const float* bt = term.bt.data() + k * out_dim + s;
            for (int64_t o = 0; o < len; ++o) acc[o] += c * bt[o];
          }
          for (int64_t o = 0; o < len; ++o) yr[s + o] += acc[o];
        }
      }
    });
  }
}

int LoraRouter::add(std::unique_ptr<LoraApplier> applier) {
  appliers_.push_back(std::move(applier));
  return static_cast<int>(appliers_.size()) - 1;
}

void LoraRouter::apply(int64_t layer, Projection projection, const float* x, int64_t n, int64_t in_dim, float* y, int64_t out_dim,
                       ThreadPool& pool) const {
  if (projection == Projection::kOutput) return;
  if (rows_.empty()) {
    if (all_ >= 0 && all_ < static_cast<int>(appliers_.size()))
      appliers_[static_cast<size_t>(all_)]->apply(layer, projection, x, n, in_dim, y, out_dim, pool);
    return;
  }
  GEMBA_ASSERT(static_cast<int64_t>(rows_.size()) == n, "LoraRouter: ", rows_.size(), " row choices for ", n, " rows");
  std::vector<float> xs, ys;  // the rows of one adapter: [m, in], [m, out]
  std::vector<int64_t> picked;
  for (size_t k = 0; k < appliers_.size(); ++k) {
    picked.clear();
    for (int64_t t = 0; t < n; ++t)
      if (rows_[static_cast<size_t>(t)] == static_cast<int>(k)) picked.push_back(t);
    if (picked.empty()) continue;
    const int64_t m = static_cast<int64_t>(picked.size());
    xs.resize(static_cast<size_t>(m * in_dim));
    ys.assign(static_cast<size_t>(m * out_dim), 0.0f);
    for (int64_t i = 0; i < m; ++i) std::copy_n(x + picked[static_cast<size_t>(i)] * in_dim, in_dim, xs.data() + i * in_dim);
    appliers_[k]->apply(layer, projection, xs.data(), m, in_dim, ys.data(), out_dim, pool);
    for (int64_t i = 0; i < m; ++i) {
      float* yr = y + picked[static_cast<size_t>(i)] * out_dim;
      const float* d = ys.data() + i * out_dim;
      for (int64_t o = 0; o < out_dim; ++o) yr[o] += d[o];
    }
  }
}

std::unique_ptr<LoraApplier> attach_lora_adapters(LlamaModel& model, const std::vector<std::string>& specs) {
  if (specs.empty()) return nullptr;
  const ModelWeights& w = model.weights();
  auto applier = std::make_unique<LoraApplier>(w.config, w.rope_style, w.path);
  for (const std::string& spec : specs) {
    const LoraSpec s = parse_lora_spec(spec);
    const LoraAdapter adapter = read_lora_adapter(s.path);
    applier->add(adapter, s.scale);
    log_info("LoRA ", s.path, ": ", adapter.pairs.size(), " projections, rank ", adapter.max_rank(), ", alpha ", adapter.alpha,
             ", scale ", s.scale);
  }
  model.set_adapter(applier.get());
  return applier;
}

}  // namespace gemba::engine
