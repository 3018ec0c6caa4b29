#include "data/normalize.h"

#include "data/document-text.h"


#include <cstdlib>
#include <memory>

#include "core/error.h"
#include "core/utf8.h"

namespace gemba::data {
namespace {

constexpr int kMaxIndent = 8;

bool is_removed_code_point(uint32_t cp) {
  if (cp < 0x20) return cp != '\n' && cp != '\t';
  if (cp == 0x7F) return true;
  if (cp >= 0x80 && cp <= 0x9F) return true;  // C1 controls (NEL is mapped to LF before)
  return cp == 0xFEFF || cp == 0x200B || cp == 0x00AD;
}

// Appends one cleaned line (no LF inside) to `out`.
void append_clean_line(std::string_view line, std::string& out) {
  size_t pos = 0;
  int columns = 0;
  while (pos < line.size() && (line[pos] == ' ' || line[pos] == '\t')) {
    columns += line[pos] == '\t' ? 4 - columns % 4 : 1;
    ++pos;
  }
  std::string body;
  bool pending_blank = false;
  int blank_run = 0;
  for (; pos < line.size(); ++pos) {
    char c = line[pos];
    if (c == ' ' || c == '\t') {
      pending_blank = true;
      blank_run += c == '\t' ? 2 : 1;
      continue;
    }
    if (pending_blank) body.append(blank_run >= 2 ? "  " : " ");
    pending_blank = false;
    blank_run = 0;
    body.push_back(c);
  }
  if (body.empty()) return;  // a whitespace-only line is a blank line
  int indent = std::min(kMaxIndent, (columns + 1) / 2);
  out.append(static_cast<size_t>(indent), ' ');
  out.append(body);
}

}  // namespace

std::string clean_whitespace(std::string_view text) {
  // Pass 1: line breaks unified, removed code points dropped. Input may hold invalid bytes
  // only if the caller skipped nfkc(); they become U+FFFD.
  std::string unified;
  unified.reserve(text.size());
  for (size_t pos = 0; pos < text.size();) {
    auto byte = static_cast<uint8_t>(text[pos]);
    if (byte < 0x80) {
      ++pos;
      if (byte == '\r') {
        unified.push_back('\n');
        if (pos < text.size() && text[pos] == '\n') ++pos;
      } else if (!is_removed_code_point(byte)) {
        unified.push_back(static_cast<char>(byte));
      }
      continue;
    }
    uint32_t cp = utf8_decode(text, pos);
    if (cp == 0x2028 || cp == 0x2029 || cp == 0x85) unified.push_back('\n');
    else if (!is_removed_code_point(cp)) utf8_append(unified, cp);
  }
  // Pass 2: per line cleanup, blank lines squeezed.
  std::string out;
  out.reserve(unified.size());
  bool blank_pending = false;
  size_t start = 0;
  while (start <= unified.size()) {
    size_t end = unified.find('\n', start);
    if (end == std::string::npos) end = unified.size();
    std::string line;
    append_clean_line(std::string_view(unified).substr(start, end - start), line);
    start = end + 1;
    if (line.empty()) {
      blank_pending = !out.empty();
      continue;
    }
    if (!out.empty()) out.append(blank_pending ? "\n\n" : "\n");
    blank_pending = false;
    out.append(line);
  }
  return out;
}

std::string normalize_text(std::string_view text, const std::string& what) { return clean_whitespace(nfkc(text, what)); }

std::vector<std::string> split_paragraphs(std::string_view normalized) {
  std::vector<std::string> paragraphs;
  size_t start = 0;
  while (start < normalized.size()) {
    size_t end = normalized.find("\n\n", start);
    if (end == std::string_view::npos) end = normalized.size();
    if (end > start) paragraphs.emplace_back(normalized.substr(start, end - start));
    start = end + 2;
  }
  return paragraphs;
}

std::string collapse_to_line(std::string_view normalized) {
  std::string out;
  bool space = false;
  for (char c : normalized) {
    if (c == ' ' || c == '\n' || c == '\t') {
      space = !out.empty();
      continue;
    }
    if (space) out.push_back(' ');
    space = false;
    out.push_back(c);
  }
  return out;
}

void normalize_document(Document& doc) {
  std::vector<Block> kept;
  for (auto& b : doc.blocks) {
    b.text = normalize_text(b.text, doc.source);
    for (auto& c : b.cells) c = collapse_to_line(normalize_text(c, doc.source));
    for (auto& h : b.header) h = collapse_to_line(normalize_text(h, doc.source));
    for (auto& s : b.section) s = collapse_to_line(normalize_text(s, doc.source));
    if (b.kind != BlockKind::kCode) b.text = collapse_to_line(b.text);
    if (!b.text.empty()) kept.push_back(std::move(b));
  }
  doc.blocks = std::move(kept);
  doc.title = collapse_to_line(normalize_text(doc.title, doc.source));
  doc.text = document_text(doc.blocks);
}

}  // namespace gemba::data
