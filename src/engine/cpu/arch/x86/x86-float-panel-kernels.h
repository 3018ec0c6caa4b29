// F32/F16/BF16 prefill over a whole prompt with the weight rows repacked per call (AVX-512
// set only). Part of x86-kernels.h, which includes it after the quantized panel kernels; not a
// header to include anywhere else.
//
// Why: the row-major float prefill (x86-float512-kernels.h) gives each lane a column of one
// row, widens every F16/BF16 weight again for every 4 tokens, ends each row x token with a
// horizontal sum, and streams every token's activations once per 6 rows; on the Zen 5 here
// (a 236 GFLOP/s FMA peak per core) it falls from ~175 GFLOP/s at 64 tokens to ~150 at 256
// as the activations outgrow L2. Here the lanes hold 16 rows of one column, widened to f32
// once per call (load + in-register transpose); a 32-row x 12-token register tile takes 2
// weight loads and 12 activation broadcasts for 24 FMAs, with no horizontal sums; weights and
// activations are both repacked in blocks that stay in L2 (BLIS's loop order). No repacked
// copy of the model is kept.
#pragma once

#if GEMBA_X86_VNNI

// In-register transpose of 16 x 16 32-bit values: c[j] lane i = r[i] lane j. Four rounds of
// 16 shuffles: 32-bit and 64-bit unpacks within 128-bit lanes, then two 128-bit lane shuffles.
inline void transpose16x16_epi32(const __m512i* r, __m512i* c) {
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
    const __m512i v0 = _mm512_shuffle_i32x4(u[e], u[4 + e], 0x88);   // lanes 0, 2 of rows 0-7
    const __m512i w0 = _mm512_shuffle_i32x4(u[e], u[4 + e], 0xdd);   // lanes 1, 3 of rows 0-7
    const __m512i v1 = _mm512_shuffle_i32x4(u[8 + e], u[12 + e], 0x88);
    const __m512i w1 = _mm512_shuffle_i32x4(u[8 + e], u[12 + e], 0xdd);
    c[e] = _mm512_shuffle_i32x4(v0, v1, 0x88);
    c[4 + e] = _mm512_shuffle_i32x4(w0, w1, 0x88);
    c[8 + e] = _mm512_shuffle_i32x4(v0, v1, 0xdd);
    c[12 + e] = _mm512_shuffle_i32x4(w0, w1, 0xdd);
  }
}

// Two columns of 16 rows as f32 from 16 dwords holding (column k: low half, k+1: high half).
template <class L>
void widen_column_pair(__m512i g, float* col_k, float* col_k1) {
  if constexpr (std::is_same_v<L, LoadF16>) {
    _mm512_store_ps(col_k, _mm512_cvtph_ps(_mm512_maskz_cvtepi32_epi16(0xffff, g)));
    _mm512_store_ps(col_k1, _mm512_cvtph_ps(_mm512_maskz_cvtepi32_epi16(0xffff, _mm512_srli_epi32(g, 16))));
  } else {  // BF16: the value is the top half of an f32
    _mm512_store_ps(col_k, _mm512_castsi512_ps(_mm512_slli_epi32(g, 16)));
    _mm512_store_ps(col_k1, _mm512_castsi512_ps(_mm512_and_si512(g, _mm512_set1_epi32(static_cast<int>(0xffff0000u)))));
  }
}

