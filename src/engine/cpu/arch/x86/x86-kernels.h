// x86 SIMD kernels, written once with 256-bit vectors and included by kernels-avx2.cpp
// (AVX2 + FMA + F16C) and kernels-avx512.cpp (adds AVX-512 VL + VNNI: the u8 x s8 block dots
// become one vpdpbusd instead of vpmaddubsw + vpmaddwd). Everything here has internal
// linkage, so each including file gets its own copy compiled with its own ISA flags.
//
// Register blocking: a tile is computed one weight row x up to 4 tokens at a time, so each
// weight block is loaded and unpacked once for 4 tokens; the driver (matmul.cpp) keeps a
// tile of weight rows in L1 while the tokens pass over it. The AVX-512 set has its own
// several-token (prefill) kernels for F32/F16/BF16 (6 weight rows x 4 tokens), Q8_0 and Q4_0
// (2 x 4, over activations regrouped once per tile) on 512-bit vectors, and a one-token
// float kernel with four FMA chains.
// Integer block dots after ggml's vec_dot_q4_0_q8_0 scheme (llama.cpp, 2023).
#pragma once
#include <immintrin.h>

#include <cstdint>
#include <cstring>
#include <type_traits>
#include <vector>

#include "core/half.h"
#include "engine/cpu/kernels.h"
#include "engine/quant/block-formats.h"

// The including file says which dot to use (not the compiler's macros: a -march=native build
// defines __AVX512VNNI__ in the AVX2 file too, and the AVX2 set must stay AVX2).
#if !defined(GEMBA_X86_VNNI)
#error "define GEMBA_X86_VNNI to 0 or 1 before including x86-kernels.h"
#endif
#if GEMBA_X86_VNNI && !(defined(__AVX512VNNI__) && defined(__AVX512VL__))
#error "GEMBA_X86_VNNI needs -mavx512vnni -mavx512vl"
#endif

namespace gemba::engine::cpu {
namespace {

using namespace quant;

inline float hsum(__m256 v) {
  __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  s = _mm_add_ps(s, _mm_movehl_ps(s, s));
  s = _mm_add_ss(s, _mm_movehdup_ps(s));
  return _mm_cvtss_f32(s);
}

inline int32_t hsum_i32(__m256i v) {
  __m128i s = _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
  s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0x4e));
  s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0xb1));
  return _mm_cvtsi128_si32(s);
}

inline float fp16(uint16_t h) { return _cvtsh_ss(h); }

// Sum over groups of 4 of u8 x s8 products into 8 int32 lanes, added to acc.
inline __m256i dot_u8s8(__m256i acc, __m256i u, __m256i s) {
#if GEMBA_X86_VNNI
  return _mm256_dpbusd_epi32(acc, u, s);
#else
  const __m256i p16 = _mm256_maddubs_epi16(u, s);  // pairs: <= 2*255*127, no saturation for our ranges
  return _mm256_add_epi32(acc, _mm256_madd_epi16(p16, _mm256_set1_epi16(1)));
#endif
}

struct ActView {
  const int8_t* q;
  const float* d;
  const int32_t* sum;
  ActView() = default;
  ActView(const uint8_t* row, int64_t n) {
    const ActRowLayout layout{n};
    q = reinterpret_cast<const int8_t*>(row);
    d = reinterpret_cast<const float*>(row + layout.d_offset());
    sum = reinterpret_cast<const int32_t*>(row + layout.sum_offset());
  }
};

// ---- activations -------------------------------------------------------------------------

void quantize_act(const float* x, uint8_t* row, int64_t n) {
  const ActRowLayout layout{n};
  int8_t* q = reinterpret_cast<int8_t*>(row);
  float* d = reinterpret_cast<float*>(row + layout.d_offset());
  int32_t* sum = reinterpret_cast<int32_t*>(row + layout.sum_offset());
  const __m256 sign = _mm256_set1_ps(-0.0f);
  for (int64_t b = 0; b < n / kQk; ++b) {
    const float* v = x + b * kQk;
    __m256 v0 = _mm256_loadu_ps(v), v1 = _mm256_loadu_ps(v + 8), v2 = _mm256_loadu_ps(v + 16),
           v3 = _mm256_loadu_ps(v + 24);
    __m256 m = _mm256_max_ps(_mm256_max_ps(_mm256_andnot_ps(sign, v0), _mm256_andnot_ps(sign, v1)),
                             _mm256_max_ps(_mm256_andnot_ps(sign, v2), _mm256_andnot_ps(sign, v3)));
    __m128 m4 = _mm_max_ps(_mm256_castps256_ps128(m), _mm256_extractf128_ps(m, 1));
    m4 = _mm_max_ps(m4, _mm_movehl_ps(m4, m4));
    m4 = _mm_max_ss(m4, _mm_movehdup_ps(m4));
    const float amax = _mm_cvtss_f32(m4);
    const float id = amax != 0 ? 127.0f / amax : 0.0f;
    d[b] = amax / 127.0f;
    const __m256 mul = _mm256_set1_ps(id);
    // cvtps rounds to nearest even under the default MXCSR mode, as the scalar nearbyint does.
    const __m256i i0 = _mm256_cvtps_epi32(_mm256_mul_ps(v0, mul));
    const __m256i i1 = _mm256_cvtps_epi32(_mm256_mul_ps(v1, mul));
    const __m256i i2 = _mm256_cvtps_epi32(_mm256_mul_ps(v2, mul));
    const __m256i i3 = _mm256_cvtps_epi32(_mm256_mul_ps(v3, mul));
    sum[b] = hsum_i32(_mm256_add_epi32(_mm256_add_epi32(i0, i1), _mm256_add_epi32(i2, i3)));
    const __m256i p01 = _mm256_packs_epi32(i0, i1), p23 = _mm256_packs_epi32(i2, i3);
    __m256i p = _mm256_packs_epi16(p01, p23);
    p = _mm256_permutevar8x32_epi32(p, _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(q + b * kQk), p);
  }
}

