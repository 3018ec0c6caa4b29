// Q4_0 and Q8_0 prefill over a whole prompt with the weight rows repacked per call (AVX-512
// VNNI: Q4_0 and Q8_0; AVX2: Q4_0). Part of x86-kernels.h, which includes it after the
// prefill kernels; not a header to include anywhere else.
//
// Why: the row-major prefill kernels (x86-prefill-kernels.h) give each lane of a vpdpbusd a
// slice of one row's block, so every row x token x few blocks needs its own int->float
// convert, scale multiply and FMA, and the weights are unpacked again for every few tokens.
// Here 16 rows (AVX2: 8) sit side by side in the lanes of one vector: lane i holds row i, 4
// consecutive weights per vpdpbusd, and 8 vpdpbusd cover a block of 32 for 16 rows, so the 3
// float ops are paid once per 16 rows x block, and the activation enters as one 4-byte
// broadcast. The repack (weights -> u8, rows interleaved 4 bytes at a time) costs about one
// pass over the rows and is shared by every token of the prompt, so it only pays with many
// tokens (kPanelMinTokens); decode keeps the row-major kernels and the file's own layout (no
// repacked copy is kept: resident memory stays at the file size).
#pragma once

static_assert(kPanelRows == 16, "a panel is 16 rows: one 512-bit or two 256-bit vectors of int32 lanes");

#if GEMBA_X86_VNNI

// Repacked layout of RV row vectors (16 * RV rows), block b at b * panel_block_bytes(RV):
//   u8  q[8][RV][64]   chunk k, vector v: lane i = weights 4k..4k+3 of row 16v + i, stored
//                      as w + Offset (Q4_0: the nibble 0..15, Offset 8; Q8_0: w + 128)
//   f32 d[RV][16]      the rows' block scales
constexpr size_t panel_block_bytes(int rv) { return static_cast<size_t>(rv) * (8 * 64 + 64); }

inline __m512i panel_row_offsets(size_t stride) {
  return _mm512_mullo_epi32(_mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15),
                            _mm512_set1_epi32(static_cast<int>(stride)));
}

// The 16 rows' f16 block scales (the first two bytes of each row's block at blk) as f32.
inline void store_panel_scales(const uint8_t* blk, __m512i row_offsets, uint8_t* out) {
  const __m512i d16 = _mm512_i32gather_epi32(row_offsets, blk, 1);  // low half-word: the scale
  _mm512_store_ps(out, _mm512_cvtph_ps(_mm512_cvtepi32_epi16(d16)));
}

// Repacks rows [0, 16 * rv) of Q4_0 weights (row pointer w, stride bytes apart, nb blocks each).
void repack_q4_0_panel(const uint8_t* w, size_t stride, int rv, int64_t nb, uint8_t* out) {
  const __m512i row_offsets = panel_row_offsets(stride);
  const __m512i low = _mm512_set1_epi8(15);
  for (int64_t b = 0; b < nb; ++b) {
    uint8_t* ob = out + b * panel_block_bytes(rv);
    for (int v = 0; v < rv; ++v) {
      const uint8_t* blk = w + (16 * v) * stride + b * sizeof(BlockQ4_0);
      // qs bytes 4k..4k+3 hold weights 4k..4k+3 (low nibbles) and 16+4k.. (high nibbles).
      for (int k = 0; k < 4; ++k) {
        const __m512i g = _mm512_i32gather_epi32(row_offsets, blk + 2 + 4 * k, 1);
        _mm512_store_si512(ob + (k * rv + v) * 64, _mm512_and_si512(g, low));
        _mm512_store_si512(ob + ((k + 4) * rv + v) * 64, _mm512_and_si512(_mm512_srli_epi16(g, 4), low));
      }
      store_panel_scales(blk, row_offsets, ob + 8 * rv * 64 + v * 64);
    }
  }
}

// The same for Q8_0 weights: each s8 weight becomes w + 128 (u8).
void repack_q8_0_panel(const uint8_t* w, size_t stride, int rv, int64_t nb, uint8_t* out) {
  const __m512i row_offsets = panel_row_offsets(stride);
  const __m512i flip = _mm512_set1_epi8(static_cast<char>(0x80));
  for (int64_t b = 0; b < nb; ++b) {
    uint8_t* ob = out + b * panel_block_bytes(rv);
    for (int v = 0; v < rv; ++v) {
      const uint8_t* blk = w + (16 * v) * stride + b * sizeof(BlockQ8_0);
      for (int k = 0; k < 8; ++k)
        _mm512_store_si512(ob + (k * rv + v) * 64,
                           _mm512_xor_si512(_mm512_i32gather_epi32(row_offsets, blk + 2 + 4 * k, 1), flip));
      store_panel_scales(blk, row_offsets, ob + 8 * rv * 64 + v * 64);
    }
  }
}

