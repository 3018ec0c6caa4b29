#include "serve/text-stream.h"

#include <algorithm>

#include "core/utf8.h"

namespace gemba::serve {

std::string sanitize_utf8(std::string_view s) {
  if (utf8_valid(s)) return std::string(s);
  std::string out;
  size_t pos = 0;
  while (pos < s.size()) {
    size_t start = pos;
    uint32_t cp = utf8_decode(s, pos);
    // utf8_decode yields U+FFFD for a bad byte; a real U+FFFD in the input is kept as is.
    if (cp == 0xFFFD && !utf8_valid(s.substr(start, pos - start))) out += "\xEF\xBF\xBD";
    else utf8_append(out, cp);
  }
  return out;
}

namespace {

// Bytes at the end of `s` that begin a UTF-8 character not yet complete (0..3).
size_t incomplete_utf8_tail(const std::string& s) {
  size_t n = s.size();
  for (size_t back = 1; back <= std::min<size_t>(3, n); ++back) {
    auto c = static_cast<uint8_t>(s[n - back]);
    if ((c & 0xC0) == 0x80) continue;  // continuation byte: look further back
    size_t len = utf8_sequence_length(c);
    return len > back ? back : 0;
  }
  return 0;
}

}  // namespace

TextStream::TextStream(std::vector<std::string> stop) : stop_(std::move(stop)) {
  stop_.erase(std::remove(stop_.begin(), stop_.end(), std::string()), stop_.end());
}

std::string TextStream::push(std::string_view bytes) {
  if (stopped_) return {};
  pending_.append(bytes);
  // A stop string anywhere in the pending text ends the generation (the earliest wins).
  size_t cut = std::string::npos;
  for (const auto& s : stop_) cut = std::min(cut, pending_.find(s));
  if (cut != std::string::npos) {
    stopped_ = true;
    std::string out = sanitize_utf8(std::string_view(pending_).substr(0, cut));
    pending_.clear();
    return out;
  }
  // Hold back the longest tail that is a proper prefix of some stop string.
  size_t hold = 0;
  for (const auto& s : stop_) {
    for (size_t k = std::min(s.size() - 1, pending_.size()); k > hold; --k) {
      if (pending_.compare(pending_.size() - k, k, s, 0, k) == 0) {
        hold = k;
        break;
      }
    }
  }
  hold = std::max(hold, incomplete_utf8_tail(pending_));
  std::string out = sanitize_utf8(std::string_view(pending_).substr(0, pending_.size() - hold));
  pending_.erase(0, pending_.size() - hold);
  return out;
}

std::string TextStream::finish() {
  if (stopped_) return {};
  std::string out = sanitize_utf8(pending_);
  pending_.clear();
  return out;
}

}  // namespace gemba::serve