// ---- float weights -----------------------------------------------------------------------

struct LoadF32 {
  static constexpr int kBytes = 4;  // bytes per weight
  static __m256 load(const uint8_t* w, int64_t i) { return _mm256_loadu_ps(reinterpret_cast<const float*>(w) + i); }
  static float one(const uint8_t* w, int64_t i) {
    float f;
    std::memcpy(&f, w + 4 * i, 4);
    return f;
  }
};
struct LoadF16 {
  static constexpr int kBytes = 2;
  static __m256 load(const uint8_t* w, int64_t i) {
    return _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(w + 2 * i)));
  }
  static float one(const uint8_t* w, int64_t i) {
    uint16_t h;
    std::memcpy(&h, w + 2 * i, 2);
    return f16_to_f32(h);
  }
};
struct LoadBF16 {
  static constexpr int kBytes = 2;
  static __m256 load(const uint8_t* w, int64_t i) {
    const __m256i u = _mm256_cvtepu16_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(w + 2 * i)));
    return _mm256_castsi256_ps(_mm256_slli_epi32(u, 16));
  }
  static float one(const uint8_t* w, int64_t i) {
    uint16_t h;
    std::memcpy(&h, w + 2 * i, 2);
    return bf16_to_f32(h);
  }
};

// One weight row x NT tokens of f32 activations.
template <class L, int NT>
void row_float(const uint8_t* w, const float* const* x, int64_t n, float* out) {
  __m256 acc0[NT], acc1[NT];
  for (int t = 0; t < NT; ++t) acc0[t] = acc1[t] = _mm256_setzero_ps();
  int64_t i = 0;
  for (; i + 16 <= n; i += 16) {
    const __m256 w0 = L::load(w, i), w1 = L::load(w, i + 8);
    for (int t = 0; t < NT; ++t) {
      acc0[t] = _mm256_fmadd_ps(w0, _mm256_loadu_ps(x[t] + i), acc0[t]);
      acc1[t] = _mm256_fmadd_ps(w1, _mm256_loadu_ps(x[t] + i + 8), acc1[t]);
    }
  }
  for (; i + 8 <= n; i += 8) {
    const __m256 w0 = L::load(w, i);
    for (int t = 0; t < NT; ++t) acc0[t] = _mm256_fmadd_ps(w0, _mm256_loadu_ps(x[t] + i), acc0[t]);
  }
  for (int t = 0; t < NT; ++t) {
    float s = hsum(_mm256_add_ps(acc0[t], acc1[t]));
    for (int64_t j = i; j < n; ++j) s += L::one(w, j) * x[t][j];
    out[t] = s;
  }
}

#include "engine/cpu/arch/x86/x86-float512-kernels.h"  // float prefill and decode (AVX-512)

// ---- quantized weights x 8-bit activations -----------------------------------------------

// Block sums of four 8-lane int32 dot vectors: lane u of the result = sum of d_u's lanes.
inline __m128i reduce4(__m256i d0, __m256i d1, __m256i d2, __m256i d3) {
  const __m256i h = _mm256_hadd_epi32(_mm256_hadd_epi32(d0, d1), _mm256_hadd_epi32(d2, d3));
  return _mm_add_epi32(_mm256_castsi256_si128(h), _mm256_extracti128_si256(h, 1));
}

inline float hsum128(__m128 s) {
  s = _mm_add_ps(s, _mm_movehl_ps(s, s));
  s = _mm_add_ss(s, _mm_movehdup_ps(s));
  return _mm_cvtss_f32(s);
}

