// F32/F16/BF16 prefill over a whole prompt with the weight rows repacked per call, written
// once over a vector type (Float512: AVX-512, 16 lanes; Float256: AVX2, 8 lanes). Part of
// x86-kernels.h, which includes it after the tile kernels; not a header to include anywhere
// else.
//
// Why: the row-major float prefill (x86-float512-kernels.h) gives each lane a column of one
// row, widens every F16/BF16 weight again for every 4 tokens, ends each row x token with a
// horizontal sum, and streams every token's activations once per 6 rows; on the Zen 5 here
// (a 236 GFLOP/s FMA peak per core) it falls from ~175 GFLOP/s at 64 tokens to ~150 at 256
// as the activations outgrow L2. Here the lanes hold 16 (AVX2: 8) rows of one column, widened
// to f32 once per call (load + in-register transpose); a 32-row x 12-token register tile
// (AVX2: 16 x 6) takes 2 weight loads and 12 (6) activation broadcasts for 24 (12) FMAs, with
// no horizontal sums; weights and activations are both repacked in blocks that stay in L2
// (BLIS's loop order). No repacked copy of the model is kept.
#pragma once

// ---- vector types --------------------------------------------------------------------------
//
// Each gives kLanes f32 lanes, kTokens (the register tile's token count: 2 x kTokens
// accumulators + 2 weight vectors + 1 broadcast fit the register file), the arithmetic, a
// kLanes x kLanes transpose of 32-bit values, and widen_pair: two columns of kLanes rows as f32
// from kLanes dwords holding (column k: low half, k+1: high half) of F16 or BF16 weights.

struct Float256 {
  using V = __m256;
  using I = __m256i;
  static constexpr int kLanes = 8, kTokens = 6;
  static V zero() { return _mm256_setzero_ps(); }
  static V set1(float f) { return _mm256_set1_ps(f); }
  static V load(const float* p) { return _mm256_load_ps(p); }
  static V loadu(const float* p) { return _mm256_loadu_ps(p); }
  static void storeu(float* p, V v) { _mm256_storeu_ps(p, v); }
  static V fmadd(V a, V b, V c) { return _mm256_fmadd_ps(a, b, c); }
  static V add(V a, V b) { return _mm256_add_ps(a, b); }
  static I loadu_i(const uint8_t* p) { return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)); }
  static I zero_i() { return _mm256_setzero_si256(); }
  static void store_i(float* p, I v) { _mm256_store_si256(reinterpret_cast<__m256i*>(p), v); }
  // The first kTokens lanes of v at p (p need not be aligned).
  static void store_tokens(float* p, I v) {
    _mm256_maskstore_epi32(reinterpret_cast<int*>(p), _mm256_setr_epi32(-1, -1, -1, -1, -1, -1, 0, 0), v);
  }
  // Unpacks within 128-bit lanes, then 128-bit lane swaps (24 shuffles).
  static void transpose(const I* r, I* c) {
    __m256 t[8], u[8];
    for (int i = 0; i < 8; i += 2) {
      t[i] = _mm256_unpacklo_ps(_mm256_castsi256_ps(r[i]), _mm256_castsi256_ps(r[i + 1]));
      t[i + 1] = _mm256_unpackhi_ps(_mm256_castsi256_ps(r[i]), _mm256_castsi256_ps(r[i + 1]));
    }
    // u[4g + e], 128-bit lane L: rows 4g..4g+3 at column 4L + e.
    for (int g = 0; g < 8; g += 4) {
      u[g] = _mm256_shuffle_ps(t[g], t[g + 2], 0x44);
      u[g + 1] = _mm256_shuffle_ps(t[g], t[g + 2], 0xee);
      u[g + 2] = _mm256_shuffle_ps(t[g + 1], t[g + 3], 0x44);
      u[g + 3] = _mm256_shuffle_ps(t[g + 1], t[g + 3], 0xee);
    }
    for (int e = 0; e < 4; ++e) {
      c[e] = _mm256_castps_si256(_mm256_permute2f128_ps(u[e], u[4 + e], 0x20));
      c[4 + e] = _mm256_castps_si256(_mm256_permute2f128_ps(u[e], u[4 + e], 0x31));
    }
  }
  template <class L>
  static void widen_pair(I g, float* col_k, float* col_k1) {
    if constexpr (std::is_same_v<L, LoadF16>) {
      const __m256i lo = _mm256_and_si256(g, _mm256_set1_epi32(0xffff)), hi = _mm256_srli_epi32(g, 16);
      // packus is exact here: every lane is at most 0xffff.
      _mm256_store_ps(col_k, _mm256_cvtph_ps(_mm_packus_epi32(_mm256_castsi256_si128(lo), _mm256_extracti128_si256(lo, 1))));
      _mm256_store_ps(col_k1, _mm256_cvtph_ps(_mm_packus_epi32(_mm256_castsi256_si128(hi), _mm256_extracti128_si256(hi, 1))));
    } else {  // BF16: the value is the top half of an f32
      _mm256_store_si256(reinterpret_cast<__m256i*>(col_k), _mm256_slli_epi32(g, 16));
      _mm256_store_si256(reinterpret_cast<__m256i*>(col_k1),
                         _mm256_and_si256(g, _mm256_set1_epi32(static_cast<int>(0xffff0000u))));
    }
  }
};

