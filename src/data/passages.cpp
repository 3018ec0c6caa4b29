#include "data/passages.h"

#include <algorithm>

#include "core/utf8.h"
#include "data/document-text.h"
#include "core/sentences.h"

namespace gemba::data {
namespace passage_rules {  // named: the data layer is a unity build

size_t chars(const std::string& s) { return utf8_code_points(s); }

Passage start(const Document& doc, const Block& b, const std::string& kind) {
  Passage p;
  p.doc = doc.id;
  p.source = doc.source;
  p.title = doc.title;
  p.section = b.section;
  p.kind = kind;
  p.line = b.line;
  p.page = b.page;
  return p;
}

// A key line of a config listing: "#baud: 250000", "MAX_VELOCITY = 5", "serial:".
bool is_key_line(const std::string& line) {
  size_t i = line.find_first_not_of(" \t");
  if (i == std::string::npos) return false;
  if (line[i] == '#' || line[i] == ';') {
    // "#baud: 250000" is a commented-out key; "#   The baud rate..." is a comment.
    if (i + 1 < line.size() && (line[i + 1] == ' ' || line[i + 1] == '\t')) return false;
    ++i;
  }
  size_t j = i;
  while (j < line.size() && (std::isalnum(static_cast<unsigned char>(line[j])) || line[j] == '_' || line[j] == '.' || line[j] == '-'))
    ++j;
  if (j == i || !std::isalpha(static_cast<unsigned char>(line[i]))) return false;
  size_t k = line.find_first_not_of(" \t", j);
  return k != std::string::npos && (line[k] == ':' || line[k] == '=');
}

std::vector<std::string> lines_of(const std::string& text) {
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

// A listing cut into entries (one per key line, comments below it attached) or, when it has
// fewer than two key lines, into parts of at most `max_chars`.
std::vector<std::pair<int, std::string>> listing_parts(const std::string& code, size_t max_chars) {
  std::vector<std::string> lines = lines_of(code);
  size_t keys = 0;
  for (const auto& l : lines) keys += is_key_line(l);
  std::vector<std::pair<int, std::string>> parts;  // (line offset, text)
  bool part_has_key = false;  // lines before the first key ("[servo]") head the first entry
  auto add_line = [&](size_t i, bool new_part) {
    if (new_part || parts.empty()) parts.push_back({static_cast<int>(i), ""}), part_has_key = false;
    else parts.back().second += "\n";
    parts.back().second += lines[i];
  };
  for (size_t i = 0; i < lines.size(); ++i) {
    bool blank = lines[i].find_first_not_of(" \t") == std::string::npos;
    if (blank) {
      if (keys < 2 && !parts.empty() && chars(parts.back().second) > max_chars / 2) parts.push_back({static_cast<int>(i + 1), ""});
      continue;
    }
    const bool key = is_key_line(lines[i]);
    bool cut = keys >= 2 ? key && part_has_key : (!parts.empty() && chars(parts.back().second) + chars(lines[i]) > max_chars);
    add_line(i, cut);
    part_has_key = part_has_key || key;
  }
  std::vector<std::pair<int, std::string>> kept;
  for (auto& p : parts)
    if (!p.second.empty()) kept.push_back(std::move(p));
  return kept;
}

// A long paragraph cut at sentence ends into parts of at most max_chars (a sentence longer
// than that is a part of its own).
std::vector<std::string> prose_parts(const std::string& text, size_t max_chars) {
  if (chars(text) <= max_chars) return {text};
  std::vector<std::string> parts;
  for (const auto& sentence : split_sentences(text)) {
    if (!parts.empty() && chars(parts.back()) + 1 + chars(sentence) <= max_chars) parts.back() += " " + sentence;
    else parts.push_back(sentence);
  }
  return parts;
}

}  // namespace passage_rules

std::vector<Passage> document_passages(const Document& doc, const PassageOptions& options) {
  using namespace passage_rules;
  std::vector<Passage> out;
  auto add = [&](Passage p) {
    if (p.text.empty()) return;
    p.id = doc.id + "#" + std::to_string(out.size() + 1);
    out.push_back(std::move(p));
  };
  const std::vector<Block>& blocks = doc.blocks;
  // The last source line of block i: the line before the next block that has one, else its own
  // line plus the lines of its text.
  auto end_line = [&](size_t i) {
    if (blocks[i].line <= 0) return 0;
    for (size_t j = i + 1; j < blocks.size(); ++j)
      if (blocks[j].line > blocks[i].line) return blocks[j].line - 1;
    return blocks[i].line + static_cast<int>(std::count(blocks[i].text.begin(), blocks[i].text.end(), '\n'));
  };
  for (size_t i = 0; i < blocks.size(); ++i) {
    const Block& b = blocks[i];
    switch (b.kind) {
      case BlockKind::kHeading: break;
      case BlockKind::kParagraph:
      case BlockKind::kNote: {
        // A paragraph that introduces a list ("The choices are:") travels with the list.
        if (b.kind == BlockKind::kParagraph && !b.text.empty() && b.text.back() == ':' && i + 1 < blocks.size() &&
            blocks[i + 1].kind == BlockKind::kListItem && chars(b.text) < options.max_chars / 2)
          break;
        for (const auto& part : prose_parts(block_training_text(b), options.max_chars)) {
          Passage p = start(doc, b, b.kind == BlockKind::kNote ? "note" : "paragraph");
          p.end_line = end_line(i);
          p.text = part;
          add(std::move(p));
        }
        break;
      }
      case BlockKind::kListItem: {
        const Block* intro = i > 0 && blocks[i - 1].kind == BlockKind::kParagraph && !blocks[i - 1].text.empty() &&
                                     blocks[i - 1].text.back() == ':' && chars(blocks[i - 1].text) < options.max_chars / 2
                                 ? &blocks[i - 1]
                                 : nullptr;
        Passage p = start(doc, intro ? *intro : b, "list");
        p.text = intro ? intro->text : "";
        size_t j = i;
        for (; j < blocks.size() && blocks[j].kind == BlockKind::kListItem; ++j) {
          std::string item = block_training_text(blocks[j]);
          if (!p.text.empty() && chars(p.text) + 1 + chars(item) > options.max_chars) {
            add(p);
            p = start(doc, blocks[j], "list");
            p.text.clear();
          }
          if (!p.text.empty()) p.text += "\n";
          p.text += item;
          p.end_line = end_line(j);
        }
        add(std::move(p));
        i = j - 1;
        break;
      }
      case BlockKind::kTableRow: {
        Passage p = start(doc, b, "table-row");
        p.end_line = b.line;
        p.text = b.text;
        add(std::move(p));
        break;
      }
      case BlockKind::kCode:
        for (auto& [offset, text] : listing_parts(b.text, options.max_chars)) {
          Passage p = start(doc, b, "code");
          if (p.line > 0) {
            p.line += offset;
            p.end_line = p.line + static_cast<int>(std::count(text.begin(), text.end(), '\n'));
          }
          p.text = std::move(text);
          add(std::move(p));
        }
        break;
    }
  }
  return out;
}

Passage faq_passage(const FaqPair& pair, const std::string& file, int line) {
  Passage p;
  p.id = pair.id;
  p.doc = file;
  p.source = file;
  p.section = {"FAQ"};
  p.kind = "faq";
  p.text = "Q: " + pair.question + "\nA: " + pair.answer;
  p.line = line;
  return p;
}

}  // namespace gemba::data