// Q8_0 / Q4_0 rows: four blocks at a time. The integer dots of the four blocks are reduced
// to one vector of four block sums, so the per-block float work (convert, scale, accumulate)
// is done four blocks per instruction with the scales dw[b..b+3] * dx[b..b+3] as one vector.
template <int NT, class Unpack>
void row_q32(const uint8_t* w, const ActView* x, int64_t n, float* out) {
  using Block = typename Unpack::Block;
  const auto* blk = reinterpret_cast<const Block*>(w);
  constexpr int U = NT == 1 ? 2 : 1;  // independent chains for decode
  __m128 acc[U][NT];
  float tail[NT];
  for (int t = 0; t < NT; ++t) {
    tail[t] = 0;
    for (int u = 0; u < U; ++u) acc[u][t] = _mm_setzero_ps();
  }
  const int64_t nb = n / kQk;
  int64_t b = 0;
  for (int64_t g = 0; b + 4 <= nb; b += 4, ++g) {
    typename Unpack::Weights wq[4];
    for (int u = 0; u < 4; ++u) wq[u] = Unpack::weights(blk[b + u]);
    const __m128 dw = _mm_cvtph_ps(_mm_setr_epi16(static_cast<short>(blk[b].d), static_cast<short>(blk[b + 1].d),
                                                  static_cast<short>(blk[b + 2].d), static_cast<short>(blk[b + 3].d),
                                                  0, 0, 0, 0));
    for (int t = 0; t < NT; ++t) {
      const int8_t* xq = x[t].q + b * kQk;
      __m256i d[4];
      for (int u = 0; u < 4; ++u)
        d[u] = Unpack::dot(wq[u], _mm256_loadu_si256(reinterpret_cast<const __m256i*>(xq + u * kQk)));
      __m128i s = reduce4(d[0], d[1], d[2], d[3]);
      s = Unpack::correct(s, _mm_loadu_si128(reinterpret_cast<const __m128i*>(x[t].sum + b)));
      const __m128 scale = _mm_mul_ps(dw, _mm_loadu_ps(x[t].d + b));
      __m128& a = acc[U == 1 ? 0 : (g & 1)][t];
      a = _mm_fmadd_ps(_mm_cvtepi32_ps(s), scale, a);
    }
  }
  for (; b < nb; ++b) {
    const typename Unpack::Weights wq = Unpack::weights(blk[b]);
    const float dw = fp16(blk[b].d);
    for (int t = 0; t < NT; ++t) {
      const __m256i d = Unpack::dot(wq, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(x[t].q + b * kQk)));
      const int32_t s = _mm_cvtsi128_si32(Unpack::correct(_mm_cvtsi32_si128(hsum_i32(d)), _mm_cvtsi32_si128(x[t].sum[b])));
      tail[t] += static_cast<float>(s) * (dw * x[t].d[b]);
    }
  }
  for (int t = 0; t < NT; ++t) {
    __m128 a = acc[0][t];
    if constexpr (U == 2) a = _mm_add_ps(a, acc[1][t]);
    out[t] = hsum128(a) + tail[t];
  }
}

struct UnpackQ8_0 {
  using Block = BlockQ8_0;
  struct Weights {
    __m256i w, abs_w;
  };
  // dot() multiplies |w| (u8; |-128| = 128 fits) with x * sign(w): the same products as w * x.
  static Weights weights(const Block& b) {
    const __m256i w = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b.qs));
    return {w, _mm256_abs_epi8(w)};
  }
  static __m256i dot(const Weights& w, __m256i x) {
    return dot_u8s8(_mm256_setzero_si256(), w.abs_w, _mm256_sign_epi8(x, w.w));
  }
  static __m128i correct(__m128i s, __m128i) { return s; }
};

struct UnpackQ4_0 {
  using Block = BlockQ4_0;
  using Weights = __m256i;
  // Elements 0..15 from the low nibbles, 16..31 from the high ones: u8 in [0, 15].
  static __m256i weights(const Block& b) {
    const __m128i nib = _mm_loadu_si128(reinterpret_cast<const __m128i*>(b.qs));
    const __m128i low = _mm_set1_epi8(15);
    return _mm256_set_m128i(_mm_and_si128(_mm_srli_epi16(nib, 4), low), _mm_and_si128(nib, low));
  }
  static __m256i dot(__m256i w, __m256i x) { return dot_u8s8(_mm256_setzero_si256(), w, x); }
  // sum (q - 8) x = sum q x - 8 sum x
  static __m128i correct(__m128i s, __m128i sum_x) { return _mm_sub_epi32(s, _mm_slli_epi32(sum_x, 3)); }
};

template <int NT>
void row_q8_0(const uint8_t* w, const ActView* x, int64_t n, float* out) {
  row_q32<NT, UnpackQ8_0>(w, x, n, out);
}

template <int NT>
void row_q4_0(const uint8_t* w, const ActView* x, int64_t n, float* out) {
  row_q32<NT, UnpackQ4_0>(w, x, n, out);
}

// Block sums of eight 8-lane int32 dot vectors: lane u of the result = sum of d[u]'s lanes.
inline __m256i reduce8(const __m256i* d) {
  const __m256i h0 = _mm256_hadd_epi32(_mm256_hadd_epi32(d[0], d[1]), _mm256_hadd_epi32(d[2], d[3]));
  const __m256i h1 = _mm256_hadd_epi32(_mm256_hadd_epi32(d[4], d[5]), _mm256_hadd_epi32(d[6], d[7]));
  return _mm256_add_epi32(_mm256_permute2x128_si256(h0, h1, 0x20), _mm256_permute2x128_si256(h0, h1, 0x31));
}

// The eight 6-bit scales and mins of a Q4_K block as f32 vectors (scale j in lane j).
inline void q4k_scales(const uint8_t* s, __m256* sc, __m256* mn) {
  uint32_t a, b, c;
  std::memcpy(&a, s, 4);
  std::memcpy(&b, s + 4, 4);
  std::memcpy(&c, s + 8, 4);
  const uint32_t sc_lo = a & 0x3f3f3f3fu, mn_lo = b & 0x3f3f3f3fu;
  const uint32_t sc_hi = (c & 0x0f0f0f0fu) | ((a >> 2) & 0x30303030u);
  const uint32_t mn_hi = ((c >> 4) & 0x0f0f0f0fu) | ((b >> 2) & 0x30303030u);
  *sc = _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(_mm_setr_epi32(static_cast<int>(sc_lo), static_cast<int>(sc_hi), 0, 0)));
  *mn = _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(_mm_setr_epi32(static_cast<int>(mn_lo), static_cast<int>(mn_hi), 0, 0)));
}

