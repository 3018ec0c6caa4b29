#include "core/json.h"

#include "core/atomic-output.h"

namespace gemba {

Json parse_json(std::string_view text, const std::string& what) {
  try {
    return Json::parse(text.begin(), text.end());
  } catch (const nlohmann::json::parse_error& e) {
    fail(what, ": invalid JSON at byte ", e.byte, ": ", e.what());
  }
}

Json read_json_file(const std::string& path) { return parse_json(read_file(path), path); }

void write_json_file(const std::string& path, const Json& value) {
  write_file_atomic(path, value.dump(2, ' ', false, Json::error_handler_t::replace) + "\n");
}

}  // namespace gemba
