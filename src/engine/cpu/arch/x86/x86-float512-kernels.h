// Float-weight (F32/F16/BF16) kernels on 512-bit vectors, AVX-512 set only: the 6-row x
// 4-token prefill and the four-chain one-token decode. Part of x86-kernels.h, which includes
// it after the 256-bit float kernels (LoadF32/LoadF16/LoadBF16, row_float); not a header to
// include anywhere else.
#pragma once

#if GEMBA_X86_VNNI

// Float weights on 512-bit vectors (AVX-512 set only): 16 lanes per load, F16/BF16 widened
// on load. kBytes (bytes per weight) sets the prefill's software-prefetch step.
struct Load512F32 {
  static constexpr int kBytes = 4;
  static __m512 load(const uint8_t* w, int64_t i) { return _mm512_loadu_ps(reinterpret_cast<const float*>(w) + i); }
};
struct Load512F16 {
  static constexpr int kBytes = 2;
  static __m512 load(const uint8_t* w, int64_t i) {
    return _mm512_cvtph_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(w + 2 * i)));
  }
};
struct Load512BF16 {
  static constexpr int kBytes = 2;
  static __m512 load(const uint8_t* w, int64_t i) {
    const __m512i u = _mm512_cvtepu16_epi32(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(w + 2 * i)));
    return _mm512_castsi512_ps(_mm512_slli_epi32(u, 16));
  }
};

// ---- float prefill (several tokens) --------------------------------------------------------
//
// RB weight rows x NT tokens, one 16-lane accumulator each: with RB = 6, NT = 4 that is 24
// accumulators + 6 weight vectors + 1 activation vector = 31 of the 32 zmm registers, and per
// 16 columns 6 weight loads and 4 activation loads feed 24 FMAs (the former 2 x 4 kernel: 6
// loads and 2 converts for 8 FMAs). While `next` is set the kernel also prefetches the RB rows
// that follow (`next`, same stride), one cache line per row per 64 weight bytes it reads, so
// the next row group arrives from DRAM while this one computes; a prefetch never faults, so
// `next` may point past the matrix.
template <class L, class L512, int RB, int NT>
void rows_float512(const uint8_t* w, size_t stride, const float* const* x, int64_t n, const uint8_t* next,
                   float (*out)[4]) {
  __m512 acc[RB][NT];
  for (int r = 0; r < RB; ++r)
    for (int t = 0; t < NT; ++t) acc[r][t] = _mm512_setzero_ps();
  int64_t i = 0;
  for (; i + 16 <= n; i += 16) {
    if (next && (i * L512::kBytes) % 64 == 0)
      for (int r = 0; r < RB; ++r)
        _mm_prefetch(reinterpret_cast<const char*>(next + r * stride + i * L512::kBytes), _MM_HINT_T0);
    __m512 wv[RB];
    for (int r = 0; r < RB; ++r) wv[r] = L512::load(w + r * stride, i);
    for (int t = 0; t < NT; ++t) {
      const __m512 xv = _mm512_loadu_ps(x[t] + i);
      for (int r = 0; r < RB; ++r) acc[r][t] = _mm512_fmadd_ps(wv[r], xv, acc[r][t]);
    }
  }
  for (int r = 0; r < RB; ++r)
    for (int t = 0; t < NT; ++t) {
      float s = _mm512_reduce_add_ps(acc[r][t]);
      for (int64_t j = i; j < n; ++j) s += L::one(w + r * stride, j) * x[t][j];
      out[r][t] = s;
    }
}

// Rows r0..r0+RB-1 of the tile, columns k0..k0+nk-1, against all its tokens, 4 at a time:
// the RB weight rows stay in L1 while the tile's activations stream past from L2. The first
// token group prefetches the next RB rows. The first column chunk stores its sums, later ones
// add theirs.
template <class L, class L512, int RB>
void float512_row_group(const Tile& tl, int64_t r0, int64_t k0, int64_t nk) {
  const uint8_t* w = tl.w + r0 * tl.w_stride + k0 * L512::kBytes;
  for (int64_t t0 = 0; t0 < tl.n_tokens; t0 += 4) {
    const int nt = static_cast<int>(tl.n_tokens - t0 < 4 ? tl.n_tokens - t0 : 4);
    const float* x[4];
    for (int t = 0; t < nt; ++t) x[t] = reinterpret_cast<const float*>(tl.x + (t0 + t) * tl.x_stride) + k0;
    const uint8_t* next = t0 == 0 ? w + RB * tl.w_stride : nullptr;
    float out[RB][4];
    switch (nt) {
      case 1: rows_float512<L, L512, RB, 1>(w, tl.w_stride, x, nk, next, out); break;
      case 2: rows_float512<L, L512, RB, 2>(w, tl.w_stride, x, nk, next, out); break;
      case 3: rows_float512<L, L512, RB, 3>(w, tl.w_stride, x, nk, next, out); break;
      default: rows_float512<L, L512, RB, 4>(w, tl.w_stride, x, nk, next, out); break;
    }
    for (int r = 0; r < RB; ++r)
      for (int t = 0; t < nt; ++t) {
        float& y = tl.y[(t0 + t) * tl.ldy + r0 + r];
        y = k0 == 0 ? out[r][t] : y + out[r][t];
      }
  }
}

