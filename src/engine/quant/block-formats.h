// Quantized block layouts, byte-compatible with GGUF/ggml so files written by gemba run in
// llama.cpp and llama.cpp's files run in gemba. All multi-byte fields are little-endian;
// fp16 fields are stored as raw IEEE half bits (core/half.h converts them).
//
// Block formats (value = what one stored element means):
//   Q8_0  32 values:  d (fp16) + 32 x int8 q            value = q * d
//   Q4_0  32 values:  d (fp16) + 16 bytes of nibbles     value = (q - 8) * d
//                     byte i: low nibble = element i, high nibble = element i + 16
//   Q4_K 256 values:  d, dmin (fp16) + 12 bytes of 6-bit scales/mins for 8 sub-blocks of 32
//                     + 128 bytes of nibbles            value = d*sc[j]*q - dmin*m[j]
//                     qs[32*c + l]: low nibble = element 64*c + l, high = 64*c + 32 + l
//                     scales: j < 4: sc = s[j] & 63, m = s[j+4] & 63;
//                             j >= 4: sc = (s[j+4] & 15) | (s[j-4] >> 6) << 4,
//                                     m  = (s[j+4] >> 4) | (s[j]   >> 6) << 4
//   Q6_K 256 values:  ql (128 bytes, low 4 bits) + qh (64 bytes, high 2 bits)
//                     + 16 int8 scales (one per 16 values) + d (fp16)
//                     value = d * sc[k] * (q - 32), q in [0, 63]
//                     for half h (128 values) and l in [0, 32):
//                       element 128h + l      : ql[64h + l] & 15,      qh[32h + l] bits 0-1
//                       element 128h + l + 32 : ql[64h + l + 32] & 15, qh[32h + l] bits 2-3
//                       element 128h + l + 64 : ql[64h + l] >> 4,      qh[32h + l] bits 4-5
//                       element 128h + l + 96 : ql[64h + l + 32] >> 4, qh[32h + l] bits 6-7
//                     scale index of element e is e / 16.
#pragma once
#include <cstddef>
#include <cstdint>

namespace gemba::engine::quant {

inline constexpr int kQk = 32;    // values per Q8_0 / Q4_0 block
inline constexpr int kQkK = 256;  // values per K-quant super-block
inline constexpr int kKScaleBytes = 12;

struct BlockQ8_0 {
  uint16_t d;      // fp16 scale
  int8_t qs[kQk];  // [32]
};

struct BlockQ4_0 {
  uint16_t d;           // fp16 scale
  uint8_t qs[kQk / 2];  // [16] two nibbles each
};

struct BlockQ4K {
  uint16_t d;                     // fp16 super-block scale for the 6-bit scales
  uint16_t dmin;                  // fp16 super-block scale for the 6-bit mins
  uint8_t scales[kKScaleBytes];   // 8 scales + 8 mins, 6 bits each
  uint8_t qs[kQkK / 2];           // [128] nibbles
};

struct BlockQ6K {
  uint8_t ql[kQkK / 2];      // [128] low 4 bits
  uint8_t qh[kQkK / 4];      // [64] high 2 bits
  int8_t scales[kQkK / 16];  // [16] per-16 scales
  uint16_t d;                // fp16 super-block scale
};

static_assert(sizeof(BlockQ8_0) == 34, "Q8_0 block must be 34 bytes as in GGUF");
static_assert(sizeof(BlockQ4_0) == 18, "Q4_0 block must be 18 bytes as in GGUF");
static_assert(sizeof(BlockQ4K) == 144, "Q4_K block must be 144 bytes as in GGUF");
static_assert(sizeof(BlockQ6K) == 210, "Q6_K block must be 210 bytes as in GGUF");
static_assert(alignof(BlockQ8_0) == 2 && alignof(BlockQ4_0) == 2 && alignof(BlockQ4K) == 2 &&
              alignof(BlockQ6K) == 2, "blocks are read from 2-byte aligned GGUF offsets");
static_assert(offsetof(BlockQ4K, qs) == 16 && offsetof(BlockQ6K, d) == 208, "field offsets as in GGUF");

// Unpacks the 6-bit scale and min of sub-block j (0..7) of a Q4_K block.
inline void q4k_scale_min(const uint8_t* s, int j, uint8_t* sc, uint8_t* m) {
  if (j < 4) {
    *sc = s[j] & 63;
    *m = s[j + 4] & 63;
  } else {
    *sc = static_cast<uint8_t>((s[j + 4] & 15) | ((s[j - 4] >> 6) << 4));
    *m = static_cast<uint8_t>((s[j + 4] >> 4) | ((s[j] >> 6) << 4));
  }
}

// Activations quantized for the integer dot products (gemba's own in-memory form, never
// written to files). One row of n values (n a multiple of 32) is laid out as
//   q[n] int8 | d[n/32] f32 | sum[n/32] int32 | padding to 64 bytes
// value = q * d[block]; sum[block] = sum of the block's q (for Q4_0's -8 offset and Q4_K's mins).
// The int8 part comes first so SIMD code loads 32/64 values at aligned offsets.
struct ActRowLayout {
  int64_t n = 0;
  static constexpr size_t kAlign = 64;
  size_t d_offset() const { return static_cast<size_t>(n); }
  size_t sum_offset() const { return static_cast<size_t>(n) + static_cast<size_t>(n / kQk) * 4; }
  size_t row_bytes() const {
    const size_t raw = static_cast<size_t>(n) + static_cast<size_t>(n / kQk) * 8;
    return (raw + kAlign - 1) / kAlign * kAlign;
  }
};

}  // namespace gemba::engine::quant
