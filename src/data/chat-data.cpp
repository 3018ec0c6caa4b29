#include "data/chat-data.h"

#include "core/atomic-output.h"
#include "core/error.h"
#include "core/json.h"
#include "core/utf8.h"

namespace gemba::data {
namespace {

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// Empty string: the record is usable; otherwise why it is not.
std::string read_record(const Json& record, const FaqReadOptions& options, Conversation& out) {
  if (!record.is_object()) return "not a JSON object";
  if (record.contains("messages") && !record.contains(options.question_column)) {
    const Json& messages = record["messages"];
    if (!messages.is_array()) return "field 'messages' is not an array";
    bool has_assistant = false;
    for (const Json& m : messages) {
      if (!m.is_object() || !m.contains("role") || !m.contains("content") || !m["role"].is_string() ||
          !m["content"].is_string())
        return "each message needs string fields 'role' and 'content'";
      std::string role = m["role"].get<std::string>();
      if (role != "system" && role != "user" && role != "assistant")
        return "unknown role '" + role + "' (use system, user or assistant)";
      std::string content = m["content"].get<std::string>();
      if (!utf8_valid(content)) return "message content is not valid UTF-8";
      has_assistant = has_assistant || role == "assistant";
      out.messages.push_back({role, content});
    }
    if (!has_assistant) return "no assistant message (nothing to learn)";
    return "";
  }
  auto text = [&](const std::string& key, std::string& value) -> std::string {
    auto it = record.find(key);
    if (it == record.end() || !it->is_string() || it->get<std::string>().empty())
      return "field '" + key + "' is missing or empty (use --faq-question-column/--faq-answer-column, or 'messages')";
    value = it->get<std::string>();
    if (!utf8_valid(value)) return "field '" + key + "' is not valid UTF-8";
    return "";
  };
  std::string q, a, why;
  if (!(why = text(options.question_column, q)).empty()) return why;
  if (!(why = text(options.answer_column, a)).empty()) return why;
  out.messages = {{"user", q}, {"assistant", a}};
  return "";
}

}  // namespace

ChatDataFile parse_chat_data(std::string_view content, const std::string& path, const FaqReadOptions& options) {
  ChatDataFile file;
  if (ends_with(path, ".csv")) {
    FaqFile faq = parse_faq(content, path, options);
    for (auto& p : faq.pairs) file.conversations.push_back({p.id, {{"user", p.question}, {"assistant", p.answer}}});
    file.warnings = std::move(faq.warnings);
    file.records_skipped = faq.records_skipped;
    return file;
  }
  size_t line_no = 0, pos = 0;
  while (pos < content.size()) {
    size_t nl = content.find('\n', pos);
    if (nl == std::string_view::npos) nl = content.size();
    std::string_view line = content.substr(pos, nl - pos);
    pos = nl + 1;
    ++line_no;
    if (line.find_first_not_of(" \t\r") == std::string_view::npos) continue;
    std::string where = cat(path, ":", line_no);
    Conversation conv;
    conv.id = where;
    std::string why;
    try {
      why = read_record(parse_json(line, where), options, conv);
    } catch (const Error& e) {
      why = e.what();
      if (why.rfind(where + ": ", 0) == 0) why.erase(0, where.size() + 2);  // parse_json names the line itself
    }
    if (!why.empty()) {
      file.warnings.push_back(where + ": " + why);
      ++file.records_skipped;
      continue;
    }
    file.conversations.push_back(std::move(conv));
  }
  if (file.conversations.empty())
    fail(path, ": no usable conversation (", file.records_skipped,
         " records skipped); expected JSONL with {\"question\", \"answer\"} or {\"messages\": [{\"role\", \"content\"}, ...]}",
         file.warnings.empty() ? "" : "; first problem: " + file.warnings.front());
  return file;
}

ChatDataFile read_chat_data(const std::string& path, const FaqReadOptions& options) {
  return parse_chat_data(read_file(path), path, options);
}

}  // namespace gemba::data
