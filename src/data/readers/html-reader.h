// HTML manuals -> document blocks, through Debian's libxml2 HTML parser (tolerant: it recovers
// from malformed markup as browsers do). Headings, paragraphs, lists (nested, with depth),
// definition lists, tables (th header rows bound to the cells), <pre> as code, blockquotes and
// admonition boxes (class "note", "warning", ...) as notes; script, style, head and nav dropped;
// text between blocks becomes paragraphs; each block keeps its source line.
#pragma once
#include <string_view>
#include <vector>

#include "data/document.h"

namespace gemba::data {

std::vector<Block> read_html(std::string_view html);

}  // namespace gemba::data