#if GEMBA_X86_VNNI
struct Float512 {
  using V = __m512;
  using I = __m512i;
  static constexpr int kLanes = 16, kTokens = 12;
  static V zero() { return _mm512_setzero_ps(); }
  static V set1(float f) { return _mm512_set1_ps(f); }
  static V load(const float* p) { return _mm512_load_ps(p); }
  static V loadu(const float* p) { return _mm512_loadu_ps(p); }
  static void storeu(float* p, V v) { _mm512_storeu_ps(p, v); }
  static V fmadd(V a, V b, V c) { return _mm512_fmadd_ps(a, b, c); }
  static V add(V a, V b) { return _mm512_add_ps(a, b); }
  static I loadu_i(const uint8_t* p) { return _mm512_loadu_si512(p); }
  static I zero_i() { return _mm512_setzero_si512(); }
  static void store_i(float* p, I v) { _mm512_store_si512(p, v); }
  static void store_tokens(float* p, I v) { _mm512_mask_storeu_epi32(p, (1u << kTokens) - 1, v); }
  // Four rounds of 16 shuffles: 32-bit and 64-bit unpacks within 128-bit lanes, then two
  // 128-bit lane shuffles.
  static void transpose(const I* r, I* c) {
    __m512i t[16], u[16];
    for (int i = 0; i < 16; i += 2) {
      t[i] = _mm512_unpacklo_epi32(r[i], r[i + 1]);
      t[i + 1] = _mm512_unpackhi_epi32(r[i], r[i + 1]);
    }
    // u[4g + e], 128-bit lane L: rows 4g..4g+3 at column 4L + e.
    for (int g = 0; g < 16; g += 4) {
      u[g] = _mm512_unpacklo_epi64(t[g], t[g + 2]);
      u[g + 1] = _mm512_unpackhi_epi64(t[g], t[g + 2]);
      u[g + 2] = _mm512_unpacklo_epi64(t[g + 1], t[g + 3]);
      u[g + 3] = _mm512_unpackhi_epi64(t[g + 1], t[g + 3]);
    }
    for (int e = 0; e < 4; ++e) {
      const __m512i v0 = _mm512_shuffle_i32x4(u[e], u[4 + e], 0x88);  // lanes 0, 2 of rows 0-7
      const __m512i w0 = _mm512_shuffle_i32x4(u[e], u[4 + e], 0xdd);  // lanes 1, 3 of rows 0-7
      const __m512i v1 = _mm512_shuffle_i32x4(u[8 + e], u[12 + e], 0x88);
      const __m512i w1 = _mm512_shuffle_i32x4(u[8 + e], u[12 + e], 0xdd);
      c[e] = _mm512_shuffle_i32x4(v0, v1, 0x88);
      c[4 + e] = _mm512_shuffle_i32x4(w0, w1, 0x88);
      c[8 + e] = _mm512_shuffle_i32x4(v0, v1, 0xdd);
      c[12 + e] = _mm512_shuffle_i32x4(w0, w1, 0xdd);
    }
  }
  template <class L>
  static void widen_pair(I g, float* col_k, float* col_k1) {
    if constexpr (std::is_same_v<L, LoadF16>) {
      _mm512_store_ps(col_k, _mm512_cvtph_ps(_mm512_maskz_cvtepi32_epi16(0xffff, g)));
      _mm512_store_ps(col_k1, _mm512_cvtph_ps(_mm512_maskz_cvtepi32_epi16(0xffff, _mm512_srli_epi32(g, 16))));
    } else {  // BF16: the value is the top half of an f32
      _mm512_store_si512(col_k, _mm512_slli_epi32(g, 16));
      _mm512_store_si512(col_k1, _mm512_and_si512(g, _mm512_set1_epi32(static_cast<int>(0xffff0000u))));
    }
  }
};
#endif

