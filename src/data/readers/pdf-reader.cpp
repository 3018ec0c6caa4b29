#include "data/readers/pdf-reader.h"

#include <poppler-document.h>
#include <poppler-global.h>
#include <poppler-page.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <set>

#include "core/log.h"
#include "core/utf8.h"
#include "data/readers/block-builder.h"

namespace gemba::data {
namespace {

constexpr int kEdgeLines = 2;            // at most this many header lines and footer lines per page
constexpr double kColumnGapEm = 1.0;     // a gap this wide (in font sizes) separates table cells
constexpr double kWordGapEm = 0.15;      // a gap this wide between two boxes is a space
constexpr double kParagraphGapEm = 0.8;  // a vertical gap this wide starts a new paragraph
constexpr double kHeadingScale = 1.15;   // a line this much larger than the body text is a heading

void poppler_message(const std::string& message, void*) { log_debug("poppler: ", message); }

std::string to_utf8(const poppler::ustring& u) {
  poppler::byte_array bytes = u.to_utf8();
  std::string s(bytes.begin(), bytes.end());
  return utf8_valid(s) ? s : std::string();
}

// ---- words -> lines -> segments -------------------------------------------------------------

void append_word(PdfSegment& seg, const PdfWord& w, const PdfWord* previous) {
  if (previous) {
    double gap = w.x0 - previous->x1;
    if (previous->space_after || gap > kWordGapEm * std::max(1.0, w.font_size)) seg.text.push_back(' ');
  }
  seg.text += w.text;
  seg.x1 = std::max(seg.x1, w.x1);
}

PdfLine make_line(std::vector<PdfWord>& words) {
  std::sort(words.begin(), words.end(), [](const PdfWord& a, const PdfWord& b) { return a.x0 < b.x0; });
  PdfLine line;
  line.x0 = words.front().x0;
  line.top = words.front().top;
  line.bottom = words.front().bottom;
  double size_sum = 0, chars = 0;
  const PdfWord* previous = nullptr;
  for (const auto& w : words) {
    double em = std::max(1.0, w.font_size);
    if (!previous || w.x0 - previous->x1 > kColumnGapEm * em) {
      line.segments.push_back({w.x0, w.x1, ""});
      previous = nullptr;
    }
    append_word(line.segments.back(), w, previous);
    previous = &w;
    line.x1 = std::max(line.x1, w.x1);
    line.top = std::min(line.top, w.top);
    line.bottom = std::max(line.bottom, w.bottom);
    double n = static_cast<double>(std::max<size_t>(1, utf8_code_points(w.text)));
    size_sum += w.font_size * n;
    chars += n;
  }
  line.font_size = chars > 0 ? size_sum / chars : 0;
  return line;
}

// ---- headers and footers --------------------------------------------------------------------

// The comparison key of an edge line: blanks collapsed; for the outermost line digits dropped
// too ("Page 3 of 10" matches "Page 4 of 10").
std::string edge_key(const std::string& text, bool ignore_digits) {
  std::string key;
  for (char c : text) {
    if (ignore_digits && std::isdigit(static_cast<unsigned char>(c))) continue;
    if (c == ' ') continue;
    key.push_back(c);
  }
  return key;
}

// ---- page layout -> blocks ------------------------------------------------------------------

bool ends_sentence(const std::string& text) {
  if (text.empty()) return true;
  char last = text.back();
  if (last == '.' || last == ':' || last == '!' || last == '?') return true;
  return text.size() >= 3 && (text.compare(text.size() - 3, 3, "。") == 0 || text.compare(text.size() - 3, 3, "：") == 0);
}

// "• text", "- text", "1. text", "(2) text", "① text", "・テキスト" -> the text after the marker.
bool list_marker(const std::string& text, std::string& rest) {
  static const char* const kBullets[] = {"•", "・", "●", "○", "■", "□", "◆", "◇", "▪", "–", "-", "*", "‐"};
  for (const char* b : kBullets) {
    size_t n = std::strlen(b);
    if (text.compare(0, n, b) != 0) continue;
    bool ascii = n == 1;
    if (ascii && (text.size() <= n || text[n] != ' ')) continue;  // "-5 V" is no bullet
    rest = text.substr(n);
    rest.erase(0, rest.find_first_not_of(' '));
    return !rest.empty();
  }
  size_t i = 0;
  bool paren = !text.empty() && text[0] == '(';
  if (paren) ++i;
  size_t digits = i;
  while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i])) && i - digits < 3) ++i;
  if (i == digits || i >= text.size()) return false;
  if (paren ? text[i] != ')' : (text[i] != '.' && text[i] != ')')) return false;
  ++i;
  if (i >= text.size() || text[i] != ' ') return false;
  rest = text.substr(i + 1);
  return !rest.empty();
}

