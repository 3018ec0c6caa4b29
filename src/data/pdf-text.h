// Text of a PDF, page by page (poppler-cpp), with repeated page headers and footers removed.
#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace gemba::data {

struct PdfText {
  std::vector<std::string> pages;  // per page, headers/footers already removed
  int header_footer_lines_removed = 0;
  std::string joined() const;      // pages separated by a blank line
};

// Throws BadInput (document.h): "encrypted-pdf" for a password-protected file,
// "broken-pdf" for one poppler cannot parse, "no-text" for pages without text (scans).
PdfText extract_pdf_text(std::string_view bytes, const std::string& path);

// Removes page headers/footers: the first (last) non-blank line of a page when it repeats on
// at least half of the pages (and at least two), digits ignored so "Page 3" matches "Page 4";
// then the next line inwards when it repeats exactly on those pages too (two-line headers).
// Returns how many lines were removed. Exposed for tests.
int remove_repeated_headers_footers(std::vector<std::string>& pages);

}  // namespace gemba::data
