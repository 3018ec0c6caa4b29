// Turns the bytes of generated tokens into text that is safe to show: only complete UTF-8
// characters, and never any part of a stop string. Text that might be the beginning of a
// stop string is held back until it is clearly not.
#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace gemba::engine {

class TextStream {
 public:
  explicit TextStream(std::vector<std::string> stop_strings = {});

  // Adds a token's bytes; returns the text that can be emitted now (possibly empty).
  // Once a stop string appears, returns the text before it and stopped() is true; later
  // pushes return nothing.
  std::string push(std::string_view bytes);
  // At the end of generation: the held-back text (an incomplete UTF-8 tail becomes U+FFFD).
  std::string flush();
  bool stopped() const { return stopped_; }

 private:
  // Emits complete characters of pending_[0, limit); invalid bytes become U+FFFD.
  std::string take(size_t limit, bool final);
  std::vector<std::string> stops_;
  std::string pending_;
  bool stopped_ = false;
};

}  // namespace gemba::engine
