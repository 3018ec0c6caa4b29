// Incremental detokenization for streaming: token bytes go in, text that is safe to send
// comes out. Held back: an incomplete UTF-8 character at the end, and any tail that could be
// the start of a stop string. When a stop string appears, the text before it is released and
// nothing after it ever is (OpenAI does not include the stop string in the output).
#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace gemba::serve {

class TextStream {
 public:
  explicit TextStream(std::vector<std::string> stop = {});

  // Appends a token's bytes; returns the newly releasable text (valid UTF-8, maybe empty).
  std::string push(std::string_view bytes);
  // End of generation: releases what was held back (an incomplete character becomes U+FFFD).
  std::string finish();
  bool stopped() const { return stopped_; }

 private:
  std::vector<std::string> stop_;
  std::string pending_;
  bool stopped_ = false;
};

// `s` with every invalid UTF-8 sequence replaced by U+FFFD.
std::string sanitize_utf8(std::string_view s);

}  // namespace gemba::serve
