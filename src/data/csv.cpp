#include "data/csv.h"

#include "core/error.h"

namespace gemba::data {

std::vector<std::vector<std::string>> parse_csv(std::string_view text, const std::string& what) {
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> row;
  std::string field;
  size_t line = 1;
  size_t i = 0;
  bool field_started = false;  // something (even "") was read for the current field
  auto end_field = [&] {
    row.push_back(std::move(field));
    field.clear();
    field_started = false;
  };
  auto end_row = [&] {
    end_field();
    rows.push_back(std::move(row));
    row.clear();
  };
  while (i < text.size()) {
    char c = text[i];
    if (c == '"' && !field_started) {
      size_t quote_line = line;
      ++i;
      for (;;) {
        if (i >= text.size()) fail(what, ": line ", quote_line, ": quoted field is not closed (a '\"' is missing)");
        if (text[i] == '"') {
          if (i + 1 < text.size() && text[i + 1] == '"') {
            field.push_back('"');
            i += 2;
            continue;
          }
          ++i;
          break;
        }
        if (text[i] == '\n') ++line;
        field.push_back(text[i++]);
      }
      field_started = true;
      if (i < text.size() && text[i] != ',' && text[i] != '\n' && text[i] != '\r')
        fail(what, ": line ", line, ": text after a closing quote (write a quote inside a quoted field as \"\")");
      continue;
    }
    if (c == ',') {
      end_field();
      ++i;
      continue;
    }
    if (c == '\r' || c == '\n') {
      end_row();
      i += (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ? 2 : 1;
      ++line;
      continue;
    }
    field.push_back(c);
    field_started = true;
    ++i;
  }
  if (field_started || !row.empty()) end_row();
  return rows;
}

}  // namespace gemba::data
