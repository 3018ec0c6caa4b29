// Markdown (CommonMark + GitHub tables) -> document blocks, through Debian's libcmark-gfm, a
// real parser: emphasis, links, inline code and HTML tags are reduced to their text; fenced and
// indented code stays verbatim; "> **Note:** ..." quotes become notes; each block keeps the line
// it starts on.
#pragma once
#include <string_view>
#include <vector>

#include "data/document.h"

namespace gemba::data {

// `text` is valid UTF-8 (ingest.h checks it). Never fails on malformed Markdown.
std::vector<Block> read_markdown(std::string_view text);

}  // namespace gemba::data