// Repacked chunk of one sub-panel of RV row vectors (kLanes * RV rows) and kc columns:
//   f32 p[kc][RV][kLanes]: column k, vector v, lane i = W[kLanes v + i][k0 + k]
// kLanes rows x 4 kLanes bytes (kLanes F32 or 2 kLanes F16/BF16 columns) at a time: one load
// per row, an in-register transpose, widening; the chunk's last columns one at a time. No
// read passes the chunk, so none passes the matrix.
template <class L, class VT>
void repack_float_panel(const uint8_t* w, size_t stride, int rv, int64_t k0, int64_t kc, float* out) {
  constexpr int N = VT::kLanes;
  constexpr int64_t kBytes = L::kBytes, kSpan = 4 * N / kBytes;  // columns per row load
  for (int v = 0; v < rv; ++v) {
    const uint8_t* base = w + (N * v) * stride + k0 * kBytes;
    int64_t k = 0;
    for (; k + kSpan <= kc; k += kSpan) {
      typename VT::I r[N], c[N];
      for (int i = 0; i < N; ++i) r[i] = VT::loadu_i(base + i * stride + k * kBytes);
      VT::transpose(r, c);
      for (int j = 0; j < N; ++j) {
        if constexpr (kBytes == 4) {
          VT::store_i(out + ((k + j) * rv + v) * N, c[j]);
        } else {
          VT::template widen_pair<L>(c[j], out + ((k + 2 * j) * rv + v) * N, out + ((k + 2 * j + 1) * rv + v) * N);
        }
      }
    }
    for (; k < kc; ++k)
      for (int i = 0; i < N; ++i) out[(k * rv + v) * N + i] = L::one(base + i * stride, k);
  }
}

// y[t * ldy + kLanes v + i] (+)= sum over the chunk's kc columns of p[k][v][i] * xp[k][t], for
// NT tokens (xp: the group's activations, repacked column-major) and RV vectors. Each lane is
// one row's sum in column order, whatever RV and NT are, so an output does not depend on how
// rows and tokens were grouped.
template <class VT, int RV, int NT>
void float_panel_tokens(const float* p, int64_t kc, const float* xp, float* y, int64_t ldy, bool add) {
  constexpr int N = VT::kLanes;
  typename VT::V acc[RV][NT];
  for (int v = 0; v < RV; ++v)
    for (int t = 0; t < NT; ++t) acc[v][t] = VT::zero();
  for (int64_t k = 0; k < kc; ++k) {
    typename VT::V wv[RV];
    for (int v = 0; v < RV; ++v) wv[v] = VT::load(p + (k * RV + v) * N);
    for (int t = 0; t < NT; ++t) {
      const typename VT::V xb = VT::set1(xp[k * NT + t]);
      for (int v = 0; v < RV; ++v) acc[v][t] = VT::fmadd(wv[v], xb, acc[v][t]);
    }
  }
  for (int v = 0; v < RV; ++v)
    for (int t = 0; t < NT; ++t) {
      float* out = y + t * ldy + N * v;
      VT::storeu(out, add ? VT::add(VT::loadu(out), acc[v][t]) : acc[v][t]);
    }
}

// Below ~100 tokens the row-major kernels are as fast (AVX-512 F16, 1 thread: 0.9-1.0x at 64
// tokens, 1.07-1.11x at 128): the repack is shared by too few tokens.
constexpr int64_t kFloatPanelMinTokens = 96;

