#include "data/readers/markdown-reader.h"

#include <cmark-gfm-core-extensions.h>
#include <cmark-gfm.h>

#include <cstring>
#include <memory>
#include <mutex>

#include "data/readers/block-builder.h"

namespace gemba::data {
namespace {

struct NodeDeleter {
  void operator()(cmark_node* n) const { cmark_node_free(n); }
};
struct ParserDeleter {
  void operator()(cmark_parser* p) const { cmark_parser_free(p); }
};
struct IterDeleter {
  void operator()(cmark_iter* i) const { cmark_iter_free(i); }
};

bool is_type(cmark_node* node, const char* name) {
  const char* t = cmark_node_get_type_string(node);
  return t && std::strcmp(t, name) == 0;
}

// Raw HTML inside Markdown: the text between tags; a tag is a soft break ('\n'), which
// join_wrapped_lines turns into a space, or nothing next to Japanese.
std::string strip_tags(std::string_view html) {
  std::string out;
  bool in_tag = false;
  for (char c : html) {
    if (c == '<') in_tag = true;
    else if (c == '>' && in_tag) {
      in_tag = false;
      out.push_back('\n');
    } else if (!in_tag) out.push_back(c);
  }
  return out;
}

// The lines of an inline subtree; soft and hard line breaks end a line.
std::vector<std::string> inline_lines(cmark_node* root);

// The text of an inline subtree, its lines joined (a space, or nothing next to Japanese).
std::string inline_text(cmark_node* root);

// "Q. ..." / "A: ..." / "Q：..." at the start of a line: a question or answer of a Q&A list,
// which manuals write as consecutive lines of one paragraph.
bool starts_qa_line(const std::string& line) {
  if (line.size() < 2 || (line[0] != 'Q' && line[0] != 'A')) return false;
  return line[1] == '.' || line[1] == ':' || line.compare(1, 3, "\xEF\xBC\x9A") == 0 || line.compare(1, 3, "\xEF\xBC\x8E") == 0;
}

// A paragraph's lines, cut before every Q&A line, so a question and its answer are blocks of
// their own: (line offset in the paragraph, text).
std::vector<std::pair<int, std::string>> qa_parts(cmark_node* paragraph) {
  std::vector<std::pair<int, std::string>> parts;
  std::vector<std::string> current;
  int first = 0, index = 0;
  for (auto& line : inline_lines(paragraph)) {
    if (starts_qa_line(line) && !current.empty()) {
      parts.emplace_back(first, join_wrapped_lines(current));
      current.clear();
      first = index;
    }
    current.push_back(std::move(line));
    ++index;
  }
  if (!current.empty()) parts.emplace_back(first, join_wrapped_lines(current));
  return parts;
}

std::vector<std::string> inline_lines(cmark_node* root) {
  std::string out;
  std::unique_ptr<cmark_iter, IterDeleter> it(cmark_iter_new(root));
  cmark_event_type ev;
  while ((ev = cmark_iter_next(it.get())) != CMARK_EVENT_DONE) {
    if (ev != CMARK_EVENT_ENTER) continue;
    cmark_node* n = cmark_iter_get_node(it.get());
    switch (cmark_node_get_type(n)) {
      case CMARK_NODE_TEXT:
      case CMARK_NODE_CODE:
        if (const char* s = cmark_node_get_literal(n)) out += s;
        break;
      case CMARK_NODE_SOFTBREAK:
      case CMARK_NODE_LINEBREAK: out.push_back('\n'); break;
      case CMARK_NODE_HTML_INLINE:
        if (const char* s = cmark_node_get_literal(n)) out += strip_tags(s);
        break;
      default: break;
    }
  }
  return split_lines(out);
}

std::string inline_text(cmark_node* root) { return join_wrapped_lines(inline_lines(root)); }

// "**Note:** text" / "**Tip**: text" at the start of a quote: the admonition's label.
std::string take_note_label(cmark_node* paragraph, std::string& text) {
  cmark_node* first = cmark_node_first_child(paragraph);
  if (!first || cmark_node_get_type(first) != CMARK_NODE_STRONG) return "";
  std::string label = inline_text(first);
  while (!label.empty() && (label.back() == ':' || label.back() == ' ')) label.pop_back();
  if (label.empty() || label.size() > 20 || text.rfind(label, 0) != 0) return "";
  text.erase(0, label.size());
  size_t skip = text.find_first_not_of(": ");
  text.erase(0, skip == std::string::npos ? text.size() : skip);
  return label;
}

class MarkdownWalker {
 public:
  explicit MarkdownWalker(BlockBuilder& out) : out_(out) {}

