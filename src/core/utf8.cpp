#include "core/utf8.h"

#include "core/error.h"

namespace gemba {

namespace {
// Decodes one sequence starting at pos; returns its length or 0 if invalid.
size_t decode_one(std::string_view s, size_t pos, uint32_t& cp) {
  const auto* p = reinterpret_cast<const uint8_t*>(s.data()) + pos;
  size_t avail = s.size() - pos;
  size_t len = utf8_sequence_length(p[0]);
  if (len == 0 || len > avail) return 0;
  if (len == 1) {
    cp = p[0];
    return 1;
  }
  for (size_t i = 1; i < len; ++i)
    if ((p[i] & 0xC0) != 0x80) return 0;
  if (len == 2) {
    cp = ((p[0] & 0x1Fu) << 6) | (p[1] & 0x3Fu);
  } else if (len == 3) {
    cp = ((p[0] & 0x0Fu) << 12) | ((p[1] & 0x3Fu) << 6) | (p[2] & 0x3Fu);
    if (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  } else {
    cp = ((p[0] & 0x07u) << 18) | ((p[1] & 0x3Fu) << 12) | ((p[2] & 0x3Fu) << 6) | (p[3] & 0x3Fu);
    if (cp < 0x10000 || cp > 0x10FFFF) return 0;
  }
  return len;
}
}  // namespace

bool utf8_valid(std::string_view s, size_t* bad_offset) {
  size_t pos = 0;
  while (pos < s.size()) {
    if (static_cast<uint8_t>(s[pos]) < 0x80) {
      ++pos;
      continue;
    }
    uint32_t cp;
    size_t len = decode_one(s, pos, cp);
    if (len == 0) {
      if (bad_offset) *bad_offset = pos;
      return false;
    }
    pos += len;
  }
  return true;
}

uint32_t utf8_decode(std::string_view s, size_t& pos) {
  uint32_t cp = 0xFFFD;
  size_t len = decode_one(s, pos, cp);
  if (len == 0) {
    pos += 1;
    return 0xFFFD;
  }
  pos += len;
  return cp;
}

void utf8_append(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

void require_utf8(std::string_view s, const std::string& what) {
  size_t bad = 0;
  if (!utf8_valid(s, &bad)) fail(what, ": invalid UTF-8 at byte ", bad, "; convert the text to UTF-8 first");
}

}  // namespace gemba
