// Plain-text manuals -> document blocks. A .txt file may hold several documents separated by
// two or more blank lines (the layout of plain-text corpus dumps); inside one, blank lines
// separate paragraphs, lines that start with a list marker ("- ", "* ", "・", "1. ") are list
// items, and the lines of a paragraph are joined (no space between Japanese characters).
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "data/document.h"

namespace gemba::data {

// Splits plain text at runs of two or more blank lines; each part keeps its first line number.
struct TextPart {
  std::string text;
  int first_line = 1;
};
std::vector<TextPart> split_text_documents(std::string_view text);

// The blocks of one document's text; `first_line` is its line number in the file.
std::vector<Block> read_plain_text(std::string_view text, int first_line = 1);

}  // namespace gemba::data