// Q4_K rows: the eight sub-block dots of a super-block are reduced to one vector, then
// scaled by d*sc[0..7] * dx[0..7] in one multiply; the mins term dmin*m[j]*dx[j]*sum_x[j]
// is one more vector fmadd.
template <int NT>
void row_q4_k(const uint8_t* w, const ActView* x, int64_t n, float* out) {
  const auto* blk = reinterpret_cast<const BlockQ4K*>(w);
  const __m256i low = _mm256_set1_epi8(15);
  __m256 acc[NT], macc[NT];
  for (int t = 0; t < NT; ++t) acc[t] = macc[t] = _mm256_setzero_ps();
  for (int64_t b = 0; b < n / kQkK; ++b) {
    __m256 dsc, dmn;
    q4k_scales(blk[b].scales, &dsc, &dmn);
    dsc = _mm256_mul_ps(dsc, _mm256_set1_ps(fp16(blk[b].d)));
    dmn = _mm256_mul_ps(dmn, _mm256_set1_ps(fp16(blk[b].dmin)));
    __m256i wq[8];  // sub-block j: low nibbles of qs[32*(j/2)..] for even j, high for odd j
    for (int c = 0; c < 4; ++c) {
      const __m256i q = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(blk[b].qs + 32 * c));
      wq[2 * c] = _mm256_and_si256(q, low);
      wq[2 * c + 1] = _mm256_and_si256(_mm256_srli_epi16(q, 4), low);
    }
    for (int t = 0; t < NT; ++t) {
      const int8_t* xq = x[t].q + b * kQkK;
      __m256i d[8];
      for (int j = 0; j < 8; ++j)
        d[j] = dot_u8s8(_mm256_setzero_si256(), wq[j], _mm256_loadu_si256(reinterpret_cast<const __m256i*>(xq + 32 * j)));
      const __m256 dx = _mm256_loadu_ps(x[t].d + b * 8);
      acc[t] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(reduce8(d)), _mm256_mul_ps(dsc, dx), acc[t]);
      const __m256 sx = _mm256_cvtepi32_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(x[t].sum + b * 8)));
      macc[t] = _mm256_fmadd_ps(sx, _mm256_mul_ps(dmn, dx), macc[t]);
    }
  }
  for (int t = 0; t < NT; ++t) out[t] = hsum(_mm256_sub_ps(acc[t], macc[t]));
}

// Q6_K rows: per group of 32 values an int16 dot scaled by its two int8 sub-scales (madd),
// then the eight groups of a super-block reduced to one vector and scaled by d * dx[0..7].
template <int NT>
void row_q6_k(const uint8_t* w, const ActView* x, int64_t n, float* out) {
  const auto* blk = reinterpret_cast<const BlockQ6K*>(w);
  const __m256i low = _mm256_set1_epi8(15), two = _mm256_set1_epi8(0x30), k32 = _mm256_set1_epi8(32);
  __m256 acc[NT];
  for (int t = 0; t < NT; ++t) acc[t] = _mm256_setzero_ps();
  for (int64_t b = 0; b < n / kQkK; ++b) {
    const __m256 d = _mm256_set1_ps(fp16(blk[b].d));
    __m256i q[8];  // group j = 4h + k: u8 in [0, 63]
    for (int h = 0; h < 2; ++h) {
      const __m256i ql0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(blk[b].ql + 64 * h));
      const __m256i ql1 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(blk[b].ql + 64 * h + 32));
      const __m256i qh = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(blk[b].qh + 32 * h));
      q[4 * h + 0] = _mm256_or_si256(_mm256_and_si256(ql0, low), _mm256_and_si256(_mm256_slli_epi16(qh, 4), two));
      q[4 * h + 1] = _mm256_or_si256(_mm256_and_si256(ql1, low), _mm256_and_si256(_mm256_slli_epi16(qh, 2), two));
      q[4 * h + 2] = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(ql0, 4), low), _mm256_and_si256(qh, two));
      q[4 * h + 3] = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(ql1, 4), low),
                                     _mm256_and_si256(_mm256_srli_epi16(qh, 2), two));
    }
    // int16 lanes 0..7 hold values 0..15 of a group (scale 2j), lanes 8..15 values 16..31 (2j + 1).
    __m256i scale[8];
    for (int j = 0; j < 8; ++j)
      scale[j] = _mm256_set_m128i(_mm_set1_epi16(blk[b].scales[2 * j + 1]), _mm_set1_epi16(blk[b].scales[2 * j]));
    for (int t = 0; t < NT; ++t) {
      const int8_t* xq = x[t].q + b * kQkK;
      __m256i dot[8];
      for (int j = 0; j < 8; ++j) {
        const __m256i xv = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(xq + 32 * j));
        // (q - 32) x per pair, exact in int16: |63*127*2| and |32*127*2| both fit
        const __m256i p = _mm256_sub_epi16(_mm256_maddubs_epi16(q[j], xv), _mm256_maddubs_epi16(k32, xv));
        dot[j] = _mm256_madd_epi16(p, scale[j]);
      }
      const __m256 dx = _mm256_loadu_ps(x[t].d + b * 8);
      acc[t] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(reduce8(dot)), _mm256_mul_ps(d, dx), acc[t]);
    }
  }
  for (int t = 0; t < NT; ++t) out[t] = hsum(acc[t]);
}

