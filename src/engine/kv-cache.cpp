#include "engine/kv-cache.h"

#include <algorithm>
#include <vector>

#include "core/error.h"
#include "engine/float-convert.h"

namespace gemba::engine {

KvType parse_kv_type(const std::string& name) {
  if (name == "f16") return KvType::kF16;
  if (name == "f32") return KvType::kF32;
  fail("KV cache type '", name, "' is not known; use f16 or f32");
}

KvCache::KvCache(const format::ModelConfig& config, int64_t capacity, KvType type)
    : n_layers_(config.n_layers), n_kv_heads_(config.n_kv_heads), head_dim_(config.head_dim()),
      capacity_(capacity), type_(type) {
  if (capacity < 1) fail("context length must be at least 1 (got ", capacity, ")");
  const size_t n = static_cast<size_t>(n_layers_ * n_kv_heads_ * capacity_ * head_dim_);
  if (type == KvType::kF16) {
    k16_.resize(n);
    v16_.resize(n);
  } else {
    k32_.resize(n);
    v32_.resize(n);
  }
}

size_t KvCache::bytes() const {
  return (k16_.size() + v16_.size()) * sizeof(uint16_t) + (k32_.size() + v32_.size()) * sizeof(float);
}

void KvCache::truncate(int64_t n) {
  if (n < 0 || n > n_past()) fail("KV cache: cannot truncate to ", n, " of ", n_past(), " positions");
  tokens_.resize(static_cast<size_t>(n));
}

int64_t KvCache::common_prefix(std::span<const int32_t> prompt) const {
  const size_t n = std::min(prompt.size(), tokens_.size());
  size_t i = 0;
  while (i < n && prompt[i] == tokens_[i]) ++i;
  return static_cast<int64_t>(i);
}

void KvCache::store(int64_t layer, int64_t pos, const float* k, const float* v) {
  if (pos < 0 || pos >= capacity_) fail("KV cache: position ", pos, " is beyond the context length ", capacity_);
  thread_local std::vector<uint16_t> vh;  // f16: one head's value row, then scattered into its column
  vh.resize(static_cast<size_t>(head_dim_));
  for (int64_t g = 0; g < n_kv_heads_; ++g) {
    const size_t block = static_cast<size_t>((layer * n_kv_heads_ + g) * capacity_ * head_dim_);
    const size_t key_at = block + static_cast<size_t>(pos * head_dim_);
    const float* kg = k + g * head_dim_;
    const float* vg = v + g * head_dim_;
    if (type_ == KvType::kF16) {
      f32_to_f16_row(kg, k16_.data() + key_at, head_dim_);
      f32_to_f16_row(vg, vh.data(), head_dim_);
      for (int64_t d = 0; d < head_dim_; ++d) v16_[block + static_cast<size_t>(d * capacity_ + pos)] = vh[d];
    } else {
      std::copy(kg, kg + head_dim_, k32_.begin() + static_cast<std::ptrdiff_t>(key_at));
      for (int64_t d = 0; d < head_dim_; ++d) v32_[block + static_cast<size_t>(d * capacity_ + pos)] = vg[d];
    }
  }
}

const uint8_t* KvCache::head_block(bool values, int64_t layer, int64_t kv_head) const {
  const size_t at = static_cast<size_t>((layer * n_kv_heads_ + kv_head) * capacity_ * head_dim_);
  if (type_ == KvType::kF16) return reinterpret_cast<const uint8_t*>((values ? v16_ : k16_).data() + at);
  return reinterpret_cast<const uint8_t*>((values ? v32_ : k32_).data() + at);
}

WeightMatrix KvCache::key_rows(int64_t layer, int64_t kv_head, int64_t n) const {
  return {element_type(), head_block(false, layer, kv_head), n, head_dim_, static_cast<size_t>(head_dim_) * element_bytes()};
}

WeightMatrix KvCache::value_columns(int64_t layer, int64_t kv_head, int64_t n) const {
  return {element_type(), head_block(true, layer, kv_head), head_dim_, n, static_cast<size_t>(capacity_) * element_bytes()};
}

void KvCache::append_tokens(std::span<const int32_t> tokens) {
  if (n_past() + static_cast<int64_t>(tokens.size()) > capacity_)
    fail("KV cache: ", n_past() + tokens.size(), " tokens exceed the context length ", capacity_);
  tokens_.insert(tokens_.end(), tokens.begin(), tokens.end());
}

}  // namespace gemba::engine