// y[t * ldy + 16v + i] for NT tokens and RV row vectors of a repacked panel. Per block, token
// and vector: 8 vpdpbusd (u8 weights x s8 activation broadcast) from -Offset * sum(x), which
// takes the weights' offset back out exactly, then one convert, one scale multiply and one FMA.
template <int Offset, int RV, int NT>
void panel_tokens(const uint8_t* panel, int64_t nb, const ActView* x, float* y, int64_t ldy) {
  __m512 acc[RV][NT];
  for (int v = 0; v < RV; ++v)
    for (int t = 0; t < NT; ++t) acc[v][t] = _mm512_setzero_ps();
  for (int64_t b = 0; b < nb; ++b) {
    const uint8_t* pb = panel + b * panel_block_bytes(RV);
    __m512i s[RV][NT];
    for (int t = 0; t < NT; ++t) {
      const __m512i offset = _mm512_set1_epi32(-Offset * x[t].sum[b]);
      for (int v = 0; v < RV; ++v) s[v][t] = offset;
    }
    for (int k = 0; k < 8; ++k) {
      __m512i wv[RV];
      for (int v = 0; v < RV; ++v) wv[v] = _mm512_load_si512(pb + (k * RV + v) * 64);
      for (int t = 0; t < NT; ++t) {
        int32_t chunk;
        std::memcpy(&chunk, x[t].q + b * kQk + 4 * k, 4);
        const __m512i xb = _mm512_set1_epi32(chunk);
        for (int v = 0; v < RV; ++v) s[v][t] = _mm512_dpbusd_epi32(s[v][t], wv[v], xb);
      }
    }
    for (int v = 0; v < RV; ++v) {
      const __m512 dw = _mm512_load_ps(pb + 8 * RV * 64 + v * 64);
      for (int t = 0; t < NT; ++t)
        acc[v][t] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(s[v][t]), _mm512_mul_ps(dw, _mm512_set1_ps(x[t].d[b])),
                                    acc[v][t]);
    }
  }
  for (int v = 0; v < RV; ++v)
    for (int t = 0; t < NT; ++t) _mm512_storeu_ps(y + t * ldy + 16 * v, acc[v][t]);
}

// The panel kernels of this set. Each K gives: kLanes (rows per vector), kVectors and kTokens
// (the register tile), block_bytes(rv), repack(w, stride, rv, nb, out) and
// tokens<RV, NT>(panel, nb, x, y, ldy).
template <int Offset, void (*Repack)(const uint8_t*, size_t, int, int64_t, uint8_t*)>
struct Vnni512Panel {
  static constexpr int kLanes = 16, kVectors = 2, kTokens = 4;  // 8 int + 8 float accumulators
  static constexpr size_t block_bytes(int rv) { return panel_block_bytes(rv); }
  static constexpr auto repack = Repack;
  template <int RV, int NT>
  static void tokens(const uint8_t* panel, int64_t nb, const ActView* x, float* y, int64_t ldy) {
    panel_tokens<Offset, RV, NT>(panel, nb, x, y, ldy);
  }
};
using PanelQ4_0 = Vnni512Panel<8, repack_q4_0_panel>;
using PanelQ8_0 = Vnni512Panel<128, repack_q8_0_panel>;

#else  // AVX2: Q4_0 only

// Repacked layout of RV row vectors (8 * RV rows), block b at b * block_bytes(RV):
//   u8  q[8][RV][32]   chunk k, vector v: lane i = weights 4k..4k+3 of row 8v + i (nibbles)
//   f32 d[RV][8]       the rows' block scales
// vpmaddubsw (u8 x s8 -> pairs summed in int16) takes the place of vpdpbusd: a pair is at most
// 2 * 15 * 127 = 3810, so the 8 chunks of a block add in int16 (30480 < 32767) before one
// vpmaddwd per block turns them into int32 lanes. (Q8_0 + 128 would overflow vpmaddubsw: no
// AVX2 Q8_0 panel.)
struct PanelQ4_0 {
  static constexpr int kLanes = 8, kVectors = 2, kTokens = 2;  // 4 int16 + 4 float accumulators
  static constexpr size_t block_bytes(int rv) { return static_cast<size_t>(rv) * (8 * 32 + 32); }

