// What the BPE and Unigram encoders produce: a segmentation of the normalized text, each
// segment with its vocabulary id (unk_id for an unknown segment, to be byte-expanded).
#pragma once
#include <cstdint>
#include <string_view>
#include <vector>

namespace gemba::tokenizer {

struct EncodedPiece {
  int32_t id;
  uint32_t begin;   // byte offset in the normalized text
  uint32_t length;  // bytes
};

// UTF-8 character length from the lead byte as SentencePiece computes it (by the high
// nibble; never 0), so malformed input can never stall an encoder.
inline uint32_t sp_char_length(unsigned char lead) {
  static constexpr uint8_t kLen[16] = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 3, 4};
  return kLen[lead >> 4];
}

// The length of the character at s[pos] (clamped to the end of s).
inline size_t sp_char_length_of(std::string_view s, size_t pos) {
  const size_t n = sp_char_length(static_cast<unsigned char>(s[pos]));
  return n < s.size() - pos ? n : s.size() - pos;
}

}  // namespace gemba::tokenizer
