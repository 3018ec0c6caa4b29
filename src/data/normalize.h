// Text normalization for manuals and FAQ: Unicode NFKC (full-width ASCII -> ASCII,
// half-width kana -> full-width), control characters removed, and a whitespace cleanup
// that keeps the line structure of tables and parameter listings readable.
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "core/nfkc.h"
#include "data/document.h"

namespace gemba::data {

// Unicode NFKC (core/nfkc.h: the same normalization inference applies).
using gemba::nfkc;

// Line-preserving whitespace cleanup of (already NFKC'd) text:
//  * CR LF / CR / U+2028 / U+2029 / U+0085 -> LF; C0/C1 controls (except LF, TAB), DEL,
//    BOM, zero-width space and soft hyphen are removed;
//  * leading indentation (TAB = 4 columns) is halved (rounded up) and capped at 8 spaces,
//    so nesting stays visible;
//  * inside a line, a single blank stays one space and a run of 2+ blanks/tabs becomes two
//    spaces, so column gaps in tables and parameter listings stay recognizable;
//  * trailing blanks are stripped, at most one blank line in a row, none at the ends.
std::string clean_whitespace(std::string_view text);

// nfkc() then clean_whitespace().
std::string normalize_text(std::string_view text, const std::string& what = "text");

// A document read by data/ingest.h, normalized block by block: every text, cell, header cell
// and heading through normalize_text; prose on one line (collapse_to_line), code keeps its
// lines; empty blocks dropped; the title and training text (document-text.h) follow.
void normalize_document(Document& document);

// Paragraphs: the blocks between blank lines of normalized text.
std::vector<std::string> split_paragraphs(std::string_view normalized);

// A single line: every run of whitespace (newlines included) becomes one space, trimmed.
// For FAQ questions/answers in one-line formats.
std::string collapse_to_line(std::string_view normalized);

}  // namespace gemba::data
