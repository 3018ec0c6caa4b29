// Several-token (prefill) kernels for Q4_0 and Q8_0 weights, AVX-512 VNNI only. Part of
// x86-kernels.h, which includes it after the decode kernels it builds on (Q4DecodeGroup, the
// regrouping and the tail sums); not a header to include anywhere else.
#pragma once

#if GEMBA_X86_VNNI

// ---- Q4_0 prefill (several tokens, AVX-512 VNNI) -------------------------------------------
//
// The generic row_q32 path spent ~25 uops per token per four Q4_0 blocks (four 256-bit dots,
// a horizontal reduction, the -8*sum(x) fix-up); llama.cpp was 2x faster at pp512. Here every
// token of the tile is regrouped once (as for decode), then RB weight rows x NT tokens are
// computed together: each group of four weight blocks is unpacked once (nibbles, scales) for
// NT tokens, and each token's regrouped activation is loaded once for RB rows. Per row, token
// and group: two vpdpbusd, one convert, one multiply, one FMA on 16 lanes.
template <int RB, int NT>
void q4_0_prefill_block(const uint8_t* w, size_t stride, const Q4DecodeGroup* const* x, int64_t groups,
                        float (*out)[NT]) {
  const __m512i scale_idx = _mm512_load_si512(kQ4ScaleWords);
  const __m512i low = _mm512_set1_epi8(15);
  __m512 acc[RB][NT];
  for (int r = 0; r < RB; ++r)
    for (int t = 0; t < NT; ++t) acc[r][t] = _mm512_setzero_ps();
  for (int64_t g = 0; g < groups; ++g) {
    __m512i wlo[RB], whi[RB];
    __m512 dw[RB];
    for (int r = 0; r < RB; ++r) {
      const uint8_t* p = w + r * stride + g * kQ4GroupBytes;
      __m512i nib = _mm512_castsi128_si512(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 2)));
      nib = _mm512_inserti32x4(nib, _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 20)), 1);
      nib = _mm512_inserti32x4(nib, _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 38)), 2);
      nib = _mm512_inserti32x4(nib, _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 56)), 3);
      dw[r] = _mm512_cvtph_ps(_mm512_castsi512_si256(_mm512_permutexvar_epi16(scale_idx, _mm512_loadu_si512(p))));
      wlo[r] = _mm512_and_si512(nib, low);
      whi[r] = _mm512_and_si512(_mm512_srli_epi16(nib, 4), low);
    }
    for (int t = 0; t < NT; ++t) {
      const Q4DecodeGroup& xg = x[t][g];
      const __m512i corr = _mm512_load_si512(xg.corr), xlo = _mm512_load_si512(xg.lo), xhi = _mm512_load_si512(xg.hi);
      const __m512 dx = _mm512_load_ps(xg.dx);
      for (int r = 0; r < RB; ++r) {
        const __m512i s = _mm512_dpbusd_epi32(_mm512_dpbusd_epi32(corr, wlo[r], xlo), whi[r], xhi);
        acc[r][t] = _mm512_fmadd_ps(_mm512_mul_ps(_mm512_cvtepi32_ps(s), dx), dw[r], acc[r][t]);
      }
    }
  }
  for (int r = 0; r < RB; ++r)
    for (int t = 0; t < NT; ++t) out[r][t] = _mm512_reduce_add_ps(acc[r][t]);
}

// The row loop both quantized prefill kernels share: rows two at a time (then one), block(rb,
// row pointer, out[rb][NT]) computes them, and tail(row pointer, t) adds the blocks past the
// last full group of each token when has_tail.
template <int NT, class Block, class Tail>
void prefill_rows(const Tile& tl, int64_t t0, bool has_tail, Block block, Tail tail) {
  constexpr int RB = 2;
  auto store = [&](int64_t r0, int nr, const float (*out)[NT]) {
    for (int i = 0; i < nr; ++i) {
      const uint8_t* wr = tl.w + (r0 + i) * tl.w_stride;
      for (int t = 0; t < NT; ++t) {
        float v = out[i][t];
        if (has_tail) v += tail(wr, t);
        tl.y[(t0 + t) * tl.ldy + r0 + i] = v;
      }
    }
  };
  int64_t r = 0;
  for (; r + RB <= tl.n_rows; r += RB) {
    float out[RB][NT];
    block(std::integral_constant<int, RB>{}, tl.w + r * tl.w_stride, out);
    store(r, RB, out);
  }
  for (; r < tl.n_rows; ++r) {
    float out[1][NT];
    block(std::integral_constant<int, 1>{}, tl.w + r * tl.w_stride, out);
    store(r, 1, out);
  }
}

