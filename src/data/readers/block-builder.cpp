#include "data/readers/block-builder.h"

#include "core/utf8.h"

namespace gemba::data {
namespace {

bool is_space_byte(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v' || c == '\n'; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space_byte(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space_byte(s.back())) s.remove_suffix(1);
  return s;
}

// Scripts written without spaces between words: a line break inside them is no word break.
bool is_cjk(uint32_t c) {
  return (c >= 0x3000 && c <= 0x30FF) || (c >= 0x31F0 && c <= 0x31FF) || (c >= 0x3400 && c <= 0x4DBF) ||
         (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0xF900 && c <= 0xFAFF) || (c >= 0xFF00 && c <= 0xFFEF);
}

uint32_t last_code_point(std::string_view s) {
  size_t start = s.size();
  while (start > 0 && (static_cast<uint8_t>(s[start - 1]) & 0xC0) == 0x80) --start;
  if (start > 0) --start;
  size_t pos = start;
  return s.empty() ? 0 : utf8_decode(s, pos);
}

uint32_t first_code_point(std::string_view s) {
  size_t pos = 0;
  return s.empty() ? 0 : utf8_decode(s, pos);
}

bool is_lower_ascii(char c) { return c >= 'a' && c <= 'z'; }

}  // namespace

std::vector<std::string> split_lines(std::string_view text) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.emplace_back(line);
    start = end + 1;
  }
  return lines;
}

std::string collapse_spaces(std::string_view text) {
  std::string out;
  bool space = false;
  for (char c : trim(text)) {
    if (is_space_byte(c)) {
      space = true;
      continue;
    }
    if (space) out.push_back(' ');
    space = false;
    out.push_back(c);
  }
  return out;
}

std::string join_wrapped_lines(const std::vector<std::string>& lines, bool dehyphenate) {
  std::string out;
  for (const auto& raw : lines) {
    std::string line = collapse_spaces(raw);
    if (line.empty()) continue;
    if (out.empty()) {
      out = std::move(line);
      continue;
    }
    if (dehyphenate && out.size() >= 2 && out.back() == '-' && is_lower_ascii(out[out.size() - 2]) && is_lower_ascii(line[0])) {
      out.pop_back();  // "con-" + "trol": a word the typesetter hyphenated
    } else if (!is_cjk(last_code_point(out)) && !is_cjk(first_code_point(line))) {
      out.push_back(' ');
    }
    out += line;
  }
  return out;
}

Block& BlockBuilder::add(BlockKind kind, std::string text, int line, int page) {
  Block& b = blocks_.emplace_back();
  b.kind = kind;
  b.text = std::move(text);
  b.section = section_;
  b.line = line;
  b.page = page;
  return b;
}

void BlockBuilder::heading(int level, std::string_view text, int line, int page) {
  std::string title = collapse_spaces(text);
  if (title.empty()) return;
  while (!open_.empty() && open_.back().first >= level) open_.pop_back();
  open_.emplace_back(level, title);
  section_.clear();
  for (const auto& [l, t] : open_) section_.push_back(t);
  // A heading's own path is the sections above it.
  Block& b = add(BlockKind::kHeading, title, line, page);
  b.section.pop_back();
  b.level = level;
}

void BlockBuilder::paragraph(std::string_view text, int line, int page) {
  std::string t = collapse_spaces(text);
  if (!t.empty()) add(BlockKind::kParagraph, std::move(t), line, page);
}

void BlockBuilder::list_item(std::string_view text, int depth, int line, int page) {
  std::string t = collapse_spaces(text);
  if (!t.empty()) add(BlockKind::kListItem, std::move(t), line, page).level = depth < 1 ? 1 : depth;
}

void BlockBuilder::note(std::string_view label, std::string_view text, int line, int page) {
  std::string t = collapse_spaces(text);
  if (t.empty()) return;
  add(BlockKind::kNote, std::move(t), line, page).label = collapse_spaces(label);
}

void BlockBuilder::code(std::string_view text, std::string_view info, int line, int page) {
  // Verbatim, but without blank lines at the ends or trailing blanks on a line.
  std::vector<std::string> lines = split_lines(text);
  while (!lines.empty() && trim(lines.back()).empty()) lines.pop_back();
  size_t first = 0;
  while (first < lines.size() && trim(lines[first]).empty()) ++first;
  std::string t;
  for (size_t i = first; i < lines.size(); ++i) {
    std::string_view l = lines[i];
    while (!l.empty() && is_space_byte(l.back())) l.remove_suffix(1);
    if (!t.empty() || i > first) t.push_back('\n');
    t += l;
  }
  if (t.empty()) return;
  add(BlockKind::kCode, std::move(t), line + static_cast<int>(first), page).label = collapse_spaces(info);
}

void BlockBuilder::table(const std::vector<std::string>& header, const std::vector<std::vector<std::string>>& rows,
                         const std::vector<int>& row_lines, int page) {
  std::vector<std::string> head;
  for (const auto& h : header) head.push_back(collapse_spaces(h));
  for (size_t r = 0; r < rows.size(); ++r) {
    std::vector<std::string> cells;
    bool any = false;
    for (const auto& c : rows[r]) {
      cells.push_back(collapse_spaces(c));
      any = any || !cells.back().empty();
    }
    if (!any) continue;
    Block& b = add(BlockKind::kTableRow, table_row_text(head, cells), r < row_lines.size() ? row_lines[r] : 0, page);
    b.cells = std::move(cells);
    b.header = head;
  }
}

}  // namespace gemba::data