// ---- Q4_0 decode (one token) -------------------------------------------------------------
//
// The generic row_q32 path spends ~10 uops per 18-byte Q4_0 block (two 128-bit nibble halves,
// a scalar fp16 scale, the -8*sum(x) fix-up and a horizontal reduction of every 4 blocks), so
// one core streamed Q4_0 at half of the memory bandwidth. For one token the activation is
// shared by every row of the tile, so it is regrouped once per tile (Q4DecodeGroup) into the
// order the weights unpack to. Then four blocks of a row take four 128-bit loads, one word
// permute + convert for the four scales, AND / shift+AND, two vpdpbusd (starting from the
// per-lane -8*x offset), and one convert, multiply and FMA on 16 float lanes; nothing is
// reduced horizontally before the end of the row. The AVX2 set does the same on 256-bit
// vectors (two blocks each, vpmaddubsw + vpmaddwd).

// The activation of four consecutive blocks in the order the kernel consumes it. 128-bit lane
// k of each vector belongs to block k; int32 lane j of lane k multiplies the nibble bytes
// 4j..4j+3 of block k (low nibbles with lo, high nibbles with hi).
struct alignas(64) Q4DecodeGroup {
  int8_t lo[64];      // block k: x[0..15]
  int8_t hi[64];      // block k: x[16..31]
  int32_t corr[16];   // -8 * (the 8 x values int32 lane j multiplies): the Q4_0 offset, per lane
  float dx[16];       // block k's activation scale in each of its 4 int32 lanes
};
static_assert(sizeof(Q4DecodeGroup) == 256);
constexpr int64_t kQ4GroupBlocks = 4;
constexpr int64_t kQ4GroupBytes = kQ4GroupBlocks * sizeof(BlockQ4_0);  // 72

#if GEMBA_X86_VNNI

// Regroups the first `groups` groups of four blocks of x (groups * 128 values).
void regroup_q4_0_act(const ActView& x, int64_t groups, Q4DecodeGroup* out) {
  // Two 64-byte loads hold blocks 0,1 and 2,3 as qwords 0..7 and 8..15 (4 qwords a block).
  const __m512i lo_idx = _mm512_setr_epi64(0, 1, 4, 5, 8, 9, 12, 13);
  const __m512i hi_idx = _mm512_setr_epi64(2, 3, 6, 7, 10, 11, 14, 15);
  const __m512i dx_idx = _mm512_setr_epi32(0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3);
  const __m512i eight = _mm512_set1_epi8(8);
  for (int64_t g = 0; g < groups; ++g) {
    const int8_t* q = x.q + g * kQ4GroupBlocks * kQk;
    const __m512i a = _mm512_loadu_si512(q), b = _mm512_loadu_si512(q + 64);
    const __m512i lo = _mm512_permutex2var_epi64(a, lo_idx, b);
    const __m512i hi = _mm512_permutex2var_epi64(a, hi_idx, b);
    // The offset per lane rather than per block: each lane's integer sum then stays of the
    // size of its own |(q - 8) x| terms, so the float rounding is relative to sum |w x|.
    const __m512i sx8 = _mm512_dpbusd_epi32(_mm512_dpbusd_epi32(_mm512_setzero_si512(), eight, lo), eight, hi);
    _mm512_store_si512(out[g].lo, lo);
    _mm512_store_si512(out[g].hi, hi);
    _mm512_store_si512(out[g].corr, _mm512_sub_epi32(_mm512_setzero_si512(), sx8));
    const __m512 d4 = _mm512_castps128_ps512(_mm_loadu_ps(x.d + g * kQ4GroupBlocks));
    _mm512_store_ps(out[g].dx, _mm512_permutexvar_ps(dx_idx, d4));
  }
}

// Word indices for the 512-bit word permute that spreads block k's fp16 scale (word 9k of a
// 72-byte group) over result words 4k..4k+3; the upper 16 words are unused.
alignas(64) constexpr uint16_t kQ4ScaleWords[32] = {0, 0, 0, 0, 9, 9, 9, 9, 18, 18, 18, 18, 27, 27, 27, 27,
                                                    0, 0, 0, 0, 0, 0, 0, 0, 0,  0,  0,  0,  0,  0,  0,  0};

#else

// Regroups the first `groups` groups of four blocks of x (groups * 128 values).
void regroup_q4_0_act(const ActView& x, int64_t groups, Q4DecodeGroup* out) {
  const __m256i ones = _mm256_set1_epi8(1), minus8 = _mm256_set1_epi16(-8);
  const __m256i dx_lo = _mm256_setr_epi32(0, 0, 0, 0, 1, 1, 1, 1), dx_hi = _mm256_setr_epi32(2, 2, 2, 2, 3, 3, 3, 3);
  for (int64_t g = 0; g < groups; ++g) {
    const int8_t* q = x.q + g * kQ4GroupBlocks * kQk;
    for (int h = 0; h < 2; ++h) {  // blocks 2h, 2h + 1: one 256-bit vector of each field
      const __m256i a = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(q + 64 * h));
      const __m256i b = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(q + 64 * h + 32));
      const __m256i lo = _mm256_permute2x128_si256(a, b, 0x20), hi = _mm256_permute2x128_si256(a, b, 0x31);
      // Per int32 lane: -8 * (its 4 lo and 4 hi values), as in the AVX-512 regroup.
      const __m256i pairs = _mm256_add_epi16(_mm256_maddubs_epi16(ones, lo), _mm256_maddubs_epi16(ones, hi));
      _mm256_store_si256(reinterpret_cast<__m256i*>(out[g].lo + 32 * h), lo);
      _mm256_store_si256(reinterpret_cast<__m256i*>(out[g].hi + 32 * h), hi);
      _mm256_store_si256(reinterpret_cast<__m256i*>(out[g].corr + 8 * h), _mm256_madd_epi16(pairs, minus8));
    }
    const __m256 d4 = _mm256_castps128_ps256(_mm_loadu_ps(x.d + g * kQ4GroupBlocks));
    _mm256_store_ps(out[g].dx, _mm256_permutevar8x32_ps(d4, dx_lo));
    _mm256_store_ps(out[g].dx + 8, _mm256_permutevar8x32_ps(d4, dx_hi));
  }
}

