// PDF manuals -> document blocks, from poppler's word boxes and their positions (poppler-cpp).
//
// Steps, per page: words -> lines (vertical overlap), lines -> segments (gaps wider than about
// one em split a line into cells); running headers and footers removed (the outermost lines that
// repeat, digits ignored, on at least half of the pages); runs of lines whose segments align to
// common column positions become tables (a line holding text only in later columns continues the
// cells of the row above: a wrapped cell); the rest becomes headings (larger font, short),
// list items (bullets, numbers) and paragraphs (split at wider vertical gaps). Lines of a
// paragraph are joined without a space between Japanese characters and with hyphenation
// removed ("con-" + "trol"). A paragraph cut by a page break continues on the next page.
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "data/document.h"

namespace gemba::data {

struct PdfReadResult {
  std::vector<Block> blocks;  // page numbers in Block::page
  int header_footer_lines_removed = 0;
};

// Throws BadInput (document.h): "encrypted-pdf" for a password-protected file, "broken-pdf" for
// one poppler cannot parse, "no-text" for pages without text (scans).
PdfReadResult read_pdf(std::string_view bytes, const std::string& path);

// --- the layout steps, exposed for tests ---

struct PdfWord {
  double x0 = 0, x1 = 0, top = 0, bottom = 0;  // points, y grows downwards
  double font_size = 0;
  std::string text;
  bool space_after = false;
};

struct PdfSegment {  // words of one line without a column gap between them
  double x0 = 0, x1 = 0;
  std::string text;
};

struct PdfLine {
  double x0 = 0, x1 = 0, top = 0, bottom = 0, font_size = 0;
  std::vector<PdfSegment> segments;
  std::string text() const;  // the segments joined by a space
};

// Groups a page's words into lines, top to bottom, each split into segments at column gaps.
std::vector<PdfLine> pdf_lines(std::vector<PdfWord> words);

// Removes the repeated outermost lines of the pages; returns how many were removed.
int remove_running_headers_footers(std::vector<std::vector<PdfLine>>& pages);

}  // namespace gemba::data