  static void repack(const uint8_t* w, size_t stride, int rv, int64_t nb, uint8_t* out) {
    const __m256i row_offsets =
        _mm256_mullo_epi32(_mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7), _mm256_set1_epi32(static_cast<int>(stride)));
    const __m256i low = _mm256_set1_epi8(15);
    for (int64_t b = 0; b < nb; ++b) {
      uint8_t* ob = out + b * block_bytes(rv);
      for (int v = 0; v < rv; ++v) {
        const uint8_t* blk = w + (8 * v) * stride + b * sizeof(BlockQ4_0);
        for (int k = 0; k < 4; ++k) {
          const __m256i g = _mm256_i32gather_epi32(reinterpret_cast<const int*>(blk + 2 + 4 * k), row_offsets, 1);
          _mm256_store_si256(reinterpret_cast<__m256i*>(ob + (k * rv + v) * 32), _mm256_and_si256(g, low));
          _mm256_store_si256(reinterpret_cast<__m256i*>(ob + ((k + 4) * rv + v) * 32),
                             _mm256_and_si256(_mm256_srli_epi16(g, 4), low));
        }
        float* d = reinterpret_cast<float*>(ob + 8 * rv * 32 + v * 32);
        for (int i = 0; i < 8; ++i) d[i] = fp16(reinterpret_cast<const BlockQ4_0*>(blk + i * stride)->d);
      }
    }
  }

  template <int RV, int NT>
  static void tokens(const uint8_t* panel, int64_t nb, const ActView* x, float* y, int64_t ldy) {
    const __m256i ones = _mm256_set1_epi16(1);
    __m256 acc[RV][NT];
    for (int v = 0; v < RV; ++v)
      for (int t = 0; t < NT; ++t) acc[v][t] = _mm256_setzero_ps();
    for (int64_t b = 0; b < nb; ++b) {
      const uint8_t* pb = panel + b * block_bytes(RV);
      __m256i s[RV][NT];
      for (int v = 0; v < RV; ++v)
        for (int t = 0; t < NT; ++t) s[v][t] = _mm256_setzero_si256();
      for (int k = 0; k < 8; ++k) {
        __m256i wv[RV];
        for (int v = 0; v < RV; ++v) wv[v] = _mm256_load_si256(reinterpret_cast<const __m256i*>(pb + (k * RV + v) * 32));
        for (int t = 0; t < NT; ++t) {
          int32_t chunk;
          std::memcpy(&chunk, x[t].q + b * kQk + 4 * k, 4);
          const __m256i xb = _mm256_set1_epi32(chunk);
          for (int v = 0; v < RV; ++v) s[v][t] = _mm256_add_epi16(s[v][t], _mm256_maddubs_epi16(wv[v], xb));
        }
      }
      for (int v = 0; v < RV; ++v) {
        const __m256 dw = _mm256_load_ps(reinterpret_cast<const float*>(pb + 8 * RV * 32 + v * 32));
        for (int t = 0; t < NT; ++t) {
          const __m256i i32 = _mm256_sub_epi32(_mm256_madd_epi16(s[v][t], ones), _mm256_set1_epi32(8 * x[t].sum[b]));
          acc[v][t] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(i32), _mm256_mul_ps(dw, _mm256_set1_ps(x[t].d[b])), acc[v][t]);
        }
      }
    }
    for (int v = 0; v < RV; ++v)
      for (int t = 0; t < NT; ++t) _mm256_storeu_ps(y + t * ldy + 8 * v, acc[v][t]);
  }
};

#endif

// The tokens of the tile in groups of K::kTokens over one repacked panel of RV vectors.
template <class K, int RV>
void panel_rows(const Tile& tl, const uint8_t* panel, int64_t nb, int64_t r0) {
  for (int64_t t0 = 0; t0 < tl.n_tokens; t0 += K::kTokens) {
    const int nt = static_cast<int>(tl.n_tokens - t0 < K::kTokens ? tl.n_tokens - t0 : K::kTokens);
    ActView xv[K::kTokens];
    for (int t = 0; t < nt; ++t) xv[t] = ActView(tl.x + (t0 + t) * tl.x_stride, tl.cols);
    with_token_count<K::kTokens>(nt, [&](auto n) {
      K::template tokens<RV, decltype(n)::value>(panel, nb, xv, tl.y + t0 * tl.ldy + r0, tl.ldy);
    });
  }
}

// A panel entry: tl.n_rows is a multiple of 16, tl.n_tokens any count (the whole prompt).
template <class K>
void panel_quant(const Tile& tl) {
  const int64_t nb = tl.cols / kQk;
  struct alignas(64) Line { uint8_t bytes[64]; };
  thread_local std::vector<Line> lines;  // the repacked panel, 64-byte aligned
  const size_t need = (nb * K::block_bytes(K::kVectors) + sizeof(Line) - 1) / sizeof(Line);
  if (lines.size() < need) lines.resize(need);
  uint8_t* panel = lines.data()->bytes;
  constexpr int64_t kStep = K::kVectors * K::kLanes;
  int64_t r = 0;
  for (; r + kStep <= tl.n_rows; r += kStep) {
    K::repack(tl.w + r * tl.w_stride, tl.w_stride, K::kVectors, nb, panel);
    panel_rows<K, K::kVectors>(tl, panel, nb, r);
  }
  for (; r < tl.n_rows; r += K::kLanes) {
    K::repack(tl.w + r * tl.w_stride, tl.w_stride, 1, nb, panel);
    panel_rows<K, 1>(tl, panel, nb, r);
  }
}
