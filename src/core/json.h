// JSON helpers over nlohmann::json whose errors name the file and the field.
#pragma once
#include <nlohmann/json.hpp>
#include <string>

#include "core/error.h"

namespace gemba {

using Json = nlohmann::json;

// Parses a JSON file; throws gemba::Error "<path>: invalid JSON: ..." on failure.
Json read_json_file(const std::string& path);

// Parses JSON text; `what` names the source in errors (a file, "request body", ...).
Json parse_json(std::string_view text, const std::string& what);

// Writes pretty-printed JSON atomically.
void write_json_file(const std::string& path, const Json& value);

// Required field of a given type: "<what>: field 'key' is missing" / "... must be a number".
template <class T>
T json_require(const Json& object, const std::string& key, const std::string& what) {
  if (!object.is_object()) fail(what, ": expected a JSON object");
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) fail(what, ": field '", key, "' is missing");
  try {
    return it->template get<T>();
  } catch (const nlohmann::json::exception&) {
    fail(what, ": field '", key, "' has the wrong type (", it->type_name(), ")");
  }
}

// Optional field: the default when absent or null; an error when present with a wrong type.
template <class T>
T json_optional(const Json& object, const std::string& key, const T& fallback, const std::string& what) {
  if (!object.is_object()) return fallback;
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) return fallback;
  try {
    return it->template get<T>();
  } catch (const nlohmann::json::exception&) {
    fail(what, ": field '", key, "' has the wrong type (", it->type_name(), ")");
  }
}

}  // namespace gemba
