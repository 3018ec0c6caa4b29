// The attention key/value cache of ONE sequence: for every layer and KV head, the rotated
// keys and the values of all positions so far. f16 by default (half the memory; f32 option).
// Layout per layer: keys [n_kv_heads, capacity, head_dim] (one position's key is a row) and
// values transposed, [n_kv_heads, head_dim, capacity] (one dimension over all positions is a
// row), so both attention products, scores = Q K^T and out = P V, are matmuls whose weight
// rows come straight from the cache, in its own type, with no copy or conversion.
// Also remembers the tokens it holds, so a new prompt can reuse the longest common prefix.
#pragma once
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "engine/cpu/matmul.h"
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
  // One KV head's keys of positions [0, n) as a weight matrix [n, head_dim].
  WeightMatrix key_rows(int64_t layer, int64_t kv_head, int64_t n) const;
  // One KV head's values of positions [0, n), transposed: a weight matrix [head_dim, n].
  WeightMatrix value_columns(int64_t layer, int64_t kv_head, int64_t n) const;
  // After a forward pass stored positions [n_past, n_past + tokens.size()): records them.
  void append_tokens(std::span<const int32_t> tokens);

 private:
  // The first byte of one KV head's block in k16_/k32_ (keys) or v16_/v32_ (values).
  const uint8_t* head_block(bool values, int64_t layer, int64_t kv_head) const;
  size_t element_bytes() const { return type_ == KvType::kF16 ? 2 : 4; }
  format::GgmlType element_type() const { return type_ == KvType::kF16 ? format::GgmlType::F16 : format::GgmlType::F32; }
  int64_t n_layers_, n_kv_heads_, head_dim_, capacity_;
  KvType type_;
  std::vector<uint16_t> k16_, v16_;  // f16: keys [n_layers, n_kv_heads, capacity, head_dim],
                                     //      values [n_layers, n_kv_heads, head_dim, capacity]
  std::vector<float> k32_, v32_;     // f32: same layouts
  std::vector<int32_t> tokens_;
};

}  // namespace gemba::engine
