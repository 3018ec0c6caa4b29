// RoPE: Su et al. 2021, "RoFormer: Enhanced Transformer with Rotary Position Embedding".
#include "engine/rope.h"

#include <cmath>

namespace gemba::engine {

void RopeTable::build(const int64_t* positions, int64_t n, int64_t head_dim, double theta) {
  half_ = head_dim / 2;
  cos_.resize(static_cast<size_t>(n * half_));
  sin_.resize(static_cast<size_t>(n * half_));
  std::vector<double> inv_freq(static_cast<size_t>(half_));
  for (int64_t i = 0; i < half_; ++i)
    inv_freq[i] = std::pow(theta, -2.0 * static_cast<double>(i) / static_cast<double>(head_dim));
  for (int64_t t = 0; t < n; ++t)
    for (int64_t i = 0; i < half_; ++i) {
      const double angle = static_cast<double>(positions[t]) * inv_freq[i];
      cos_[t * half_ + i] = static_cast<float>(std::cos(angle));
      sin_[t * half_ + i] = static_cast<float>(std::sin(angle));
    }
}

void rope_apply(RopeStyle style, float* x, int64_t n_heads, int64_t head_dim, const float* cos, const float* sin) {
  const int64_t half = head_dim / 2;
  for (int64_t h = 0; h < n_heads; ++h) {
    float* v = x + h * head_dim;
    if (style == RopeStyle::kAdjacentPairs) {
      for (int64_t i = 0; i < half; ++i) {
        const float a = v[2 * i], b = v[2 * i + 1];
        v[2 * i] = a * cos[i] - b * sin[i];
        v[2 * i + 1] = a * sin[i] + b * cos[i];
      }
    } else {
      for (int64_t i = 0; i < half; ++i) {
        const float a = v[i], b = v[i + half];
        v[i] = a * cos[i] - b * sin[i];
        v[i + half] = a * sin[i] + b * cos[i];
      }
    }
  }
}

}  // namespace gemba::engine
