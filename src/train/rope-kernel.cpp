#include "train/rope-kernel.h"

#include "train/bf16-bits.h"

namespace gemba::train {
namespace {

using namespace bf16_bits;

// Rows [begin, end) of x [B, T, H, hd] as [B*T*H, hd]; row r is at position (r / H) % T.
// Forward, per half pair (a, b) = (x[i], x[i + hd/2]):
//   y[i] = a cos[i] - b sin[i],  y[i + hd/2] = b cos[i + hd/2] + a sin[i + hd/2];
// backward is the transpose (x = dy, y = dx):
//   dx[i] = a cos[i] + b sin[i + hd/2],  dx[i + hd/2] = b cos[i + hd/2] - a sin[i].
template <class T, bool kBackward>
GEMBA_INLINE void rope_body(const T* __restrict x, const float* __restrict cos, const float* __restrict sin, T* __restrict y,
                            int64_t begin, int64_t end, int64_t n_heads, int64_t seq_len, int64_t hd) {
  const int64_t half = hd / 2;
  for (int64_t r = begin; r < end; ++r) {
    const int64_t t = (r / n_heads) % seq_len;
    const float* c = cos + t * hd;
    const float* s = sin + t * hd;
    const T* xr = x + r * hd;
    T* yr = y + r * hd;
    for (int64_t i = 0; i < half; ++i) {
      const float a = to_float(xr[i]), b = to_float(xr[i + half]);
      if constexpr (kBackward) {
        yr[i] = from_float<T>(a * c[i] + b * s[i + half]);
        yr[i + half] = from_float<T>(b * c[i + half] - a * s[i]);
      } else {
        yr[i] = from_float<T>(a * c[i] - b * s[i]);
        yr[i + half] = from_float<T>(b * c[i + half] + a * s[i + half]);
      }
    }
  }
}

}  // namespace

// The multiversioned entry points (target_clones wants plain functions, not templates).
GEMBA_CLONES void rope_rows_f32(bool backward, const float* x, const float* cos, const float* sin, float* y, int64_t begin,
                                int64_t end, int64_t n_heads, int64_t seq_len, int64_t hd) {
  if (backward) rope_body<float, true>(x, cos, sin, y, begin, end, n_heads, seq_len, hd);
  else rope_body<float, false>(x, cos, sin, y, begin, end, n_heads, seq_len, hd);
}
GEMBA_CLONES void rope_rows_bf16(bool backward, const uint16_t* x, const float* cos, const float* sin, uint16_t* y,
                                 int64_t begin, int64_t end, int64_t n_heads, int64_t seq_len, int64_t hd) {
  if (backward) rope_body<uint16_t, true>(x, cos, sin, y, begin, end, n_heads, seq_len, hd);
  else rope_body<uint16_t, false>(x, cos, sin, y, begin, end, n_heads, seq_len, hd);
}

}  // namespace gemba::train