class PdfLayout {
 public:
  PdfLayout(double body_size, std::vector<double> heading_sizes, double paragraph_gap)
      : body_size_(body_size), heading_sizes_(std::move(heading_sizes)), paragraph_gap_(paragraph_gap) {}

  void page(const std::vector<PdfLine>& lines, int page_no) {
    size_t i = 0;
    while (i < lines.size()) {
      size_t end = table_end(lines, i);
      if (end > i) {
        flush();
        table(lines, i, end, page_no);
        i = end;
        continue;
      }
      text_line(lines[i], i > 0 ? &lines[i - 1] : nullptr, page_no);
      ++i;
    }
    // A paragraph that ends without punctuation may continue on the next page.
    if (!pending_.empty() && ends_sentence(pending_.back())) flush();
  }

  std::vector<Block> finish() {
    flush();
    return out_.take_blocks();
  }

 private:
  double em(const PdfLine& l) const { return std::max(1.0, l.font_size > 0 ? l.font_size : body_size_); }

  int heading_level(const PdfLine& line) const {
    if (line.font_size < kHeadingScale * body_size_ || utf8_code_points(line.text()) > 120) return 0;
    for (size_t k = 0; k < heading_sizes_.size(); ++k)
      if (line.font_size >= heading_sizes_[k] - 0.5) return static_cast<int>(std::min<size_t>(k + 1, 6));
    return static_cast<int>(std::min<size_t>(heading_sizes_.size(), 6));
  }

  void text_line(const PdfLine& line, const PdfLine* previous, int page_no) {
    std::string text = line.text();
    if (int level = heading_level(line)) {
      flush();
      out_.heading(level, text, 0, page_no);
      return;
    }
    std::string rest;
    bool gap = previous && line.top - previous->bottom > std::max(paragraph_gap_, kParagraphGapEm * em(line));
    if (list_marker(text, rest)) {
      flush();
      pending_ = {rest};
      pending_is_item_ = true;
      item_x0_ = line.x0;
      pending_page_ = page_no;
      return;
    }
    // A line that starts left of a list item's text ends the item.
    if (pending_is_item_ && (gap || line.x0 <= item_x0_ + 0.5 * em(line))) flush();
    else if (gap) flush();
    if (pending_.empty()) pending_page_ = page_no;
    pending_.push_back(text);
  }

  void flush() {
    if (pending_.empty()) return;
    std::string text = join_wrapped_lines(pending_, /*dehyphenate=*/true);
    if (pending_is_item_) out_.list_item(text, 1, 0, pending_page_);
    else out_.paragraph(text, 0, pending_page_);
    pending_.clear();
    pending_is_item_ = false;
  }

  // A table starts at a line of 2+ segments and runs while lines keep 2+ segments or continue a
  // cell (one segment starting right of the first column), with no wide vertical gap. It needs
  // at least two lines of 2+ segments. Returns the end of the table, or `begin` for none.
  size_t table_end(const std::vector<PdfLine>& lines, size_t begin) const {
    if (lines[begin].segments.size() < 2) return begin;
    size_t end = begin + 1, multi = 1;
    const double first_column_end = lines[begin].segments[0].x1;
    while (end < lines.size()) {
      const PdfLine& l = lines[end];
      if (l.top - lines[end - 1].bottom > 2.0 * em(l)) break;
      bool continues = l.segments.size() == 1 && l.segments[0].x0 > first_column_end;
      if (l.segments.size() < 2 && !continues) break;
      if (l.segments.size() >= 2) ++multi;
      ++end;
    }
    return multi >= 2 ? end : begin;
  }