template <int NT>
void q4_0_prefill_tokens(const Tile& tl, const Q4DecodeGroup* const* x, const ActView* xv, int64_t t0, int64_t groups,
                         int64_t nb) {
  const int64_t full = groups * kQ4GroupBlocks;
  prefill_rows<NT>(
      tl, t0, full < nb,
      [&](auto rb, const uint8_t* w, float (*out)[NT]) {
        q4_0_prefill_block<decltype(rb)::value, NT>(w, tl.w_stride, x, groups, out);
      },
      [&](const uint8_t* wr, int t) { return q4_0_tail(wr, xv[t], full, nb); });
}

// The driver both quantized prefill kernels share: every token of the tile is regrouped once
// (regroup: ActView, groups, Group* -> void), then run_tokens(n, x, xv, t0, groups, nb) takes
// up to NT tokens at a time; n is a std::integral_constant with the token count.
template <class Group, int NT, class Regroup, class RunTokens>
void prefill_tile(const Tile& tl, int64_t blocks_per_group, Regroup regroup, RunTokens run_tokens) {
  const int64_t nb = tl.cols / kQk, groups = nb / blocks_per_group;
  const int64_t per_token = groups > 0 ? groups : 1;
  thread_local std::vector<Group> regrouped;  // token t's groups at t * per_token
  if (static_cast<int64_t>(regrouped.size()) < tl.n_tokens * per_token) regrouped.resize(tl.n_tokens * per_token);
  for (int64_t t = 0; t < tl.n_tokens; ++t)
    regroup(ActView(tl.x + t * tl.x_stride, tl.cols), groups, regrouped.data() + t * per_token);
  for (int64_t t0 = 0; t0 < tl.n_tokens; t0 += NT) {
    const int nt = static_cast<int>(tl.n_tokens - t0 < NT ? tl.n_tokens - t0 : NT);
    const Group* x[NT];
    ActView xv[NT];
    for (int t = 0; t < nt; ++t) {
      x[t] = regrouped.data() + (t0 + t) * per_token;
      xv[t] = ActView(tl.x + (t0 + t) * tl.x_stride, tl.cols);
    }
    with_token_count<NT>(nt, [&](auto n) { run_tokens(n, x, xv, t0, groups, nb); });
  }
}

// Tokens per pass over a weight row pair: 8 halves the weight unpacking per token against 4
// (2 rows x 8 tokens: 16 accumulators + 6 unpacked weight vectors + 4 activation vectors).
constexpr int kQ4PrefillTokens = 8;

void tile_q4_0_prefill(const Tile& tl) {
  prefill_tile<Q4DecodeGroup, kQ4PrefillTokens>(tl, kQ4GroupBlocks, regroup_q4_0_act,
                              [&](auto n, const Q4DecodeGroup* const* x, const ActView* xv, int64_t t0, int64_t groups,
                                  int64_t nb) { q4_0_prefill_tokens<decltype(n)::value>(tl, x, xv, t0, groups, nb); });
}

// ---- Q8_0 prefill (several tokens, AVX-512 VNNI) -------------------------------------------
//
// Two blocks per 512-bit vector. vpdpbusd wants u8 x s8, so the activation is stored as
// x + 128 (u8) and each lane starts at -128 * (the sum of its four weights), computed once per
// weight pair for all tokens: the lane then sums w * x exactly. Activations are regrouped once
// per tile (x + 128 and the block scale per lane); RB rows x NT tokens share every load.
struct alignas(64) Q8PrefillPair {
  uint8_t xu[64];  // blocks 2p, 2p + 1: x + 128
  float dx[16];    // block 2p's scale in lanes 0..7, block 2p + 1's in 8..15
};