#endif

// The last blocks (fewer than a group) of one row, from block b0, as row_q32 does.
float q4_0_tail(const uint8_t* w, const ActView& x, int64_t b0, int64_t nb) {
  const auto* blk = reinterpret_cast<const BlockQ4_0*>(w);
  float s = 0;
  for (int64_t b = b0; b < nb; ++b) {
    const __m256i d = UnpackQ4_0::dot(UnpackQ4_0::weights(blk[b]),
                                      _mm256_loadu_si256(reinterpret_cast<const __m256i*>(x.q + b * kQk)));
    const int32_t i = hsum_i32(d) - 8 * x.sum[b];
    s += static_cast<float>(i) * (fp16(blk[b].d) * x.d[b]);
  }
  return s;
}

// Prefetch distance in the weight stream (3 rows of a 4096-column Q4_0 matrix ahead). The
// hardware prefetchers alone left this kernel at ~16 GB/s from DRAM on a Zen 5 core; a
// software prefetch of every line 4.6-9.2 KiB ahead gave 18-21 GB/s (bench/RESULTS.md).
constexpr int64_t kQ4PrefetchBytes = 96 * kQ4GroupBytes;

#if GEMBA_X86_VNNI

// n_rows rows (stride bytes apart) x one token: y[r] = dot(row r, x), with x regrouped
// (`groups` full groups) and in its plain view for the last nb % 4 blocks. One row at a time:
// the rows are read in address order, one sequential stream. (Four rows sharing each
// activation load were 1.3x faster from L2/L3 but half as fast from DRAM: four short
// interleaved streams defeat the hardware prefetcher.)
void q4_0_decode_rows(const uint8_t* w, size_t stride, int64_t n_rows, const Q4DecodeGroup* x, int64_t groups,
                      const ActView& xv, int64_t nb, float* y) {
  const __m512i scale_idx = _mm512_load_si512(kQ4ScaleWords);
  const __m512i low = _mm512_set1_epi8(15);
  for (int64_t r = 0; r < n_rows; ++r) {
    const uint8_t* wr = w + r * stride;
    // One group into acc: four blocks, 16 int32 lanes (4 per block) scaled lane-wise by
    // dx * dw and summed in f32; the lanes are only added up at the end of the row.
    auto step = [&](int64_t g, __m512& acc) {
      const Q4DecodeGroup& xg = x[g];
      const uint8_t* p = wr + g * kQ4GroupBytes;
      _mm_prefetch(reinterpret_cast<const char*>(p + kQ4PrefetchBytes), _MM_HINT_T0);
      _mm_prefetch(reinterpret_cast<const char*>(p + kQ4PrefetchBytes + 64), _MM_HINT_T0);  // groups are 72 bytes
      // Block k's 16 nibble bytes into 128-bit lane k (four 128-bit loads: measured faster
      // from DRAM than two overlapping 512-bit loads and a word permute).
      __m512i nib = _mm512_castsi128_si512(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 2)));
      nib = _mm512_inserti32x4(nib, _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 20)), 1);
      nib = _mm512_inserti32x4(nib, _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 38)), 2);
      nib = _mm512_inserti32x4(nib, _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 56)), 3);
      const __m512i head = _mm512_loadu_si512(p);  // bytes 0..63 hold the four fp16 scales
      const __m512 dw = _mm512_cvtph_ps(_mm512_castsi512_si256(_mm512_permutexvar_epi16(scale_idx, head)));
      // corr starts each lane at -8 * (its x values): the lanes then sum (q - 8) * x exactly.
      __m512i s = _mm512_dpbusd_epi32(_mm512_load_si512(xg.corr), _mm512_and_si512(nib, low), _mm512_load_si512(xg.lo));
      s = _mm512_dpbusd_epi32(s, _mm512_and_si512(_mm512_srli_epi16(nib, 4), low), _mm512_load_si512(xg.hi));
      acc = _mm512_fmadd_ps(_mm512_mul_ps(_mm512_cvtepi32_ps(s), _mm512_load_ps(xg.dx)), dw, acc);
    };
    // Two accumulators (named, so they stay in registers) for two independent FMA chains.
    __m512 acc0 = _mm512_setzero_ps(), acc1 = _mm512_setzero_ps();
    int64_t g = 0;
    for (; g + 2 <= groups; g += 2) {
      step(g, acc0);
      step(g + 1, acc1);
    }
    if (g < groups) step(g, acc0);
    float v = _mm512_reduce_add_ps(_mm512_add_ps(acc0, acc1));
    if (groups * kQ4GroupBlocks < nb) v += q4_0_tail(wr, xv, groups * kQ4GroupBlocks, nb);
    y[r] = v;
  }
}