// Several tokens: rows in groups of 6 (then 2, then 1). Rows wider than kMaxChunk columns are
// cut into equal chunks (multiples of 16) so that a 6-row group of one chunk (at most 24 KiB)
// stays in L1 beside the activations: the FFN down projection's 7168 F16 columns (14 KiB a
// row, 84 KiB a group) run as 4 x 1792. Every output is the same sum in the same order
// whatever group its row falls in, so results do not depend on the row split.
template <class L, class L512>
void tile_float512_prefill(const Tile& tl) {
  constexpr int64_t kMaxChunk = 24 * 1024 / (6 * L512::kBytes);  // F16/BF16 2048, F32 1024 columns
  const int64_t chunks = (tl.cols + kMaxChunk - 1) / kMaxChunk;
  const int64_t step = ((tl.cols + chunks - 1) / chunks + 15) / 16 * 16;
  for (int64_t k0 = 0; k0 < tl.cols; k0 += step) {
    const int64_t nk = tl.cols - k0 < step ? tl.cols - k0 : step;
    int64_t r = 0;
    for (; r + 6 <= tl.n_rows; r += 6) float512_row_group<L, L512, 6>(tl, r, k0, nk);
    for (; r + 2 <= tl.n_rows; r += 2) float512_row_group<L, L512, 2>(tl, r, k0, nk);
    for (; r < tl.n_rows; ++r) float512_row_group<L, L512, 1>(tl, r, k0, nk);
  }
}

// ---- float decode (one token) --------------------------------------------------------------
//
// One row at a time (one sequential stream, as in the Q4_0 decode kernel), 64 columns per step
// in four independent FMA chains (the 256-bit row_float: 16 columns, two chains). From L2/L3
// (2048x2048 F16) 28.6 -> 53.7 GB/s; from DRAM both sit at the one-core bandwidth (decode-stream
// 24-29 GB/s). A software prefetch 4 KiB ahead helped a malloc'd stream but was 0.92-1.06x of
// none on decode-stream and on the mmapped model file, so there is none.
template <class L, class L512>
float row_float512_decode(const uint8_t* w, const float* x, int64_t n) {
  __m512 a0 = _mm512_setzero_ps(), a1 = a0, a2 = a0, a3 = a0;
  int64_t i = 0;
  for (; i + 64 <= n; i += 64) {
    a0 = _mm512_fmadd_ps(L512::load(w, i), _mm512_loadu_ps(x + i), a0);
    a1 = _mm512_fmadd_ps(L512::load(w, i + 16), _mm512_loadu_ps(x + i + 16), a1);
    a2 = _mm512_fmadd_ps(L512::load(w, i + 32), _mm512_loadu_ps(x + i + 32), a2);
    a3 = _mm512_fmadd_ps(L512::load(w, i + 48), _mm512_loadu_ps(x + i + 48), a3);
  }
  for (; i + 16 <= n; i += 16) a0 = _mm512_fmadd_ps(L512::load(w, i), _mm512_loadu_ps(x + i), a0);
  float s = _mm512_reduce_add_ps(_mm512_add_ps(_mm512_add_ps(a0, a1), _mm512_add_ps(a2, a3)));
  for (; i < n; ++i) s += L::one(w, i) * x[i];
  return s;
}

template <class L, class L512>
void tile_float512_decode(const Tile& tl) {
  const float* x = reinterpret_cast<const float*>(tl.x);
  for (int64_t r = 0; r < tl.n_rows; ++r) tl.y[r] = row_float512_decode<L, L512>(tl.w + r * tl.w_stride, x, tl.cols);
}

#endif
