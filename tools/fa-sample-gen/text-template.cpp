#include "text-template.h"

#include "core/error.h"

namespace gemba::tools {

std::string fill(const std::string& pattern, const std::map<std::string, std::string>& vars) {
  std::string out;
  out.reserve(pattern.size() + 64);
  for (size_t i = 0; i < pattern.size();) {
    if (pattern[i] == '{') {
      size_t close = pattern.find('}', i);
      GEMBA_ASSERT(close != std::string::npos, "unclosed slot in template: ", pattern);
      std::string name = pattern.substr(i + 1, close - i - 1);
      auto it = vars.find(name);
      GEMBA_ASSERT(it != vars.end(), "unknown slot {", name, "} in template: ", pattern);
      out += it->second;
      i = close + 1;
    } else {
      out += pattern[i++];
    }
  }
  return out;
}

}  // namespace gemba::tools