  void table(const std::vector<PdfLine>& lines, size_t begin, size_t end, int page_no) {
    // Columns: the x-ranges of the segments of the lines with the most segments, merged where
    // they overlap.
    size_t most = 0;
    for (size_t i = begin; i < end; ++i) most = std::max(most, lines[i].segments.size());
    std::vector<std::pair<double, double>> columns;
    for (size_t i = begin; i < end; ++i)
      if (lines[i].segments.size() == most)
        for (const auto& s : lines[i].segments) columns.emplace_back(s.x0, s.x1);
    std::sort(columns.begin(), columns.end());
    std::vector<std::pair<double, double>> merged;
    for (const auto& c : columns) {
      if (!merged.empty() && c.first <= merged.back().second) merged.back().second = std::max(merged.back().second, c.second);
      else merged.push_back(c);
    }
    auto column_of = [&](const PdfSegment& s) {
      size_t best = 0;
      double best_overlap = -1e9;
      for (size_t k = 0; k < merged.size(); ++k) {
        double overlap = std::min(s.x1, merged[k].second) - std::max(s.x0, merged[k].first);
        if (overlap > best_overlap) best_overlap = overlap, best = k;
      }
      return best;
    };
    std::vector<std::vector<std::vector<std::string>>> rows;  // row -> column -> lines
    for (size_t i = begin; i < end; ++i) {
      std::vector<std::vector<std::string>> cells(merged.size());
      for (const auto& s : lines[i].segments) cells[column_of(s)].push_back(s.text);
      bool continues = !rows.empty() && cells[0].empty();
      if (continues) {
        for (size_t k = 0; k < cells.size(); ++k)
          for (auto& t : cells[k]) rows.back()[k].push_back(std::move(t));
      } else {
        rows.push_back(std::move(cells));
      }
    }
    auto flat = [](const std::vector<std::vector<std::string>>& row) {
      std::vector<std::string> cells;
      for (const auto& parts : row) cells.push_back(join_wrapped_lines(parts, /*dehyphenate=*/true));
      return cells;
    };
    std::vector<std::string> header = flat(rows.front());
    std::vector<std::vector<std::string>> body;
    for (size_t r = 1; r < rows.size(); ++r) body.push_back(flat(rows[r]));
    if (body.empty()) {  // one row only: no header to bind to
      body.push_back(header);
      header.clear();
    }
    out_.table(header, body, {}, page_no);
  }

  double body_size_;
  std::vector<double> heading_sizes_;  // distinct heading font sizes, largest first
  double paragraph_gap_;               // a wider vertical gap between two lines starts a paragraph
  BlockBuilder out_;
  std::vector<std::string> pending_;   // lines of the paragraph or list item being read
  bool pending_is_item_ = false;
  double item_x0_ = 0;
  int pending_page_ = 0;
};

std::unique_ptr<poppler::document> open_pdf(std::string_view bytes, const std::string& path) {
  static std::once_flag quiet;
  std::call_once(quiet, [] { poppler::set_debug_error_function(poppler_message, nullptr); });
  if (bytes.size() < 8 || bytes.substr(0, 5) != "%PDF-") throw BadInput("broken-pdf", path + ": not a PDF (no %PDF- header)");
  if (bytes.size() > static_cast<size_t>(INT32_MAX)) throw BadInput("broken-pdf", path + ": PDF larger than 2 GiB");
  std::unique_ptr<poppler::document> doc(poppler::document::load_from_raw_data(bytes.data(), static_cast<int>(bytes.size())));
  if (!doc) throw BadInput("broken-pdf", path + ": broken PDF (poppler cannot parse it, or it is encrypted with an unknown password)");
  if (doc->is_locked()) throw BadInput("encrypted-pdf", path + ": encrypted PDF needs a password; save an unencrypted copy");
  if (doc->pages() <= 0) throw BadInput("broken-pdf", path + ": PDF has no pages");
  return doc;
}

std::vector<PdfWord> page_words(const poppler::page& page) {
  std::vector<PdfWord> words;
  for (const auto& box : page.text_list(poppler::page::text_list_include_font)) {
    std::string text = to_utf8(box.text());
    if (text.empty() || text.find_first_not_of(" \t\r\n\f") == std::string::npos) continue;
    poppler::rectf r = box.bbox();
    PdfWord w;
    w.x0 = r.x();
    w.x1 = r.x() + r.width();
    w.top = r.y();
    w.bottom = r.y() + r.height();
    w.font_size = box.get_font_size() > 0 ? box.get_font_size() : r.height();
    w.text = std::move(text);
    w.space_after = box.has_space_after();
    words.push_back(std::move(w));
  }
  return words;
}

// The body text's font size (the most common, by characters) and the larger sizes that
// headings use, largest first.
std::pair<double, std::vector<double>> font_sizes(const std::vector<std::vector<PdfLine>>& pages) {
  std::map<long, double> chars_by_size;  // size in 1/10 pt -> characters
  for (const auto& lines : pages)
    for (const auto& l : lines) chars_by_size[std::lround(l.font_size * 10)] += static_cast<double>(utf8_code_points(l.text()));
  double body = 10;
  double most = -1;
  for (const auto& [size, chars] : chars_by_size)
    if (chars > most) most = chars, body = static_cast<double>(size) / 10;
  std::set<double, std::greater<>> headings;
  for (const auto& [size, chars] : chars_by_size)
    if (static_cast<double>(size) / 10 >= kHeadingScale * body) headings.insert(static_cast<double>(size) / 10);
  return {body, std::vector<double>(headings.begin(), headings.end())};
}