// Repacked chunk of one sub-panel of RV row vectors (16 * RV rows) and kc columns:
//   f32 p[kc][RV][16]: column k, vector v, lane i = W[16v + i][k0 + k]
// 16 rows x 64 bytes (16 F32 or 32 F16/BF16 columns) at a time: one load per row, an
// in-register transpose, widening; the chunk's last columns one at a time. No read passes
// the chunk, so none passes the matrix.
template <class L, class L512>
void repack_float_panel(const uint8_t* w, size_t stride, int rv, int64_t k0, int64_t kc, float* out) {
  constexpr int64_t kSpan = 64 / L512::kBytes;  // columns per 64-byte row load
  for (int v = 0; v < rv; ++v) {
    const uint8_t* base = w + (16 * v) * stride + k0 * L512::kBytes;
    int64_t k = 0;
    for (; k + kSpan <= kc; k += kSpan) {
      __m512i r[16], c[16];
      for (int i = 0; i < 16; ++i) r[i] = _mm512_loadu_si512(base + i * stride + k * L512::kBytes);
      transpose16x16_epi32(r, c);
      for (int j = 0; j < 16; ++j) {
        if constexpr (L512::kBytes == 4) {
          _mm512_store_si512(out + ((k + j) * rv + v) * 16, c[j]);
        } else {
          widen_column_pair<L>(c[j], out + ((k + 2 * j) * rv + v) * 16, out + ((k + 2 * j + 1) * rv + v) * 16);
        }
      }
    }
    for (; k < kc; ++k)
      for (int i = 0; i < 16; ++i) out[(k * rv + v) * 16 + i] = L::one(base + i * stride, k);
  }
}

// y[t * ldy + 16v + i] (+)= sum over the chunk's kc columns of p[k][v][i] * xp[k][t], for NT
// tokens (xp: the group's activations, repacked column-major) and RV vectors. Each lane is one
// row's sum in column order, whatever RV and NT are, so an output does not depend on how rows
// and tokens were grouped.
template <int RV, int NT>
void float_panel_tokens(const float* p, int64_t kc, const float* xp, float* y, int64_t ldy, bool add) {
  __m512 acc[RV][NT];
  for (int v = 0; v < RV; ++v)
    for (int t = 0; t < NT; ++t) acc[v][t] = _mm512_setzero_ps();
  for (int64_t k = 0; k < kc; ++k) {
    __m512 wv[RV];
    for (int v = 0; v < RV; ++v) wv[v] = _mm512_load_ps(p + (k * RV + v) * 16);
    for (int t = 0; t < NT; ++t) {
      const __m512 xb = _mm512_set1_ps(xp[k * NT + t]);
      for (int v = 0; v < RV; ++v) acc[v][t] = _mm512_fmadd_ps(wv[v], xb, acc[v][t]);
    }
  }
  for (int v = 0; v < RV; ++v)
    for (int t = 0; t < NT; ++t) {
      float* out = y + t * ldy + 16 * v;
      _mm512_storeu_ps(out, add ? _mm512_add_ps(_mm512_loadu_ps(out), acc[v][t]) : acc[v][t]);
    }
}

