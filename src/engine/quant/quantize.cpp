// Block quantization after ggml's formats (Gerganov et al., llama.cpp/ggml, 2023);
// K-quants after llama.cpp PR #1684 (Kawrakow, "k-quants", 2023).
#include "engine/quant/quantize.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "core/half.h"

namespace gemba::engine::quant {
namespace {

inline int nearest_int(float v) { return static_cast<int>(std::nearbyint(v)); }

}  // namespace

void quantize_row_q8_0(const float* x, BlockQ8_0* y, int64_t n) {
  for (int64_t b = 0; b < n / kQk; ++b) {
    const float* v = x + b * kQk;
    float amax = 0;
    for (int i = 0; i < kQk; ++i) amax = std::max(amax, std::fabs(v[i]));
    const float d = amax / 127.0f;
    const float id = d != 0 ? 1.0f / d : 0.0f;
    y[b].d = f32_to_f16(d);
    for (int i = 0; i < kQk; ++i) y[b].qs[i] = static_cast<int8_t>(std::round(v[i] * id));
  }
}

void quantize_row_q4_0(const float* x, BlockQ4_0* y, int64_t n) {
  for (int64_t b = 0; b < n / kQk; ++b) {
    const float* v = x + b * kQk;
    float amax = 0, max = 0;  // max: the signed value with the largest magnitude
    for (int i = 0; i < kQk; ++i) {
      if (std::fabs(v[i]) > amax) {
        amax = std::fabs(v[i]);
        max = v[i];
      }
    }
    const float d = max / -8.0f;
    const float id = d != 0 ? 1.0f / d : 0.0f;
    y[b].d = f32_to_f16(d);
    for (int i = 0; i < kQk / 2; ++i) {
      const uint8_t lo = static_cast<uint8_t>(std::min(15, static_cast<int>(static_cast<int8_t>(v[i] * id + 8.5f))));
      const uint8_t hi =
          static_cast<uint8_t>(std::min(15, static_cast<int>(static_cast<int8_t>(v[i + kQk / 2] * id + 8.5f))));
      y[b].qs[i] = static_cast<uint8_t>(lo | (hi << 4));
    }
  }
}

void dequantize_row_q8_0(const BlockQ8_0* x, float* y, int64_t n) {
  for (int64_t b = 0; b < n / kQk; ++b) {
    const float d = f16_to_f32(x[b].d);
    for (int i = 0; i < kQk; ++i) y[b * kQk + i] = x[b].qs[i] * d;
  }
}

void dequantize_row_q4_0(const BlockQ4_0* x, float* y, int64_t n) {
  for (int64_t b = 0; b < n / kQk; ++b) {
    const float d = f16_to_f32(x[b].d);
    for (int i = 0; i < kQk / 2; ++i) {
      y[b * kQk + i] = ((x[b].qs[i] & 15) - 8) * d;
      y[b * kQk + i + kQk / 2] = ((x[b].qs[i] >> 4) - 8) * d;
    }
  }
}

void quantize_row_q4_k(const float* x, BlockQ4K* y, int64_t n) {
  for (int64_t b = 0; b < n / kQkK; ++b) {
    const float* v = x + b * kQkK;
    // Per sub-block of 32: an affine fit value = scale*q - min, q in [0, 15], min >= 0.
    float scale[8], min[8];
    for (int j = 0; j < 8; ++j) {
      float lo = 0, hi = 0;  // the range always includes 0 (as ggml's fit does)
      for (int i = 0; i < 32; ++i) {
        lo = std::min(lo, v[32 * j + i]);
        hi = std::max(hi, v[32 * j + i]);
      }
      scale[j] = (hi - lo) / 15.0f;
      min[j] = -lo;
    }
    float max_scale = 0, max_min = 0;
    for (int j = 0; j < 8; ++j) {
      max_scale = std::max(max_scale, scale[j]);
      max_min = std::max(max_min, min[j]);
    }
    const float inv_scale = max_scale > 0 ? 63.0f / max_scale : 0.0f;
    const float inv_min = max_min > 0 ? 63.0f / max_min : 0.0f;
    uint8_t ls[8], lm[8];
    for (int j = 0; j < 8; ++j) {
      ls[j] = static_cast<uint8_t>(std::min(63, nearest_int(inv_scale * scale[j])));
      lm[j] = static_cast<uint8_t>(std::min(63, nearest_int(inv_min * min[j])));
    }
    BlockQ4K& out = y[b];
    std::memset(out.scales, 0, sizeof(out.scales));
    for (int j = 0; j < 8; ++j) {
      if (j < 4) {
        out.scales[j] = ls[j];
        out.scales[j + 4] = lm[j];
      } else {
        out.scales[j + 4] = static_cast<uint8_t>((ls[j] & 15) | ((lm[j] & 15) << 4));
        out.scales[j - 4] |= static_cast<uint8_t>((ls[j] >> 4) << 6);
        out.scales[j] |= static_cast<uint8_t>((lm[j] >> 4) << 6);
      }
    }
    out.d = f32_to_f16(max_scale / 63.0f);
    out.dmin = f32_to_f16(max_min / 63.0f);
    // Re-quantize the values against the scales as stored (fp16 d times 6-bit scale).
    const float d = f16_to_f32(out.d), dmin = f16_to_f32(out.dmin);
    uint8_t q[kQkK];
    for (int j = 0; j < 8; ++j) {
      uint8_t sc, m;
      q4k_scale_min(out.scales, j, &sc, &m);
      const float ds = d * sc, dm = dmin * m;
      for (int i = 0; i < 32; ++i) {
        const int l = ds != 0 ? nearest_int((v[32 * j + i] + dm) / ds) : 0;
        q[32 * j + i] = static_cast<uint8_t>(std::clamp(l, 0, 15));
      }
    }
    for (int c = 0; c < 4; ++c)
      for (int l = 0; l < 32; ++l)
        out.qs[32 * c + l] = static_cast<uint8_t>(q[64 * c + l] | (q[64 * c + 32 + l] << 4));
  }
}

void dequantize_row_q4_k(const BlockQ4K* x, float* y, int64_t n) {
  for (int64_t b = 0; b < n / kQkK; ++b) {
    const float d = f16_to_f32(x[b].d), dmin = f16_to_f32(x[b].dmin);
    float* out = y + b * kQkK;
    for (int c = 0; c < 4; ++c) {
      uint8_t sc0, m0, sc1, m1;
      q4k_scale_min(x[b].scales, 2 * c, &sc0, &m0);
      q4k_scale_min(x[b].scales, 2 * c + 1, &sc1, &m1);
      const uint8_t* q = x[b].qs + 32 * c;
      for (int l = 0; l < 32; ++l) {
        out[64 * c + l] = d * sc0 * (q[l] & 15) - dmin * m0;
        out[64 * c + 32 + l] = d * sc1 * (q[l] >> 4) - dmin * m1;
      }
    }
  }
}

void quantize_row_q6_k(const float* x, BlockQ6K* y, int64_t n) {
  for (int64_t b = 0; b < n / kQkK; ++b) {
    const float* v = x + b * kQkK;
    // Per 16 values: a symmetric scale from the signed value of largest magnitude (-32 maps it).
    float scale[16];
    float max_scale = 0, max_abs_scale = 0;
    for (int k = 0; k < 16; ++k) {
      float amax = 0, max = 0;
      for (int i = 0; i < 16; ++i) {
        if (std::fabs(v[16 * k + i]) > amax) {
          amax = std::fabs(v[16 * k + i]);
          max = v[16 * k + i];
        }
      }
      scale[k] = max / -32.0f;
      if (std::fabs(scale[k]) > max_abs_scale) {
        max_abs_scale = std::fabs(scale[k]);
        max_scale = scale[k];
      }
    }
    BlockQ6K& out = y[b];
    uint8_t q[kQkK];
    if (max_abs_scale == 0) {
      std::memset(&out, 0, sizeof(out));
      std::fill(q, q + kQkK, uint8_t{32});
    } else {
      const float iscale = -128.0f / max_scale;
      out.d = f32_to_f16(1.0f / iscale);
      for (int k = 0; k < 16; ++k)
        out.scales[k] = static_cast<int8_t>(std::min(127, nearest_int(iscale * scale[k])));
      const float d = f16_to_f32(out.d);
      for (int k = 0; k < 16; ++k) {
        const float ds = d * out.scales[k];
        for (int i = 0; i < 16; ++i) {
          const int l = ds != 0 ? nearest_int(v[16 * k + i] / ds) : 0;
          q[16 * k + i] = static_cast<uint8_t>(std::clamp(l, -32, 31) + 32);
        }
      }
    }
    for (int h = 0; h < 2; ++h) {
      for (int l = 0; l < 32; ++l) {
        const uint8_t* qq = q + 128 * h;
        out.ql[64 * h + l] = static_cast<uint8_t>((qq[l] & 15) | ((qq[l + 64] & 15) << 4));
        out.ql[64 * h + l + 32] = static_cast<uint8_t>((qq[l + 32] & 15) | ((qq[l + 96] & 15) << 4));
        out.qh[32 * h + l] = static_cast<uint8_t>((qq[l] >> 4) | ((qq[l + 32] >> 4) << 2) |
                                                  ((qq[l + 64] >> 4) << 4) | ((qq[l + 96] >> 4) << 6));
      }
    }
  }
}

void dequantize_row_q6_k(const BlockQ6K* x, float* y, int64_t n) {
  for (int64_t b = 0; b < n / kQkK; ++b) {
    const float d = f16_to_f32(x[b].d);
    float* out = y + b * kQkK;
    for (int h = 0; h < 2; ++h) {
      const uint8_t* ql = x[b].ql + 64 * h;
      const uint8_t* qh = x[b].qh + 32 * h;
      const int8_t* sc = x[b].scales + 8 * h;
      float* o = out + 128 * h;
      for (int l = 0; l < 32; ++l) {
        const int is = l / 16;
        const int q1 = ((ql[l] & 15) | (((qh[l] >> 0) & 3) << 4)) - 32;
        const int q2 = ((ql[l + 32] & 15) | (((qh[l] >> 2) & 3) << 4)) - 32;
        const int q3 = ((ql[l] >> 4) | (((qh[l] >> 4) & 3) << 4)) - 32;
        const int q4 = ((ql[l + 32] >> 4) | (((qh[l] >> 6) & 3) << 4)) - 32;
        o[l] = d * sc[is + 0] * q1;
        o[l + 32] = d * sc[is + 2] * q2;
        o[l + 64] = d * sc[is + 4] * q3;
        o[l + 96] = d * sc[is + 6] * q4;
      }
    }
  }
}

void quantize_activations(const float* x, uint8_t* row, int64_t n) {
  const ActRowLayout layout{n};
  int8_t* q = reinterpret_cast<int8_t*>(row);
  float* d = reinterpret_cast<float*>(row + layout.d_offset());
  int32_t* sum = reinterpret_cast<int32_t*>(row + layout.sum_offset());
  for (int64_t b = 0; b < n / kQk; ++b) {
    const float* v = x + b * kQk;
    float amax = 0;
    for (int i = 0; i < kQk; ++i) amax = std::max(amax, std::fabs(v[i]));
    const float id = amax != 0 ? 127.0f / amax : 0.0f;
    d[b] = amax / 127.0f;
    int32_t s = 0;
    for (int i = 0; i < kQk; ++i) {
      const int qi = nearest_int(v[i] * id);
      q[b * kQk + i] = static_cast<int8_t>(qi);
      s += qi;
    }
    sum[b] = s;
  }
}

}  // namespace gemba::engine::quant
