#include "engine/text-stream.h"

#include <algorithm>

#include "core/utf8.h"

namespace gemba::engine {

namespace {
const char kReplacement[] = "\xEF\xBF\xBD";  // U+FFFD
}

TextStream::TextStream(std::vector<std::string> stop_strings) {
  for (auto& s : stop_strings)
    if (!s.empty()) stops_.push_back(std::move(s));
}

std::string TextStream::take(size_t limit, bool final) {
  std::string out;
  size_t i = 0;
  while (i < limit) {
    const size_t len = utf8_sequence_length(static_cast<uint8_t>(pending_[i]));
    if (len == 0) {  // a byte that cannot start a character
      out += kReplacement;
      ++i;
    } else if (i + len > limit) {
      if (!final) break;  // wait for the rest of the character
      out += kReplacement;  // the text ends inside a character
      i = limit;
    } else if (utf8_valid(std::string_view(pending_).substr(i, len))) {
      out.append(pending_, i, len);
      i += len;
    } else {
      out += kReplacement;
      ++i;
    }
  }
  pending_.erase(0, i);
  return out;
}

std::string TextStream::push(std::string_view bytes) {
  if (stopped_) return "";
  pending_.append(bytes);
  // A complete stop string: emit what precedes the earliest one and stop.
  size_t first = std::string::npos;
  for (const auto& s : stops_) first = std::min(first, pending_.find(s));
  if (first != std::string::npos) {
    std::string out = take(first, true);
    pending_.clear();
    stopped_ = true;
    return out;
  }
  // Hold back the longest tail that could still grow into a stop string.
  size_t hold = 0;
  for (const auto& s : stops_)
    for (size_t n = std::min(s.size() - 1, pending_.size()); n > hold; --n)
      if (pending_.compare(pending_.size() - n, n, s, 0, n) == 0) {
        hold = n;
        break;
      }
  return take(pending_.size() - hold, false);
}

std::string TextStream::flush() {
  if (stopped_) return "";
  return take(pending_.size(), true);
}

}  // namespace gemba::engine
