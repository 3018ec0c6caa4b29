// CSV as in RFC 4180: comma-separated fields, fields optionally in double quotes, "" inside
// quotes is one quote, quoted fields may hold commas and line breaks; rows end in CRLF or LF.
#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace gemba::data {

// Throws gemba::Error "<what>: line N: ..." on an unterminated quote or text after a
// closing quote. A trailing line break does not make an empty last row.
std::vector<std::vector<std::string>> parse_csv(std::string_view text, const std::string& what);

}  // namespace gemba::data
