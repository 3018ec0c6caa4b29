// What every manual reader shares: a builder that keeps the heading path, binds table rows to
// their header, drops empty blocks, and joins the lines a source wrapped inside a paragraph.
#pragma once
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "data/document.h"

namespace gemba::data {

// Joins the lines of one paragraph that the source wrapped. Next to a CJK character (kana,
// kanji, full-width punctuation) the break is dropped ("設定\nする" -> "設定する", "電流は\n2.5 A"
// -> "電流は2.5 A": Japanese puts no space at a wrap); otherwise it becomes one space. With `dehyphenate` (PDF), "con-\ntrol" becomes "control"
// when the hyphen follows a lower-case letter and a lower-case letter starts the next line.
// Each line is trimmed first; blank lines are skipped.
std::string join_wrapped_lines(const std::vector<std::string>& lines, bool dehyphenate = false);

// Splits at '\n' (a "\r\n" ending loses its '\r').
std::vector<std::string> split_lines(std::string_view text);

// Runs of whitespace inside a line become one space; the ends are trimmed.
std::string collapse_spaces(std::string_view text);

class BlockBuilder {
 public:
  // A heading closes every open section of the same or a deeper level.
  void heading(int level, std::string_view text, int line, int page = 0);
  void paragraph(std::string_view text, int line, int page = 0);
  void list_item(std::string_view text, int depth, int line, int page = 0);
  void note(std::string_view label, std::string_view text, int line, int page = 0);
  void code(std::string_view text, std::string_view info, int line, int page = 0);
  // One table: its header cells (may be empty) and its body rows with their first lines.
  void table(const std::vector<std::string>& header, const std::vector<std::vector<std::string>>& rows,
             const std::vector<int>& row_lines, int page = 0);

  const std::vector<std::string>& section() const { return section_; }
  bool empty() const { return blocks_.empty(); }
  std::vector<Block> take_blocks() { return std::move(blocks_); }

 private:
  Block& add(BlockKind kind, std::string text, int line, int page);

  std::vector<std::pair<int, std::string>> open_;  // (level, title) of the open sections
  std::vector<std::string> section_;               // their titles
  std::vector<Block> blocks_;
};

}  // namespace gemba::data