void regroup_q8_0_act(const ActView& x, int64_t pairs, Q8PrefillPair* out) {
  const __m512i flip = _mm512_set1_epi8(static_cast<char>(0x80));
  for (int64_t p = 0; p < pairs; ++p) {
    _mm512_store_si512(out[p].xu, _mm512_xor_si512(_mm512_loadu_si512(x.q + p * 2 * kQk), flip));
    const __m512 d = _mm512_insertf32x8(_mm512_set1_ps(x.d[2 * p]), _mm256_set1_ps(x.d[2 * p + 1]), 1);
    _mm512_store_ps(out[p].dx, d);
  }
}

template <int RB, int NT>
void q8_0_prefill_block(const uint8_t* w, size_t stride, const Q8PrefillPair* const* x, int64_t pairs,
                        float (*out)[NT]) {
  const auto k128 = _mm512_set1_epi8(static_cast<char>(0x80));
  __m512 acc[RB][NT];
  for (int r = 0; r < RB; ++r)
    for (int t = 0; t < NT; ++t) acc[r][t] = _mm512_setzero_ps();
  for (int64_t p = 0; p < pairs; ++p) {
    __m512i wq[RB], base[RB];
    __m512 dw[RB];
    for (int r = 0; r < RB; ++r) {
      const auto* blk = reinterpret_cast<const BlockQ8_0*>(w + r * stride) + 2 * p;
      wq[r] = _mm512_inserti64x4(_mm512_castsi256_si512(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(blk[0].qs))),
                                 _mm256_loadu_si256(reinterpret_cast<const __m256i*>(blk[1].qs)), 1);
      base[r] = _mm512_sub_epi32(_mm512_setzero_si512(), _mm512_dpbusd_epi32(_mm512_setzero_si512(), k128, wq[r]));
      dw[r] = _mm512_insertf32x8(_mm512_set1_ps(fp16(blk[0].d)), _mm256_set1_ps(fp16(blk[1].d)), 1);
    }
    for (int t = 0; t < NT; ++t) {
      const __m512i xu = _mm512_load_si512(x[t][p].xu);
      const __m512 dx = _mm512_load_ps(x[t][p].dx);
      for (int r = 0; r < RB; ++r) {
        const __m512i s = _mm512_dpbusd_epi32(base[r], xu, wq[r]);
        acc[r][t] = _mm512_fmadd_ps(_mm512_mul_ps(_mm512_cvtepi32_ps(s), dx), dw[r], acc[r][t]);
      }
    }
  }
  for (int r = 0; r < RB; ++r)
    for (int t = 0; t < NT; ++t) out[r][t] = _mm512_reduce_add_ps(acc[r][t]);
}

// The last block (when the row has an odd number) of one row, as row_q32 does.
float q8_0_tail(const uint8_t* w, const ActView& x, int64_t b0, int64_t nb) {
  const auto* blk = reinterpret_cast<const BlockQ8_0*>(w);
  float s = 0;
  for (int64_t b = b0; b < nb; ++b) {
    const __m256i d = UnpackQ8_0::dot(UnpackQ8_0::weights(blk[b]),
                                      _mm256_loadu_si256(reinterpret_cast<const __m256i*>(x.q + b * kQk)));
    s += static_cast<float>(hsum_i32(d)) * (fp16(blk[b].d) * x.d[b]);
  }
  return s;
}

template <int NT>
void q8_0_prefill_tokens(const Tile& tl, const Q8PrefillPair* const* x, const ActView* xv, int64_t t0, int64_t pairs,
                         int64_t nb) {
  prefill_rows<NT>(
      tl, t0, 2 * pairs < nb,
      [&](auto rb, const uint8_t* w, float (*out)[NT]) {
        q8_0_prefill_block<decltype(rb)::value, NT>(w, tl.w_stride, x, pairs, out);
      },
      [&](const uint8_t* wr, int t) { return q8_0_tail(wr, xv[t], 2 * pairs, nb); });
}

constexpr int kQ8PrefillTokens = 4;

void tile_q8_0_prefill(const Tile& tl) {
  prefill_tile<Q8PrefillPair, kQ8PrefillTokens>(tl, 2, regroup_q8_0_act,
                              [&](auto n, const Q8PrefillPair* const* x, const ActView* xv, int64_t t0, int64_t pairs,
                                  int64_t nb) { q8_0_prefill_tokens<decltype(n)::value>(tl, x, xv, t0, pairs, nb); });
}

#endif
