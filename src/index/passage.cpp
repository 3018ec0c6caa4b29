#include "index/passage.h"

namespace gemba::index {

Json passage_to_json(const Passage& p) {
  Json j = {{"id", p.id}, {"doc", p.doc}, {"source", p.source}, {"title", p.title}, {"section", p.section},
            {"kind", p.kind}, {"text", p.text}, {"line", p.line}};
  if (p.end_line > 0) j["end_line"] = p.end_line;
  if (p.page > 0) j["page"] = p.page;
  return j;
}

Passage passage_from_json(const Json& j, const std::string& where) {
  if (!j.is_object()) fail(where, ": a passage must be a JSON object");
  auto text_field = [&](const char* key, bool required) -> std::string {
    auto it = j.find(key);
    if (it == j.end() || it->is_null()) {
      if (required) fail(where, ": field \"", key, "\" is missing; rebuild with gemba data prepare");
      return "";
    }
    if (!it->is_string()) fail(where, ": field \"", key, "\" must be a string");
    return it->get<std::string>();
  };
  auto int_field = [&](const char* key) -> int {
    auto it = j.find(key);
    if (it == j.end()) return 0;
    if (!it->is_number_integer() || it->get<int64_t>() < 0 || it->get<int64_t>() > (1 << 30))
      fail(where, ": field \"", key, "\" must be a non-negative integer");
    return static_cast<int>(it->get<int64_t>());
  };
  Passage p;
  p.id = text_field("id", true);
  p.text = text_field("text", true);
  p.doc = text_field("doc", false);
  p.source = text_field("source", false);
  p.title = text_field("title", false);
  p.kind = text_field("kind", false);
  p.line = int_field("line");
  p.end_line = int_field("end_line");
  p.page = int_field("page");
  if (auto it = j.find("section"); it != j.end()) {
    if (!it->is_array()) fail(where, ": field \"section\" must be an array of strings");
    for (const auto& s : *it) {
      if (!s.is_string()) fail(where, ": field \"section\" must be an array of strings");
      p.section.push_back(s.get<std::string>());
    }
  }
  return p;
}

std::string passage_citation(const Passage& p) {
  std::string out = p.doc.empty() ? p.source : p.doc;
  if (!p.section.empty()) out += " §" + section_path_text(p.section);
  if (p.page > 0) out += ", p. " + std::to_string(p.page);
  else if (p.line > 0 && p.end_line > p.line) out += ", lines " + std::to_string(p.line) + "-" + std::to_string(p.end_line);
  else if (p.line > 0) out += ", line " + std::to_string(p.line);
  return out;
}

std::string section_path_text(const std::vector<std::string>& section) {
  std::string out;
  for (const auto& s : section) {
    if (!out.empty()) out += " > ";
    out += s;
  }
  return out;
}

}  // namespace gemba::index
