// The attention key/value cache of ONE sequence: for every layer and KV head, the rotated
// keys and the values of all positions so far. f16 by default (half the memory; f32 option).
// Layout per layer: [n_kv_heads, capacity, head_dim], so one head's keys are contiguous.
// Also remembers the tokens it holds, so a new prompt can reuse the longest common prefix.
#pragma once
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "format/model-config.h"

namespace gemba::engine {

enum class KvType { kF16, kF32 };
KvType parse_kv_type(const std::string& name);  // "f16" / "f32"

class KvCache {
 public:
  // capacity: the context length in tokens (>= 1).
  KvCache(const format::ModelConfig& config, int64_t capacity, KvType type = KvType::kF16);

  int64_t capacity() const { return capacity_; }
  int64_t n_past() const { return static_cast<int64_t>(tokens_.size()); }
  KvType type() const { return type_; }
  const std::vector<int32_t>& tokens() const { return tokens_; }
  size_t bytes() const;

  void clear() { tokens_.clear(); }
  // Forgets positions >= n (n <= n_past).
  void truncate(int64_t n);
  // Number of leading tokens of `prompt` already in the cache.
  int64_t common_prefix(std::span<const int32_t> prompt) const;

  // Stores one position's keys and values: k, v [n_kv_heads * head_dim].
  void store(int64_t layer, int64_t pos, const float* k, const float* v);
  // Keys / values of one KV head for positions [0, n) as f32 [n, head_dim]: a pointer into
  // the cache (f32) or into `scratch` (f16, converted; scratch holds >= n * head_dim).
  const float* keys(int64_t layer, int64_t kv_head, int64_t n, float* scratch) const;
  const float* values(int64_t layer, int64_t kv_head, int64_t n, float* scratch) const;
  // After a forward pass stored positions [n_past, n_past + tokens.size()): records them.
  void append_tokens(std::span<const int32_t> tokens);

 private:
  const float* read(const std::vector<uint16_t>& h, const std::vector<float>& f, int64_t layer, int64_t kv_head, int64_t n, float* scratch) const;
  int64_t n_layers_, n_kv_heads_, head_dim_, capacity_;
  KvType type_;
  std::vector<uint16_t> k16_, v16_;  // f16: [n_layers, n_kv_heads, capacity, head_dim]
  std::vector<float> k32_, v32_;     // f32: same layout
  std::vector<int32_t> tokens_;
};

}  // namespace gemba::engine