  // Walks the block structure iteratively (cmark's own iterator: no recursion, so a hostile
  // file nested thousands of levels deep cannot exhaust the stack).
  void walk(cmark_node* document) {
    std::unique_ptr<cmark_iter, IterDeleter> it(cmark_iter_new(document));
    cmark_event_type ev;
    while ((ev = cmark_iter_next(it.get())) != CMARK_EVENT_DONE) {
      cmark_node* n = cmark_iter_get_node(it.get());
      const bool enter = ev == CMARK_EVENT_ENTER;
      switch (cmark_node_get_type(n)) {
        case CMARK_NODE_LIST: list_depth_ += enter ? 1 : -1; break;
        case CMARK_NODE_BLOCK_QUOTE: quote_depth_ += enter ? 1 : -1; break;
        case CMARK_NODE_ITEM:
          if (enter) item_open_ = true;
          break;
        case CMARK_NODE_HEADING:
          if (enter) {
            out_.heading(cmark_node_get_heading_level(n), inline_text(n), cmark_node_get_start_line(n));
            cmark_iter_reset(it.get(), n, CMARK_EVENT_EXIT);
          }
          break;
        case CMARK_NODE_PARAGRAPH:
          if (enter) {
            paragraph(n);
            cmark_iter_reset(it.get(), n, CMARK_EVENT_EXIT);
          }
          break;
        case CMARK_NODE_CODE_BLOCK:
          if (enter) out_.code(literal(n), info(n), cmark_node_get_start_line(n) + (is_fenced(n) ? 1 : 0));
          break;
        case CMARK_NODE_HTML_BLOCK:
          if (enter) out_.paragraph(join_wrapped_lines(split_lines(strip_tags(literal(n)))), cmark_node_get_start_line(n));
          break;
        default:
          if (enter && is_type(n, "table")) {
            table(n);
            cmark_iter_reset(it.get(), n, CMARK_EVENT_EXIT);
          }
          break;
      }
    }
  }

 private:
  static std::string literal(cmark_node* n) {
    const char* s = cmark_node_get_literal(n);
    return s ? s : "";
  }
  static bool is_fenced(cmark_node* n) {
    int length = 0, offset = 0;
    char character = 0;
    return cmark_node_get_fenced(n, &length, &offset, &character) != 0;
  }
  static std::string info(cmark_node* n) {
    const char* s = cmark_node_get_fence_info(n);
    return s ? s : "";
  }

  void paragraph(cmark_node* n) {
    std::string text = inline_text(n);
    const int line = cmark_node_get_start_line(n);
    // The first paragraph of a list item is the item; later ones continue it as paragraphs.
    if (list_depth_ > 0 && item_open_ && cmark_node_get_type(cmark_node_parent(n)) == CMARK_NODE_ITEM) {
      item_open_ = false;
      out_.list_item(text, list_depth_, line);
    } else if (quote_depth_ > 0) {
      std::string label = take_note_label(n, text);
      out_.note(label, text, line);
    } else {
      for (const auto& [offset, part] : qa_parts(n)) out_.paragraph(part, line + offset);
    }
  }

  void table(cmark_node* t) {
    std::vector<std::string> header;
    std::vector<std::vector<std::string>> rows;
    std::vector<int> lines;
    for (cmark_node* row = cmark_node_first_child(t); row; row = cmark_node_next(row)) {
      std::vector<std::string> cells;
      for (cmark_node* cell = cmark_node_first_child(row); cell; cell = cmark_node_next(cell)) cells.push_back(inline_text(cell));
      if (cmark_gfm_extensions_get_table_row_is_header(row)) {
        header = std::move(cells);
      } else {
        rows.push_back(std::move(cells));
        lines.push_back(cmark_node_get_start_line(row));
      }
    }
    out_.table(header, rows, lines);
  }

  BlockBuilder& out_;
  int list_depth_ = 0;
  int quote_depth_ = 0;
  bool item_open_ = false;
};

}  // namespace

std::vector<Block> read_markdown(std::string_view text) {
  static std::once_flag registered;
  std::call_once(registered, [] { cmark_gfm_core_extensions_ensure_registered(); });
  std::unique_ptr<cmark_parser, ParserDeleter> parser(cmark_parser_new(CMARK_OPT_DEFAULT));
  if (cmark_syntax_extension* table = cmark_find_syntax_extension("table"))
    cmark_parser_attach_syntax_extension(parser.get(), table);
  if (cmark_syntax_extension* strike = cmark_find_syntax_extension("strikethrough"))
    cmark_parser_attach_syntax_extension(parser.get(), strike);
  cmark_parser_feed(parser.get(), text.data(), text.size());
  std::unique_ptr<cmark_node, NodeDeleter> document(cmark_parser_finish(parser.get()));
  BlockBuilder out;
  MarkdownWalker(out).walk(document.get());
  return out.take_blocks();
}

}  // namespace gemba::data