// A panel entry: tl.n_rows is a multiple of 16, tl.n_tokens any count (the whole prompt).
// The loops of a blocked GEMM: tokens in blocks of kTokenBlock; per column chunk of kChunk,
// the block's activations are repacked once (xp[group][k][t]: 12 tokens per group, at most
// 528 KiB, in L2) and then every block of kBlockRows rows is repacked (128 KiB, in L2) and
// swept: each 12-token group (12 KiB, in L1) runs over the block's 32-row sub-panels. The
// column chunks are the same for every row and token: the first stores its sums, later ones
// add theirs.
template <class L, class L512>
void panel_float(const Tile& tl) {
  // Below ~100 tokens the row-major kernel is as fast (F16, 1 thread: 0.9-1.0x at 64 tokens,
  // 1.07-1.11x at 128): the repack is shared by too few tokens.
  constexpr int64_t kMinTokens = 96;
  if (tl.n_tokens < kMinTokens) {
    tile_float512_prefill<L, L512>(tl);
    return;
  }
  constexpr int64_t kChunk = 256, kBlockRows = 128, kSubRows = 32;
  constexpr int kTokens = 12;  // 2 x 12 accumulators + 2 weight vectors + 1 broadcast of 32 zmm
  constexpr int64_t kTokenBlock = 44 * kTokens;
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
      // Group g (tokens tb + 12g ..) at xp + 12g * kc: column k of its nt tokens at k * nt.
      for (int64_t g0 = 0; g0 < ntb; g0 += kTokens) {
        const int64_t nt = ntb - g0 < kTokens ? ntb - g0 : kTokens;
        float* dst = xp + g0 * kc;
        const uint8_t* src = tl.x + (tb + g0) * tl.x_stride + k0 * sizeof(float);
        int64_t k = 0;
        if (nt == kTokens)  // 16 columns at a time: 12 row loads (4 zero rows), a transpose, 12-lane stores
          for (; k + 16 <= kc; k += 16) {
            __m512i r[16], c[16];
            for (int t = 0; t < 16; ++t)
              r[t] = t < kTokens ? _mm512_loadu_si512(src + t * tl.x_stride + k * sizeof(float)) : _mm512_setzero_si512();
            transpose16x16_epi32(r, c);
            for (int j = 0; j < 16; ++j) _mm512_mask_storeu_epi32(dst + (k + j) * kTokens, 0x0fff, c[j]);
          }
        for (; k < kc; ++k)
          for (int64_t t = 0; t < nt; ++t) dst[k * nt + t] = reinterpret_cast<const float*>(src + t * tl.x_stride)[k];
      }
      for (int64_t r0 = 0; r0 < tl.n_rows; r0 += kBlockRows) {
        const int64_t nr = tl.n_rows - r0 < kBlockRows ? tl.n_rows - r0 : kBlockRows;
        // Sub-panel s holds rows [r0 + s, +32) (the last may be 16) at p + s * kc.
        for (int64_t s = 0; s < nr; s += kSubRows)
          repack_float_panel<L, L512>(tl.w + (r0 + s) * tl.w_stride, tl.w_stride, nr - s >= kSubRows ? 2 : 1, k0,
                                      kc, p + s * kc);
        // While the groups compute, pull the weights the next repack reads (the next row block
        // of this chunk, else the first of the next chunk) into L2, a slice per group: the
        // repack's 16 row streams otherwise wait on DRAM (it was 12% of F16 pp512).
        const bool next_in_chunk = r0 + kBlockRows < tl.n_rows;
        const int64_t next_r0 = next_in_chunk ? r0 + kBlockRows : 0, next_k0 = next_in_chunk ? k0 : k0 + kChunk;
        const int64_t next_rows = next_k0 >= tl.cols ? 0 : std::min<int64_t>(kBlockRows, tl.n_rows - next_r0);
        const int64_t row_lines = (std::min<int64_t>(kChunk, tl.cols - next_k0) * L512::kBytes + 63) / 64;
        const int64_t lines = next_rows * row_lines, groups = (ntb + kTokens - 1) / kTokens;
        const int64_t lines_per_group = (lines + groups - 1) / groups;
        for (int64_t g0 = 0; g0 < ntb; g0 += kTokens) {
          const int nt = static_cast<int>(ntb - g0 < kTokens ? ntb - g0 : kTokens);
          float* y = tl.y + (tb + g0) * tl.ldy + r0;
          const int64_t l1 = std::min(lines, (g0 / kTokens + 1) * lines_per_group);
          for (int64_t l = g0 / kTokens * lines_per_group; l < l1; ++l)
            _mm_prefetch(reinterpret_cast<const char*>(tl.w + (next_r0 + l / row_lines) * tl.w_stride +
                                                       next_k0 * L512::kBytes + (l % row_lines) * 64),
                         _MM_HINT_T1);
          with_token_count<kTokens>(nt, [&](auto n) {
            constexpr int NT = decltype(n)::value;
            for (int64_t s = 0; s < nr; s += kSubRows) {
              if (nr - s >= kSubRows) float_panel_tokens<2, NT>(p + s * kc, kc, xp + g0 * kc, y + s, tl.ldy, k0 > 0);
              else float_panel_tokens<1, NT>(p + s * kc, kc, xp + g0 * kc, y + s, tl.ldy, k0 > 0);
            }
          });
        }
      }
    }
  }
}

#endif
