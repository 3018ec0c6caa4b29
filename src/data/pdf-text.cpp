#include "data/pdf-text.h"

#include <poppler-document.h>
#include <poppler-global.h>
#include <poppler-page.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <memory>
#include <mutex>

#include "core/log.h"
#include "core/utf8.h"
#include "data/document.h"

namespace gemba::data {
namespace {

constexpr int kEdgeLines = 2;  // at most this many header lines and footer lines per page

void poppler_message(const std::string& message, void*) { log_debug("poppler: ", message); }

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

bool is_blank(const std::string& line) {
  return std::all_of(line.begin(), line.end(), [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\n'; });
}

// The comparison key of a header/footer line: blanks collapsed, and for the outermost line
// digits dropped too (page numbers: "Page 3 of 10" matches "Page 4 of 10").
std::string edge_key(const std::string& line, bool ignore_digits) {
  std::string key;
  bool space = false;
  for (char c : line) {
    if (ignore_digits && std::isdigit(static_cast<unsigned char>(c))) continue;
    if (c == ' ' || c == '\t' || c == '\r' || c == '\f') {
      space = !key.empty();
      continue;
    }
    if (space) key.push_back(' ');
    space = false;
    key.push_back(c);
  }
  return key;
}

// The non-blank line indices of a page.
std::vector<size_t> nonblank_lines(const std::vector<std::string>& lines) {
  std::vector<size_t> out;
  for (size_t i = 0; i < lines.size(); ++i)
    if (!is_blank(lines[i])) out.push_back(i);
  return out;
}

// The k-th non-blank line from the top (from_top) or the bottom, or npos.
size_t edge_line(const std::vector<size_t>& nonblank, int k, bool from_top) {
  if (k >= static_cast<int>(nonblank.size())) return std::string::npos;
  return from_top ? nonblank[static_cast<size_t>(k)] : nonblank[nonblank.size() - 1 - static_cast<size_t>(k)];
}

}  // namespace

std::string PdfText::joined() const {
  std::string out;
  for (const auto& page : pages) {
    if (page.empty()) continue;
    if (!out.empty()) out.append("\n\n");
    out.append(page);
  }
  return out;
}

int remove_repeated_headers_footers(std::vector<std::string>& pages) {
  if (pages.size() < 2) return 0;
  std::vector<std::vector<std::string>> lines;
  std::vector<std::vector<size_t>> nonblank;
  for (const auto& page : pages) {
    lines.push_back(split_lines(page));
    nonblank.push_back(nonblank_lines(lines.back()));
  }
  std::vector<std::vector<bool>> drop(pages.size());
  for (size_t p = 0; p < pages.size(); ++p) drop[p].assign(lines[p].size(), false);
  const size_t needed = std::max<size_t>(2, (pages.size() + 1) / 2);
  // Peel from each edge inwards: line k is a header (footer) candidate only on pages where
  // line k-1 was removed as one, and is removed where its key repeats on enough pages.
  for (bool from_top : {true, false}) {
    std::vector<bool> peeling(pages.size(), true);
    for (int k = 0; k < kEdgeLines; ++k) {
      std::map<std::string, size_t> counts;
      std::vector<std::string> keys(pages.size());
      std::vector<size_t> index(pages.size(), std::string::npos);
      for (size_t p = 0; p < pages.size(); ++p) {
        if (!peeling[p]) continue;
        index[p] = edge_line(nonblank[p], k, from_top);
        if (index[p] == std::string::npos || drop[p][index[p]]) {
          index[p] = std::string::npos;
          continue;
        }
        keys[p] = edge_key(lines[p][index[p]], k == 0);
        ++counts[keys[p]];
      }
      for (size_t p = 0; p < pages.size(); ++p) {
        bool repeated = index[p] != std::string::npos && counts[keys[p]] >= needed;
        if (repeated) drop[p][index[p]] = true;
        peeling[p] = repeated;
      }
    }
  }
  int removed = 0;
  for (size_t p = 0; p < pages.size(); ++p) {
    if (std::find(drop[p].begin(), drop[p].end(), true) == drop[p].end()) continue;
    std::string rebuilt;
    bool first = true;
    for (size_t i = 0; i < lines[p].size(); ++i) {
      if (drop[p][i]) {
        ++removed;
        continue;
      }
      if (!first) rebuilt.push_back('\n');
      first = false;
      rebuilt.append(lines[p][i]);
    }
    pages[p] = rebuilt;
  }
  return removed;
}

PdfText extract_pdf_text(std::string_view bytes, const std::string& path) {
  static std::once_flag quiet;
  std::call_once(quiet, [] { poppler::set_debug_error_function(poppler_message, nullptr); });
  if (bytes.size() < 8 || bytes.substr(0, 5) != "%PDF-")
    throw BadInput("broken-pdf", path + ": not a PDF (no %PDF- header)");
  if (bytes.size() > static_cast<size_t>(INT32_MAX)) throw BadInput("broken-pdf", path + ": PDF larger than 2 GiB");
  std::unique_ptr<poppler::document> doc(
      poppler::document::load_from_raw_data(bytes.data(), static_cast<int>(bytes.size())));
  if (!doc) throw BadInput("broken-pdf", path + ": broken PDF (poppler cannot parse it, or it is encrypted with an unknown password)");
  if (doc->is_locked()) throw BadInput("encrypted-pdf", path + ": encrypted PDF needs a password; save an unencrypted copy");
  int n = doc->pages();
  if (n <= 0) throw BadInput("broken-pdf", path + ": PDF has no pages");
  PdfText result;
  for (int i = 0; i < n; ++i) {
    std::unique_ptr<poppler::page> page(doc->create_page(i));
    if (!page) {
      result.pages.emplace_back();
      continue;
    }
    poppler::byte_array utf8 = page->text(poppler::rectf(), poppler::page::physical_layout).to_utf8();
    std::string text(utf8.begin(), utf8.end());
    if (!utf8_valid(text)) text = std::string();  // poppler should never do this; treat as no text
    std::replace(text.begin(), text.end(), '\f', '\n');
    result.pages.push_back(std::move(text));
  }
  result.header_footer_lines_removed = remove_repeated_headers_footers(result.pages);
  bool any_text = std::any_of(result.pages.begin(), result.pages.end(), [](const std::string& p) { return !is_blank(p); });
  if (!any_text) throw BadInput("no-text", path + ": PDF has no extractable text (scanned pages?); run OCR first");
  return result;
}

}  // namespace gemba::data
