// Rotary position embedding (Su et al. 2021, "RoFormer"). Two layouts of the same rotation:
//  * kAdjacentPairs: rotates (x[2i], x[2i+1]) -- llama.cpp's "llama" architecture, used for
//    GGUF weights, whose q/k rows the converter permutes per head (see rope_gguf_source_row);
//  * kRotateHalf: rotates (x[i], x[i + d/2]) -- Hugging Face's rotate_half, used when the
//    engine runs an HF directory's q_proj/k_proj unchanged (zero copy).
// Both rotate pair i by the angle pos * theta^(-2i/d).
#pragma once
#include <cstdint>
#include <vector>

namespace gemba::engine {

enum class RopeStyle { kAdjacentPairs, kRotateHalf };

// cos/sin of pos * theta^(-2i/head_dim) for i < head_dim/2, for a list of positions.
class RopeTable {
 public:
  // positions: [n]; the table holds [n, head_dim/2] cos and sin values.
  void build(const int64_t* positions, int64_t n, int64_t head_dim, double theta);
  const float* cos_row(int64_t t) const { return cos_.data() + t * half_; }
  const float* sin_row(int64_t t) const { return sin_.data() + t * half_; }

 private:
  int64_t half_ = 0;
  std::vector<float> cos_, sin_;
};

// Rotates n_heads head vectors of one token in place: x [n_heads, head_dim].
void rope_apply(RopeStyle style, float* x, int64_t n_heads, int64_t head_dim, const float* cos, const float* sin);

// The HF (rotate-half) row that becomes row `row` of a GGUF (adjacent-pairs) q/k weight:
// within each head, GGUF row 2i <- HF row i and GGUF row 2i+1 <- HF row i + head_dim/2.
// (The permutation llama.cpp's converter applies to q_proj/k_proj.)
inline int64_t rope_gguf_source_row(int64_t row, int64_t head_dim) {
  const int64_t head = row / head_dim, within = row % head_dim;
  return head * head_dim + (within % 2) * (head_dim / 2) + within / 2;
}

}  // namespace gemba::engine
