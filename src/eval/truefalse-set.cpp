#include "eval/truefalse-set.h"

#include <fstream>

#include "core/error.h"
#include "core/json.h"
#include "core/utf8.h"

namespace gemba::eval {
namespace {

bool parse_label(const Json& value, const std::string& where) {
  if (value.is_boolean()) return value.get<bool>();
  if (value.is_number_integer()) return value.get<int>() != 0;
  if (value.is_string()) {
    std::string s = value.get<std::string>();
    for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (s == "true" || s == "正しい" || s == "正" || s == "1") return true;
    if (s == "false" || s == "誤り" || s == "誤" || s == "0") return false;
  }
  fail(where, ": field 'label' must be true/false (got ", value.dump(), ")");
}

}  // namespace

std::vector<TrueFalseItem> load_truefalse(const std::string& path) {
  std::ifstream in(path);
  if (!in) fail(path, ": cannot open the true/false test set");
  std::vector<TrueFalseItem> items;
  std::string line;
  for (size_t line_no = 1; std::getline(in, line); ++line_no) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    const std::string where = cat(path, ":", line_no);
    require_utf8(line, where);
    Json j = parse_json(line, where);
    TrueFalseItem item;
    item.statement = json_require<std::string>(j, "statement", where);
    if (!j.contains("label")) fail(where, ": field 'label' is missing");
    item.label = parse_label(j["label"], where);
    item.id = j.contains("id") && j["id"].is_number() ? std::to_string(j["id"].get<long long>())
                                                      : json_optional<std::string>(j, "id", cat("line", line_no), where);
    item.reference_answer = json_optional<std::string>(j, "reference_answer", "", where);
    item.fact_id = json_optional<std::string>(j, "fact_id", "", where);
    item.product = json_optional<std::string>(j, "product", "", where);
    if (item.product.empty()) item.product = json_optional<std::string>(j, "entity", "", where);
    item.split = json_optional<std::string>(j, "split", "all", where);
    item.category = json_optional<std::string>(j, "category", "", where);
    item.source = json_optional<std::string>(j, "source", "", where);
    item.lang = json_optional<std::string>(j, "lang", "", where);
    items.push_back(std::move(item));
  }
  if (items.empty()) fail(path, ": no test items found (expected JSONL with 'statement' and 'label')");
  return items;
}

}  // namespace gemba::eval
