// Llama forward pass (Touvron et al. 2023, "LLaMA"): pre-norm decoder blocks with
// RMSNorm (Zhang & Sennrich 2019), rotary embeddings (Su et al. 2021), multi-head /
// grouped-query attention (Vaswani et al. 2017; Ainslie et al. 2023) and SwiGLU
// feed-forward (Shazeer 2020).
#include "engine/llama-model.h"

#include <algorithm>
#include <cmath>
#include <set>

#include "core/error.h"
#include "engine/row-codec.h"
#include "engine/rope.h"

namespace gemba::engine {

namespace {

// RMSNorm: y = x / sqrt(mean(x^2) + eps) * w, row by row. x, y: [n, dim].
void rms_norm(const float* x, const float* w, int64_t n, int64_t dim, double eps, float* y) {
  for (int64_t t = 0; t < n; ++t) {
    const float* xr = x + t * dim;
    float* yr = y + t * dim;
    double ss = 0;
    for (int64_t i = 0; i < dim; ++i) ss += static_cast<double>(xr[i]) * xr[i];
    const float scale = static_cast<float>(1.0 / std::sqrt(ss / static_cast<double>(dim) + eps));
    for (int64_t i = 0; i < dim; ++i) yr[i] = xr[i] * scale * w[i];
  }
}

// row[0, n) := softmax(scale * row[0, limit)) followed by zeros (the causally masked keys).
void softmax_prefix(float* row, int64_t n, int64_t limit, float scale) {
  float mx = -INFINITY;
  for (int64_t j = 0; j < limit; ++j) {
    row[j] *= scale;
    mx = std::max(mx, row[j]);
  }
  float sum = 0;
  for (int64_t j = 0; j < limit; ++j) {
    row[j] = std::exp(row[j] - mx);
    sum += row[j];
  }
  const float inv = 1.0f / sum;
  for (int64_t j = 0; j < limit; ++j) row[j] *= inv;
  std::fill(row + limit, row + n, 0.0f);
}

template <class T>
void grow(std::vector<T>& v, size_t n) {
  if (v.size() < n) v.resize(n);
}

}  // namespace

LlamaModel::LlamaModel(ModelWeights weights, int n_threads)
    : weights_(std::move(weights)),
      pool_(std::make_unique<ThreadPool>(n_threads > 0 ? n_threads : ThreadPool::hardware_threads())) {}

LlamaModel::~LlamaModel() = default;

KvCache LlamaModel::new_cache(int64_t n_ctx, KvType type) const {
  const int64_t max = std::max<int64_t>(1, config().max_position);
  return KvCache(config(), n_ctx <= 0 || n_ctx > max ? max : n_ctx, type);
}

void LlamaModel::project(const WeightMatrix& w, int64_t layer, Projection p, const float* x, int64_t n, float* y) {
  matmul(w, x, n, y, *pool_);
  if (adapter_) adapter_->apply(layer, p, x, n, w.cols, y, w.rows, *pool_);
}

std::vector<float> LlamaModel::forward(KvCache& cache, std::span<const int32_t> tokens, bool all_logits) {
  SequenceInput in{&cache, tokens, all_logits};
  std::vector<float> logits;
  forward(std::span<const SequenceInput>(&in, 1), logits);
  return logits;
}

std::vector<float> LlamaModel::decode_batch(std::span<KvCache* const> caches, std::span<const int32_t> tokens) {
  if (caches.size() != tokens.size())
    fail("decode_batch: ", caches.size(), " caches but ", tokens.size(), " tokens");
  std::vector<SequenceInput> inputs(caches.size());
  for (size_t i = 0; i < caches.size(); ++i) inputs[i] = {caches[i], tokens.subspan(i, 1), false};
  std::vector<float> logits;
  forward(inputs, logits);
  return logits;
}

void LlamaModel::forward(std::span<const SequenceInput> inputs, std::vector<float>& logits) {
  const auto& c = config();
  const int64_t H = c.hidden_size, hd = c.head_dim(), nh = c.n_heads, nkv = c.n_kv_heads, F = c.ffn_size;
  const int64_t V = c.vocab_size;

  // Validate everything before touching any cache.
  std::vector<int64_t> offsets;  // first row of each input in the [T, .] activations
  std::vector<int64_t> positions;
  std::vector<int32_t> tokens;
  std::set<const KvCache*> seen;
  int64_t n_logit_rows = 0;
  for (const auto& in : inputs) {
    if (!in.cache) fail("forward: a sequence has no KV cache");
    if (!seen.insert(in.cache).second) fail("forward: the same KV cache appears twice in one batch");
    if (in.tokens.empty()) fail("forward: a sequence has no tokens");
    if (in.cache->n_past() + static_cast<int64_t>(in.tokens.size()) > in.cache->capacity())
      fail("context full: ", in.cache->n_past(), " + ", in.tokens.size(), " tokens exceed the context length ",
           in.cache->capacity(), " (raise --ctx, up to the model's ", c.max_position, ")");
    offsets.push_back(static_cast<int64_t>(tokens.size()));
    for (size_t i = 0; i < in.tokens.size(); ++i) {
      const int32_t id = in.tokens[i];
      if (id < 0 || id >= V) fail("token id ", id, " is outside the model's vocabulary of ", V);
      tokens.push_back(id);
      positions.push_back(in.cache->n_past() + static_cast<int64_t>(i));
    }
    n_logit_rows += in.all_logits ? static_cast<int64_t>(in.tokens.size()) : 1;
  }
  const int64_t T = static_cast<int64_t>(tokens.size());
  if (T == 0) {
    logits.clear();
    return;
  }

  grow(x_, T * H); grow(xn_, T * H); grow(tmp_, T * H);
  grow(q_, T * nh * hd); grow(attn_, T * nh * hd);
  grow(k_, T * nkv * hd); grow(v_, T * nkv * hd);
  grow(gate_, T * F); grow(up_, T * F);

  // x [T, H] = embedding rows.
  const WeightMatrix& E = weights_.token_embd;
  pool_->parallel_for(static_cast<size_t>(T), [&](size_t b, size_t e, int) {
    for (size_t t = b; t < e; ++t) decode_row(E.type, E.data + static_cast<size_t>(tokens[t]) * E.row_bytes, x_.data() + t * H, H);
  });

  RopeTable rope;
  rope.build(positions.data(), T, hd, c.rope_theta);

  for (int64_t l = 0; l < c.n_layers; ++l) {
    const LayerWeights& w = weights_.layers[static_cast<size_t>(l)];
    // Attention block.
    rms_norm(x_.data(), w.attn_norm.data(), T, H, c.rms_eps, xn_.data());
    project(w.wq, l, Projection::kQ, xn_.data(), T, q_.data());  // q [T, nh*hd]
    project(w.wk, l, Projection::kK, xn_.data(), T, k_.data());  // k [T, nkv*hd]
    project(w.wv, l, Projection::kV, xn_.data(), T, v_.data());  // v [T, nkv*hd]
    pool_->parallel_for(static_cast<size_t>(T), [&](size_t b, size_t e, int) {
      for (size_t t = b; t < e; ++t) {
        rope_apply(weights_.rope_style, q_.data() + t * nh * hd, nh, hd, rope.cos_row(t), rope.sin_row(t));
        rope_apply(weights_.rope_style, k_.data() + t * nkv * hd, nkv, hd, rope.cos_row(t), rope.sin_row(t));
      }
    });
    for (size_t s = 0; s < inputs.size(); ++s)
      for (size_t i = 0; i < inputs[s].tokens.size(); ++i) {
        const int64_t t = offsets[s] + static_cast<int64_t>(i);
        inputs[s].cache->store(l, positions[t], k_.data() + t * nkv * hd, v_.data() + t * nkv * hd);
      }
    attention(l, inputs, offsets);                                     // attn [T, nh*hd]
    project(w.wo, l, Projection::kO, attn_.data(), T, tmp_.data());  // tmp [T, H]
    for (int64_t i = 0; i < T * H; ++i) x_[i] += tmp_[i];

    // Feed-forward block (SwiGLU).
    rms_norm(x_.data(), w.ffn_norm.data(), T, H, c.rms_eps, xn_.data());
    project(w.w_gate, l, Projection::kGate, xn_.data(), T, gate_.data());  // gate [T, F]
    project(w.w_up, l, Projection::kUp, xn_.data(), T, up_.data());        // up [T, F]
    for (int64_t i = 0; i < T * F; ++i) {
      const float g = gate_[i];
      gate_[i] = g / (1.0f + std::exp(-g)) * up_[i];
    }
    project(w.w_down, l, Projection::kDown, gate_.data(), T, tmp_.data());  // tmp [T, H]
    for (int64_t i = 0; i < T * H; ++i) x_[i] += tmp_[i];
  }

  // Final norm of the rows that need logits, then the output projection.
  std::vector<int64_t> rows;
  for (size_t s = 0; s < inputs.size(); ++s) {
    const int64_t n = static_cast<int64_t>(inputs[s].tokens.size());
    if (inputs[s].all_logits)
      for (int64_t i = 0; i < n; ++i) rows.push_back(offsets[s] + i);
    else
      rows.push_back(offsets[s] + n - 1);
  }
  for (size_t r = 0; r < rows.size(); ++r)
    rms_norm(x_.data() + rows[r] * H, weights_.output_norm.data(), 1, H, c.rms_eps, xn_.data() + r * H);
  logits.resize(static_cast<size_t>(n_logit_rows * V));
  project(weights_.output, -1, Projection::kOutput, xn_.data(), n_logit_rows, logits.data());

  for (size_t s = 0; s < inputs.size(); ++s) inputs[s].cache->append_tokens(inputs[s].tokens);
}

// Causal scaled dot-product attention of each new token over its own sequence's cache.
// Work items: (sequence, KV head). Both products run on the matmul kernels straight from the
// cache: scores = Q K^T with the keys as weight rows, out = P V with the transposed values as
// weight rows. Decode takes the query heads sharing the KV head (GQA) as the rows of one
// product; prefill takes each head's new tokens in chunks of kQueryChunk, every chunk against
// the keys up to its last token (the later keys of earlier rows are masked: <= 1 chunk of
// extra work per row instead of a scalar loop per key).
void LlamaModel::attention(int64_t layer, std::span<const SequenceInput> inputs, const std::vector<int64_t>& offsets) {
  constexpr int64_t kQueryChunk = 32;
  const auto& c = config();
  const int64_t hd = c.head_dim(), nh = c.n_heads, nkv = c.n_kv_heads, group = nh / nkv;
  int64_t max_ctx = 0;
  for (const auto& in : inputs) max_ctx = std::max(max_ctx, in.cache->n_past() + static_cast<int64_t>(in.tokens.size()));
  const size_t per_thread = static_cast<size_t>(max_ctx * std::max(kQueryChunk, group));
  grow(thread_scratch_, per_thread * static_cast<size_t>(pool_->size()));
  const float scale = static_cast<float>(1.0 / std::sqrt(static_cast<double>(hd)));
  const size_t n_items = inputs.size() * static_cast<size_t>(nkv);

  pool_->parallel_for(n_items, [&](size_t begin, size_t end, int thread) {
    float* scores = thread_scratch_.data() + per_thread * static_cast<size_t>(thread);
    for (size_t item = begin; item < end; ++item) {
      const size_t s = item / static_cast<size_t>(nkv);
      const int64_t g = static_cast<int64_t>(item % static_cast<size_t>(nkv));
      const KvCache& cache = *inputs[s].cache;
      const int64_t past = cache.n_past(), n_new = static_cast<int64_t>(inputs[s].tokens.size());
      // Rows i of one product: query q + i * stride, output out + i * stride, keys [0, limit0 + i * step).
      auto attend = [&](int64_t n_keys, const float* q, float* out, int64_t stride, int64_t n_rows, int64_t limit0,
                        int64_t step) {
        const WeightMatrix keys = cache.key_rows(layer, g, n_keys);          // [n_keys, hd]
        const WeightMatrix values = cache.value_columns(layer, g, n_keys);   // [hd, n_keys]
        matmul_float_strided(keys, q, stride, n_rows, scores, n_keys);       // scores [n_rows, n_keys]
        for (int64_t i = 0; i < n_rows; ++i) softmax_prefix(scores + i * n_keys, n_keys, limit0 + i * step, scale);
        matmul_float_strided(values, scores, n_keys, n_rows, out, stride);   // out rows [hd]
      };
      if (n_new == 1) {
        const int64_t t = offsets[s], head0 = g * group;
        attend(past + 1, q_.data() + (t * nh + head0) * hd, attn_.data() + (t * nh + head0) * hd, hd, group, past + 1,
               0);
        continue;
      }
      for (int64_t h = g * group; h < (g + 1) * group; ++h)
        for (int64_t i0 = 0; i0 < n_new; i0 += kQueryChunk) {
          const int64_t n = std::min(kQueryChunk, n_new - i0), t = offsets[s] + i0;
          attend(past + i0 + n, q_.data() + (t * nh + h) * hd, attn_.data() + (t * nh + h) * hd, nh * hd, n,
                 past + i0 + 1, 1);
        }
    }
  });
}

}  // namespace gemba::engine
