#include "data/faq.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>

#include "core/atomic-output.h"
#include "core/error.h"
#include "core/json.h"
#include "data/csv.h"

namespace gemba::data {
namespace {

constexpr size_t kMaxWarnings = 20;

std::string trim(std::string_view s) {
  size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos) return {};
  size_t e = s.find_last_not_of(" \t\r\n");
  return std::string(s.substr(b, e - b + 1));
}

void skip_record(FaqFile& file, const std::string& where, const std::string& why) {
  ++file.records_skipped;
  if (file.warnings.size() < kMaxWarnings) file.warnings.push_back(where + ": " + why);
}

std::string string_field(const Json& record, const std::string& key, std::string& why) {
  auto it = record.find(key);
  if (it == record.end() || it->is_null()) {
    why = "field '" + key + "' is missing";
    return {};
  }
  if (!it->is_string()) {
    why = "field '" + key + "' is not a string";
    return {};
  }
  std::string value = trim(it->get<std::string>());
  if (value.empty()) why = "field '" + key + "' is empty";
  return value;
}

// {"messages": [...]}: every user turn followed by an assistant turn is one pair.
void read_messages(const Json& messages, const std::string& where, FaqFile& file) {
  if (!messages.is_array()) return skip_record(file, where, "field 'messages' is not an array");
  std::string pending_question;
  size_t turn = 0, found = 0;
  for (const auto& message : messages) {
    if (!message.is_object() || !message.contains("role") || !message["role"].is_string() ||
        !message.contains("content") || !message["content"].is_string())
      return skip_record(file, where, "a message lacks string 'role'/'content'");
    std::string role = message["role"].get<std::string>();
    std::string content = trim(message["content"].get<std::string>());
    if (role == "user") {
      pending_question = content;
    } else if (role == "assistant" && !pending_question.empty() && !content.empty()) {
      file.pairs.push_back({where + (turn ? "#" + std::to_string(turn) : ""), pending_question, content});
      pending_question.clear();
      ++turn;
      ++found;
    }
  }
  if (!found) skip_record(file, where, "no user message followed by an assistant message");
}

void read_record(const Json& record, const std::string& where, const FaqReadOptions& options, FaqFile& file) {
  if (!record.is_object()) return skip_record(file, where, "not a JSON object");
  if (record.contains("messages") && !record.contains(options.question_column)) return read_messages(record["messages"], where, file);
  std::string why;
  std::string question = string_field(record, options.question_column, why);
  std::string answer = why.empty() ? string_field(record, options.answer_column, why) : std::string();
  if (!why.empty()) return skip_record(file, where, why + " (use --faq-question-column/--faq-answer-column, or 'messages')");
  file.pairs.push_back({where, std::move(question), std::move(answer)});
}

// A .json file holding one array of records.
bool parse_json_array(std::string_view content, const std::string& path, const FaqReadOptions& options, FaqFile& file) {
  size_t first = content.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos || content[first] != '[') return false;
  Json records = Json::parse(content, nullptr, false);
  if (records.is_discarded()) throw BadInput("malformed-faq", path + ": malformed JSON array; fix it or write one JSON object per line (.jsonl)");
  for (size_t i = 0; i < records.size(); ++i) read_record(records[i], path + ":[" + std::to_string(i) + "]", options, file);
  return true;
}

void parse_jsonl(std::string_view content, const std::string& path, const FaqReadOptions& options, FaqFile& file) {
  if (parse_json_array(content, path, options, file)) return;
  size_t line_no = 0;
  size_t start = 0;
  while (start < content.size()) {
    size_t end = content.find('\n', start);
    if (end == std::string_view::npos) end = content.size();
    std::string line = trim(content.substr(start, end - start));
    start = end + 1;
    ++line_no;
    if (line.empty()) continue;
    std::string where = path + ":" + std::to_string(line_no);
    Json record = Json::parse(line, nullptr, false);
    if (record.is_discarded()) {
      skip_record(file, where, "malformed JSON (one JSON object per line expected)");
      continue;
    }
    read_record(record, where, options, file);
  }
}

void parse_csv_faq(std::string_view content, const std::string& path, const FaqReadOptions& options, FaqFile& file) {
  std::vector<std::vector<std::string>> rows;
  try {
    rows = parse_csv(content, path);
  } catch (const Error& e) {
    throw BadInput("malformed-faq", e.what());
  }
  if (rows.empty()) throw BadInput("empty", path + ": CSV has no header row");
  std::vector<std::string> header;
  for (const auto& name : rows[0]) header.push_back(trim(name));
  auto column = [&](const std::string& name, const char* flag) {
    auto it = std::find(header.begin(), header.end(), name);
    if (it == header.end()) {
      std::string names;
      for (const auto& h : header) names += (names.empty() ? "" : ", ") + h;
      throw BadInput("malformed-faq", path + ": CSV header has no column '" + name + "' (columns: " + names + "); pass " + flag);
    }
    return static_cast<size_t>(it - header.begin());
  };
  size_t q = column(options.question_column, "--faq-question-column");
  size_t a = column(options.answer_column, "--faq-answer-column");
  for (size_t r = 1; r < rows.size(); ++r) {
    const auto& row = rows[r];
    std::string where = path + ":row " + std::to_string(r + 1);
    if (row.size() == 1 && trim(row[0]).empty()) continue;  // blank line
    if (row.size() <= std::max(q, a)) {
      skip_record(file, where, "has " + std::to_string(row.size()) + " fields, the header has " + std::to_string(header.size()));
      continue;
    }
    std::string question = trim(row[q]), answer = trim(row[a]);
    if (question.empty() || answer.empty()) {
      skip_record(file, where, question.empty() ? "empty question" : "empty answer");
      continue;
    }
    file.pairs.push_back({where, std::move(question), std::move(answer)});
  }
}

}  // namespace

FaqFile parse_faq(std::string_view content, const std::string& path, const FaqReadOptions& options) {
  std::string ext = std::filesystem::path(path).extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  FaqFile file;
  if (ext == ".csv") parse_csv_faq(content, path, options, file);
  else if (ext == ".jsonl" || ext == ".ndjson" || ext == ".json") parse_jsonl(content, path, options, file);
  else throw BadInput("unsupported", path + ": unknown FAQ format '" + ext + "'; use .jsonl or .csv");
  if (file.pairs.empty()) {
    std::string first = file.warnings.empty() ? "" : " (first problem: " + file.warnings.front() + ")";
    throw BadInput("malformed-faq", path + ": no usable question/answer record" + first);
  }
  return file;
}

std::vector<FaqPair> read_faq_files(const std::vector<std::string>& paths, const FaqReadOptions& options) {
  std::vector<FaqPair> pairs;
  for (const std::string& path : paths) {
    FaqFile file;
    try {
      file = parse_faq(read_file(path), path, options);
    } catch (const BadInput& e) {
      fail(e.what());  // a plain gemba::Error: the CLI prints it and exits 1
    }
    for (const std::string& w : file.warnings) std::fprintf(stderr, "warning: %s\n", w.c_str());
    for (auto& p : file.pairs) pairs.push_back(std::move(p));
  }
  return pairs;
}

}  // namespace gemba::data
