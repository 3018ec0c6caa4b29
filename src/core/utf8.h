// UTF-8: validation (with the offset of the first bad byte), decoding, encoding.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace gemba {

// Length of the UTF-8 sequence that starts with `lead` (1..4), or 0 for a byte that
// cannot start one.
inline size_t utf8_sequence_length(uint8_t lead) {
  if (lead < 0x80) return 1;
  if ((lead & 0xE0) == 0xC0) return lead >= 0xC2 ? 2 : 0;
  if ((lead & 0xF0) == 0xE0) return 3;
  if ((lead & 0xF8) == 0xF0) return lead <= 0xF4 ? 4 : 0;
  return 0;
}

// True if `s` is valid UTF-8 (no overlongs, no surrogates, <= U+10FFFF). On failure
// *bad_offset (if given) is the byte offset of the first invalid sequence.
bool utf8_valid(std::string_view s, size_t* bad_offset = nullptr);

// Decodes the code point at s[pos] and advances pos. Invalid bytes decode as U+FFFD and
// advance by one byte.
uint32_t utf8_decode(std::string_view s, size_t& pos);

void utf8_append(std::string& out, uint32_t code_point);

// Number of code points in valid UTF-8 (counts the bytes that do not continue a sequence).
inline size_t utf8_code_points(std::string_view s) {
  size_t n = 0;
  for (char c : s) n += (static_cast<uint8_t>(c) & 0xC0) != 0x80;
  return n;
}

// Throws gemba::Error "<what>: invalid UTF-8 at byte N" when `s` is not valid.
void require_utf8(std::string_view s, const std::string& what);

}  // namespace gemba
