#include "data/readers/text-reader.h"

#include "data/readers/block-builder.h"

namespace gemba::data {
namespace {

bool is_blank_line(std::string_view line) { return line.find_first_not_of(" \t\r\f\v") == std::string_view::npos; }

// "- item", "* item", "• item", "・項目", "1. step", "2) step" -> the item text.
bool text_list_item(std::string_view line, std::string& item) {
  size_t start = line.find_first_not_of(" \t");
  if (start == std::string_view::npos) return false;
  line.remove_prefix(start);
  for (std::string_view bullet : {"- ", "* ", "+ ", "• ", "・"}) {
    if (line.substr(0, bullet.size()) == bullet && line.size() > bullet.size()) {
      item = std::string(line.substr(bullet.size()));
      return true;
    }
  }
  size_t digits = 0;
  while (digits < line.size() && digits < 3 && line[digits] >= '0' && line[digits] <= '9') ++digits;
  if (digits > 0 && digits + 1 < line.size() && (line[digits] == '.' || line[digits] == ')') && line[digits + 1] == ' ') {
    item = std::string(line.substr(digits + 2));
    return true;
  }
  return false;
}

}  // namespace

std::vector<TextPart> split_text_documents(std::string_view text) {
  std::vector<TextPart> parts;
  std::vector<std::string> lines = split_lines(text);
  std::string current;
  int current_line = 0, blank_run = 0;
  for (size_t i = 0; i < lines.size(); ++i) {
    const std::string& line = lines[i];
    if (is_blank_line(line)) {
      ++blank_run;
      continue;
    }
    if (blank_run >= 2 && !current.empty()) {
      parts.push_back({std::move(current), current_line});
      current.clear();
    } else if (!current.empty()) {
      current.append(blank_run == 1 ? "\n\n" : "\n");
    }
    if (current.empty()) current_line = static_cast<int>(i) + 1;
    blank_run = 0;
    current.append(line);
  }
  if (!current.empty()) parts.push_back({std::move(current), current_line});
  return parts;
}

std::vector<Block> read_plain_text(std::string_view text, int first_line) {
  BlockBuilder out;
  std::vector<std::string> lines = split_lines(text);
  std::vector<std::string> paragraph;
  int paragraph_line = 0;
  auto flush = [&] {
    if (!paragraph.empty()) out.paragraph(join_wrapped_lines(paragraph), paragraph_line);
    paragraph.clear();
  };
  for (size_t i = 0; i < lines.size(); ++i) {
    const int line_no = first_line + static_cast<int>(i);
    std::string item;
    if (is_blank_line(lines[i])) {
      flush();
    } else if (text_list_item(lines[i], item)) {
      flush();
      out.list_item(item, 1, line_no);
    } else {
      if (paragraph.empty()) paragraph_line = line_no;
      paragraph.push_back(lines[i]);
    }
  }
  flush();
  return out.take_blocks();
}

}  // namespace gemba::data