// A panel entry: tl.n_rows is a multiple of 16, tl.n_tokens >= kFloatPanelMinTokens (the
// whole prompt).
// The loops of a blocked GEMM: tokens in blocks of kTokenBlock; per column chunk of kChunk,
// the block's activations are repacked once (xp[group][k][t]: kTokens tokens per group, at
// most 528 KiB, in L2) and then every block of kBlockRows rows is repacked (128 KiB, in L2)
// and swept: each token group (12 KiB, in L1) runs over the block's sub-panels of 2 kLanes
// rows. The column chunks are the same for every row and token: the first stores its sums,
// later ones add theirs.
template <class L, class VT>
void panel_float(const Tile& tl) {
  constexpr int N = VT::kLanes, kTokens = VT::kTokens;
  constexpr int64_t kChunk = 256, kBlockRows = 128, kSubRows = 2 * N, kBytes = L::kBytes;
  constexpr int64_t kTokenBlock = 528 / kTokens * kTokens;
  static_assert(kBlockRows % kSubRows == 0 && kPanelRows % N == 0, "sub-panels tile the rows");
  struct alignas(64) Line { float f[16]; };
  thread_local std::vector<Line> packed_w, packed_x;  // 64-byte aligned
  if (packed_w.size() < static_cast<size_t>(kChunk * kBlockRows / 16)) packed_w.resize(kChunk * kBlockRows / 16);
  if (packed_x.size() < static_cast<size_t>(kChunk * kTokenBlock / 16)) packed_x.resize(kChunk * kTokenBlock / 16);
  float* p = packed_w.data()->f;
  float* xp = packed_x.data()->f;
  for (int64_t tb = 0; tb < tl.n_tokens; tb += kTokenBlock) {
    const int64_t ntb = tl.n_tokens - tb < kTokenBlock ? tl.n_tokens - tb : kTokenBlock;
    for (int64_t k0 = 0; k0 < tl.cols; k0 += kChunk) {
      const int64_t kc = tl.cols - k0 < kChunk ? tl.cols - k0 : kChunk;
      // Group g (tokens tb + g0 ..) at xp + g0 * kc: column k of its nt tokens at k * nt.
      for (int64_t g0 = 0; g0 < ntb; g0 += kTokens) {
        const int64_t nt = ntb - g0 < kTokens ? ntb - g0 : kTokens;
        float* dst = xp + g0 * kc;
        const uint8_t* src = tl.x + (tb + g0) * tl.x_stride + k0 * sizeof(float);
        int64_t k = 0;
        if (nt == kTokens)  // kLanes columns at a time: kTokens row loads (zero rows after), a transpose
          for (; k + N <= kc; k += N) {
            typename VT::I r[N], c[N];
            for (int t = 0; t < N; ++t)
              r[t] = t < kTokens ? VT::loadu_i(src + t * tl.x_stride + k * sizeof(float)) : VT::zero_i();
            VT::transpose(r, c);
            for (int j = 0; j < N; ++j) VT::store_tokens(dst + (k + j) * kTokens, c[j]);
          }
        for (; k < kc; ++k)
          for (int64_t t = 0; t < nt; ++t) dst[k * nt + t] = reinterpret_cast<const float*>(src + t * tl.x_stride)[k];
      }
      for (int64_t r0 = 0; r0 < tl.n_rows; r0 += kBlockRows) {
        const int64_t nr = tl.n_rows - r0 < kBlockRows ? tl.n_rows - r0 : kBlockRows;
        // Sub-panel s holds rows [r0 + s, + kSubRows) (the last may be half that) at p + s * kc.
        for (int64_t s = 0; s < nr; s += kSubRows)
          repack_float_panel<L, VT>(tl.w + (r0 + s) * tl.w_stride, tl.w_stride, nr - s >= kSubRows ? 2 : 1, k0, kc,
                                    p + s * kc);
        // While the groups compute, pull the weights the next repack reads (the next row block
        // of this chunk, else the first of the next chunk) into L2, a slice per group: the
        // repack's row streams otherwise wait on DRAM (it was 12% of F16 pp512).
        const bool next_in_chunk = r0 + kBlockRows < tl.n_rows;
        const int64_t next_r0 = next_in_chunk ? r0 + kBlockRows : 0, next_k0 = next_in_chunk ? k0 : k0 + kChunk;
        const int64_t next_rows = next_k0 >= tl.cols ? 0 : std::min<int64_t>(kBlockRows, tl.n_rows - next_r0);
        const int64_t row_lines = (std::min<int64_t>(kChunk, tl.cols - next_k0) * kBytes + 63) / 64;
        const int64_t lines = next_rows * row_lines, groups = (ntb + kTokens - 1) / kTokens;
        const int64_t lines_per_group = (lines + groups - 1) / groups;
        for (int64_t g0 = 0; g0 < ntb; g0 += kTokens) {
          const int nt = static_cast<int>(ntb - g0 < kTokens ? ntb - g0 : kTokens);
          float* y = tl.y + (tb + g0) * tl.ldy + r0;
          const int64_t l1 = std::min(lines, (g0 / kTokens + 1) * lines_per_group);
          for (int64_t l = g0 / kTokens * lines_per_group; l < l1; ++l)
            _mm_prefetch(reinterpret_cast<const char*>(tl.w + (next_r0 + l / row_lines) * tl.w_stride +
                                                       next_k0 * kBytes + (l % row_lines) * 64),
                         _MM_HINT_T1);
          with_token_count<kTokens>(nt, [&](auto n) {
            constexpr int NT = decltype(n)::value;
            for (int64_t s = 0; s < nr; s += kSubRows) {
              if (nr - s >= kSubRows) float_panel_tokens<VT, 2, NT>(p + s * kc, kc, xp + g0 * kc, y + s, tl.ldy, k0 > 0);
              else float_panel_tokens<VT, 1, NT>(p + s * kc, kc, xp + g0 * kc, y + s, tl.ldy, k0 > 0);
            }
          });
        }
      }
    }
  }
}
