#include "core/nfkc.h"

#include <utf8proc.h>

#include <cstdlib>
#include <memory>

#include "core/error.h"
#include "core/utf8.h"

namespace gemba {

std::string nfkc(std::string_view text, const std::string& what) {
  size_t bad = 0;
  if (!utf8_valid(text, &bad)) fail(what, ": invalid UTF-8 at byte ", bad, "; convert the file to UTF-8 (e.g. iconv -f SHIFT_JIS -t UTF-8)");
  if (text.empty()) return {};
  utf8proc_uint8_t* mapped = nullptr;
  utf8proc_ssize_t n = utf8proc_map(reinterpret_cast<const utf8proc_uint8_t*>(text.data()),
                                    static_cast<utf8proc_ssize_t>(text.size()), &mapped,
                                    static_cast<utf8proc_option_t>(UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_COMPAT));
  if (n < 0) fail(what, ": Unicode normalization failed: ", utf8proc_errmsg(n));
  std::unique_ptr<utf8proc_uint8_t, decltype(&std::free)> owner(mapped, &std::free);
  return std::string(reinterpret_cast<const char*>(mapped), static_cast<size_t>(n));
}

}  // namespace gemba