#else

// The AVX2 form of the kernel above: the same regrouped activation, two blocks per 256-bit
// vector (vpmaddubsw + vpmaddwd for the block dots), the scale pair spread with vpshufb.
void q4_0_decode_rows(const uint8_t* w, size_t stride, int64_t n_rows, const Q4DecodeGroup* x, int64_t groups,
                      const ActView& xv, int64_t nb, float* y) {
  const __m256i low = _mm256_set1_epi8(15), ones16 = _mm256_set1_epi16(1);
  // From 32 bytes at a block pair: words 0..3 <- the first scale (bytes 0, 1), words 8..11
  // <- the second (bytes 18, 19 = bytes 2, 3 of the upper 128-bit lane).
  const __m256i spread = _mm256_setr_epi8(0, 1, 0, 1, 0, 1, 0, 1, -1, -1, -1, -1, -1, -1, -1, -1,
                                          2, 3, 2, 3, 2, 3, 2, 3, -1, -1, -1, -1, -1, -1, -1, -1);
  for (int64_t r = 0; r < n_rows; ++r) {
    const uint8_t* wr = w + r * stride;
    __m256 acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps();
    for (int64_t g = 0; g < groups; ++g) {
      const Q4DecodeGroup& xg = x[g];
      const uint8_t* p = wr + g * kQ4GroupBytes;
      _mm_prefetch(reinterpret_cast<const char*>(p + kQ4PrefetchBytes), _MM_HINT_T0);
      _mm_prefetch(reinterpret_cast<const char*>(p + kQ4PrefetchBytes + 64), _MM_HINT_T0);
      for (int h = 0; h < 2; ++h) {  // blocks 2h, 2h + 1 (36 bytes from q)
        const uint8_t* q = p + 36 * h;
        const __m256i nib = _mm256_loadu2_m128i(reinterpret_cast<const __m128i*>(q + 20),
                                                reinterpret_cast<const __m128i*>(q + 2));
        const __m256i sc = _mm256_permute4x64_epi64(
            _mm256_shuffle_epi8(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(q)), spread), 0x08);
        const __m256 dw = _mm256_cvtph_ps(_mm256_castsi256_si128(sc));
        // |lo x + hi x| per int16 pair <= 4 * 15 * 127: no saturation
        const __m256i p16 = _mm256_add_epi16(
            _mm256_maddubs_epi16(_mm256_and_si256(nib, low), _mm256_load_si256(reinterpret_cast<const __m256i*>(xg.lo + 32 * h))),
            _mm256_maddubs_epi16(_mm256_and_si256(_mm256_srli_epi16(nib, 4), low),
                                 _mm256_load_si256(reinterpret_cast<const __m256i*>(xg.hi + 32 * h))));
        const __m256i s = _mm256_add_epi32(_mm256_madd_epi16(p16, ones16),
                                           _mm256_load_si256(reinterpret_cast<const __m256i*>(xg.corr + 8 * h)));
        __m256& acc = h == 0 ? acc0 : acc1;
        acc = _mm256_fmadd_ps(_mm256_mul_ps(_mm256_cvtepi32_ps(s), _mm256_load_ps(xg.dx + 8 * h)), dw, acc);
      }
    }
    float v = hsum(_mm256_add_ps(acc0, acc1));
    if (groups * kQ4GroupBlocks < nb) v += q4_0_tail(wr, xv, groups * kQ4GroupBlocks, nb);
    y[r] = v;
  }
}

#endif

void tile_q4_0_decode(const Tile& tl) {
  const ActView x(tl.x, tl.cols);
  const int64_t nb = tl.cols / kQk, groups = nb / kQ4GroupBlocks;
  thread_local std::vector<Q4DecodeGroup> regrouped;
  if (static_cast<int64_t>(regrouped.size()) < groups) regrouped.resize(groups);
  regroup_q4_0_act(x, groups, regrouped.data());
  q4_0_decode_rows(tl.w, tl.w_stride, tl.n_rows, regrouped.data(), groups, x, nb, tl.y);
}


// Calls f(std::integral_constant<int, n>{}) for a run-time n in [1, N].
template <int N, class F>
void with_token_count(int n, F f) {
  if constexpr (N > 1) {
    if (n < N) return with_token_count<N - 1>(n, f);
  }
  f(std::integral_constant<int, N>{});
}

#include "engine/cpu/arch/x86/x86-prefill-kernels.h"  // quantized prefill (AVX-512 VNNI)
#include "engine/cpu/arch/x86/x86-panel-kernels.h"    // Q4_0/Q8_0 prefill over repacked rows

// ---- tiles -------------------------------------------------------------------------------