// Half again the document's usual gap between the lines of a paragraph (the lower quartile of
// all gaps: most lines continue a paragraph): a wider gap starts a new paragraph. Measured,
// because manuals set their leading anywhere from tight to double.
double paragraph_gap(const std::vector<std::vector<PdfLine>>& pages) {
  std::vector<double> gaps;
  for (const auto& lines : pages)
    for (size_t i = 1; i < lines.size(); ++i)
      if (double g = lines[i].top - lines[i - 1].bottom; g > 0) gaps.push_back(g);
  if (gaps.empty()) return 0;
  std::nth_element(gaps.begin(), gaps.begin() + static_cast<long>(gaps.size() / 4), gaps.end());
  return 1.5 * gaps[gaps.size() / 4];
}

}  // namespace

std::string PdfLine::text() const {
  std::string out;
  for (const auto& s : segments) {
    if (!out.empty()) out.push_back(' ');
    out += s.text;
  }
  return out;
}

std::vector<PdfLine> pdf_lines(std::vector<PdfWord> words) {
  std::sort(words.begin(), words.end(), [](const PdfWord& a, const PdfWord& b) { return a.top < b.top; });
  std::vector<PdfLine> lines;
  std::vector<PdfWord> current;
  double top = 0, bottom = 0;
  for (auto& w : words) {
    double center = (w.top + w.bottom) / 2;
    if (!current.empty() && (center < top || center > bottom)) {
      lines.push_back(make_line(current));
      current.clear();
    }
    if (current.empty()) top = w.top, bottom = w.bottom;
    current.push_back(std::move(w));
  }
  if (!current.empty()) lines.push_back(make_line(current));
  return lines;
}

int remove_running_headers_footers(std::vector<std::vector<PdfLine>>& pages) {
  if (pages.size() < 2) return 0;
  std::vector<std::vector<bool>> drop(pages.size());
  for (size_t p = 0; p < pages.size(); ++p) drop[p].assign(pages[p].size(), false);
  const size_t needed = std::max<size_t>(2, (pages.size() + 1) / 2);
  // Peel from each edge inwards: line k is a candidate only on pages where line k-1 was removed.
  for (bool from_top : {true, false}) {
    std::vector<bool> peeling(pages.size(), true);
    for (int k = 0; k < kEdgeLines; ++k) {
      std::map<std::string, size_t> counts;
      std::vector<std::string> keys(pages.size());
      std::vector<long> index(pages.size(), -1);
      for (size_t p = 0; p < pages.size(); ++p) {
        const long n = static_cast<long>(pages[p].size());
        if (!peeling[p] || k >= n) continue;
        index[p] = from_top ? k : n - 1 - k;
        if (drop[p][static_cast<size_t>(index[p])]) {
          index[p] = -1;
          continue;
        }
        keys[p] = edge_key(pages[p][static_cast<size_t>(index[p])].text(), k == 0);
        ++counts[keys[p]];
      }
      for (size_t p = 0; p < pages.size(); ++p) {
        bool repeated = index[p] >= 0 && counts[keys[p]] >= needed;
        if (repeated) drop[p][static_cast<size_t>(index[p])] = true;
        peeling[p] = repeated;
      }
    }
  }
  int removed = 0;
  for (size_t p = 0; p < pages.size(); ++p) {
    std::vector<PdfLine> kept;
    for (size_t i = 0; i < pages[p].size(); ++i) {
      if (drop[p][i]) ++removed;
      else kept.push_back(std::move(pages[p][i]));
    }
    pages[p] = std::move(kept);
  }
  return removed;
}

PdfReadResult read_pdf(std::string_view bytes, const std::string& path) {
  std::unique_ptr<poppler::document> doc = open_pdf(bytes, path);
  std::vector<std::vector<PdfLine>> pages;
  for (int i = 0; i < doc->pages(); ++i) {
    std::unique_ptr<poppler::page> page(doc->create_page(i));
    pages.push_back(page ? pdf_lines(page_words(*page)) : std::vector<PdfLine>{});
  }
  PdfReadResult result;
  result.header_footer_lines_removed = remove_running_headers_footers(pages);
  auto [body, heading_sizes] = font_sizes(pages);
  PdfLayout layout(body, heading_sizes, paragraph_gap(pages));
  for (size_t p = 0; p < pages.size(); ++p) layout.page(pages[p], static_cast<int>(p) + 1);
  result.blocks = layout.finish();
  if (result.blocks.empty()) throw BadInput("no-text", path + ": PDF has no extractable text (scanned pages?); run OCR first");
  return result;
}

}  // namespace gemba::data