template <class L>
void tile_float(const Tile& tl) {
#if GEMBA_X86_VNNI
  using L512 = std::conditional_t<std::is_same_v<L, LoadF32>, Load512F32,
                                  std::conditional_t<std::is_same_v<L, LoadF16>, Load512F16, Load512BF16>>;
  if (tl.n_tokens > 1) {
    tile_float512_prefill<L, L512>(tl);
    return;
  }
  // One token: F16/BF16 take the 512-bit kernel; F32 keeps the 256-bit row_float below (the
  // 512-bit form measured 0.87-0.92x on 2048x2048 and 0.45x on 7168x2048 F32).
  if constexpr (!std::is_same_v<L, LoadF32>) {
    tile_float512_decode<L, L512>(tl);
    return;
  }
#endif
  for (int64_t t0 = 0; t0 < tl.n_tokens; t0 += 4) {
    const int nt = static_cast<int>(tl.n_tokens - t0 < 4 ? tl.n_tokens - t0 : 4);
    const float* x[4];
    for (int t = 0; t < nt; ++t) x[t] = reinterpret_cast<const float*>(tl.x + (t0 + t) * tl.x_stride);
    for (int64_t r = 0; r < tl.n_rows; ++r) {
      float out[4];
      const uint8_t* w = tl.w + r * tl.w_stride;
      switch (nt) {
        case 1: row_float<L, 1>(w, x, tl.cols, out); break;
        case 2: row_float<L, 2>(w, x, tl.cols, out); break;
        case 3: row_float<L, 3>(w, x, tl.cols, out); break;
        default: row_float<L, 4>(w, x, tl.cols, out); break;
      }
      for (int t = 0; t < nt; ++t) tl.y[(t0 + t) * tl.ldy + r] = out[t];
    }
  }
}

template <template <int> class Row>
void tile_quant(const Tile& tl) {
  for (int64_t t0 = 0; t0 < tl.n_tokens; t0 += 4) {
    const int nt = static_cast<int>(tl.n_tokens - t0 < 4 ? tl.n_tokens - t0 : 4);
    ActView x[4];
    for (int t = 0; t < nt; ++t) x[t] = ActView(tl.x + (t0 + t) * tl.x_stride, tl.cols);
    for (int64_t r = 0; r < tl.n_rows; ++r) {
      float out[4];
      const uint8_t* w = tl.w + r * tl.w_stride;
      switch (nt) {
        case 1: Row<1>::run(w, x, tl.cols, out); break;
        case 2: Row<2>::run(w, x, tl.cols, out); break;
        case 3: Row<3>::run(w, x, tl.cols, out); break;
        default: Row<4>::run(w, x, tl.cols, out); break;
      }
      for (int t = 0; t < nt; ++t) tl.y[(t0 + t) * tl.ldy + r] = out[t];
    }
  }
}

template <int NT> struct RowQ8_0 { static void run(const uint8_t* w, const ActView* x, int64_t n, float* o) { row_q8_0<NT>(w, x, n, o); } };
template <int NT> struct RowQ4_0 { static void run(const uint8_t* w, const ActView* x, int64_t n, float* o) { row_q4_0<NT>(w, x, n, o); } };
template <int NT> struct RowQ4K { static void run(const uint8_t* w, const ActView* x, int64_t n, float* o) { row_q4_k<NT>(w, x, n, o); } };
template <int NT> struct RowQ6K { static void run(const uint8_t* w, const ActView* x, int64_t n, float* o) { row_q6_k<NT>(w, x, n, o); } };

// Q8_0: several tokens take the AVX-512 prefill kernel; one token keeps row_q32.
void tile_q8_0(const Tile& tl) {
#if GEMBA_X86_VNNI
  if (tl.n_tokens > 1) {
    tile_q8_0_prefill(tl);
    return;
  }
#endif
  tile_quant<RowQ8_0>(tl);
}

// Q4_0: one token takes the regrouped decode kernel.
void tile_q4_0(const Tile& tl) {
  if (tl.n_tokens == 1) {
    tile_q4_0_decode(tl);
    return;
  }
#if GEMBA_X86_VNNI
  tile_q4_0_prefill(tl);
#else
  tile_quant<RowQ4_0>(tl);
#endif
}

#include "engine/cpu/arch/x86/x86-float-panel-kernels.h"  // F32/F16/BF16 prefill over repacked rows

KernelSet make_x86_set(const char* name) {
  KernelSet k = scalar_kernel_set();
  k.name = name;
  k.quantize_act = quantize_act;
  k.tile[static_cast<int>(WeightKind::F32)] = tile_float<LoadF32>;
  k.tile[static_cast<int>(WeightKind::F16)] = tile_float<LoadF16>;
  k.tile[static_cast<int>(WeightKind::BF16)] = tile_float<LoadBF16>;
  k.tile[static_cast<int>(WeightKind::Q8_0)] = tile_q8_0;
  k.tile[static_cast<int>(WeightKind::Q4_0)] = tile_q4_0;
  k.tile[static_cast<int>(WeightKind::Q4_K)] = tile_quant<RowQ4K>;
  k.tile[static_cast<int>(WeightKind::Q6_K)] = tile_quant<RowQ6K>;
  k.panel[static_cast<int>(WeightKind::Q4_0)] = panel_quant<PanelQ4_0>;
#if GEMBA_X86_VNNI
  k.panel[static_cast<int>(WeightKind::Q8_0)] = panel_quant<PanelQ8_0>;
  using FloatVec = Float512;
#else
  using FloatVec = Float256;
#endif
  k.panel[static_cast<int>(WeightKind::F32)] = panel_float<LoadF32, FloatVec>;
  k.panel[static_cast<int>(WeightKind::F16)] = panel_float<LoadF16, FloatVec>;
  k.panel[static_cast<int>(WeightKind::BF16)] = panel_float<LoadBF16, FloatVec>;
  for (WeightKind f : {WeightKind::F32, WeightKind::F16, WeightKind::BF16})
    k.panel_min_tokens[static_cast<int>(f)] = kFloatPanelMinTokens;
  return k;
}

}  // namespace
}  // namespace gemba::engine::cpu
