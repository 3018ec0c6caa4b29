#include "data/readers/html-reader.h"

#include <libxml/HTMLparser.h>
#include <libxml/tree.h>

#include <cstdint>
#include <cstdlib>
#include <memory>

#include "data/readers/block-builder.h"

namespace gemba::data {
namespace {

// Deeper element nesting is read as flat text: a hostile file cannot exhaust the stack.
constexpr int kMaxDepth = 200;

struct DocDeleter {
  void operator()(xmlDoc* d) const { xmlFreeDoc(d); }
};

std::string name_of(const xmlNode* n) { return n->name ? reinterpret_cast<const char*>(n->name) : ""; }

bool is_one_of(const std::string& name, std::initializer_list<const char*> names) {
  for (const char* n : names)
    if (name == n) return true;
  return false;
}

bool is_skipped(const std::string& name) {
  return is_one_of(name, {"script", "style", "head", "noscript", "template", "svg", "nav", "button", "select", "iframe", "object"});
}

bool is_block(const std::string& name) {
  return is_one_of(name, {"p", "div", "section", "article", "main", "body", "html", "header", "footer", "aside", "blockquote",
                          "pre", "ul", "ol", "li", "dl", "dt", "dd", "table", "thead", "tbody", "tfoot", "tr", "td", "th",
                          "h1", "h2", "h3", "h4", "h5", "h6", "figure", "figcaption", "form", "fieldset", "hr", "address",
                          "details", "summary", "caption", "center"});
}

std::string attribute(const xmlNode* n, const char* name) {
  xmlChar* v = xmlGetProp(n, reinterpret_cast<const xmlChar*>(name));
  if (!v) return "";
  std::string s(reinterpret_cast<const char*>(v));
  xmlFree(v);
  return s;
}

// The text of an element's subtree: <br> is a line break, skipped elements are dropped.
// Source newlines are kept as '\n' for join_wrapped_lines (no space between two CJK chars).
void collect_text(const xmlNode* node, std::string& out, int depth) {
  for (const xmlNode* c = node->children; c; c = c->next) {
    if (c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) {
      if (c->content) out += reinterpret_cast<const char*>(c->content);
    } else if (c->type == XML_ELEMENT_NODE) {
      std::string name = name_of(c);
      if (is_skipped(name)) continue;
      if (name == "br") {
        out.push_back('\n');
        continue;
      }
      if (depth < kMaxDepth) collect_text(c, out, depth + 1);
    }
  }
}

std::string element_text(const xmlNode* node) {
  std::string raw;
  collect_text(node, raw, 0);
  return join_wrapped_lines(split_lines(raw));
}

std::string pre_text(const xmlNode* node) {
  std::string raw;
  collect_text(node, raw, 0);
  return raw;
}

class HtmlWalker {
 public:
  explicit HtmlWalker(BlockBuilder& out) : out_(out) {}

  // Reads a container's children; inline content between block children becomes paragraphs.
  void container(const xmlNode* node, int depth) {
    std::string inline_buffer;
    int inline_line = 0;
    auto flush = [&] {
      std::string text = join_wrapped_lines(split_lines(inline_buffer));
      if (!text.empty()) emit_paragraph(text, inline_line);
      inline_buffer.clear();
      inline_line = 0;
    };
    for (const xmlNode* c = node->children; c; c = c->next) {
      if (c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) {
        if (c->content) {
          if (!inline_line) inline_line = static_cast<int>(xmlGetLineNo(c));
          inline_buffer += reinterpret_cast<const char*>(c->content);
        }
        continue;
      }
      if (c->type != XML_ELEMENT_NODE) continue;
      std::string name = name_of(c);
      if (is_skipped(name)) continue;
      if (name == "br") {
        inline_buffer.push_back('\n');
        continue;
      }
      if (!is_block(name) || depth >= kMaxDepth) {
        if (!inline_line) inline_line = static_cast<int>(xmlGetLineNo(c));
        collect_text(c, inline_buffer, depth);
        continue;
      }
      flush();
      block(c, name, depth + 1);
    }
    flush();
  }

 private:
  void emit_paragraph(const std::string& text, int line) {
    if (note_depth_ > 0) out_.note(note_label_, text, line);
    else if (item_depth_ > 0) out_.list_item(text, item_depth_, line);
    else out_.paragraph(text, line);
  }

  static int line_of(const xmlNode* n) { return static_cast<int>(xmlGetLineNo(n)); }

  void block(const xmlNode* n, const std::string& name, int depth) {
    if (name.size() == 2 && name[0] == 'h' && name[1] >= '1' && name[1] <= '6') {
      out_.heading(name[1] - '0', element_text(n), line_of(n));
    } else if (name == "pre") {
      out_.code(pre_text(n), attribute(n, "class"), line_of(n));
    } else if (name == "ul" || name == "ol") {
      ++list_depth_;
      for (const xmlNode* c = n->children; c; c = c->next)
        if (c->type == XML_ELEMENT_NODE && name_of(c) == "li") list_item(c, depth);
      --list_depth_;
    } else if (name == "li") {
      list_item(n, depth);
    } else if (name == "dl") {
      definition_list(n);
    } else if (name == "table") {
      table(n);
    } else if (name == "blockquote" || name == "aside" || is_admonition(n)) {
      ++note_depth_;
      std::string saved = note_label_;
      note_label_ = admonition_label(n);
      container(n, depth);
      note_label_ = saved;
      --note_depth_;
    } else if (name == "hr") {
    } else {
      container(n, depth);
    }
  }

  void list_item(const xmlNode* li, int depth) {
    int saved = item_depth_;
    item_depth_ = list_depth_ < 1 ? 1 : list_depth_;
    container(li, depth);
    item_depth_ = saved;
  }

  void definition_list(const xmlNode* dl) {
    std::string term;
    for (const xmlNode* c = dl->children; c; c = c->next) {
      if (c->type != XML_ELEMENT_NODE) continue;
      std::string name = name_of(c);
      if (name == "dt") {
        term = element_text(c);
      } else if (name == "dd") {
        std::string text = element_text(c);
        out_.list_item(term.empty() ? text : term + ": " + text, 1, line_of(c));
      }
    }
  }

  // Rows of th cells before the first td row are the header.
  void table(const xmlNode* t) {
    std::vector<std::string> header;
    std::vector<std::vector<std::string>> rows;
    std::vector<int> lines;
    std::vector<const xmlNode*> trs;  // in document order, outside nested tables
    for (const xmlNode* c = t->children; c; c = c->next) {
      if (c->type != XML_ELEMENT_NODE) continue;
      std::string name = name_of(c);
      if (name == "tr") trs.push_back(c);
      if (name == "thead" || name == "tbody" || name == "tfoot")
        for (const xmlNode* r = c->children; r; r = r->next)
          if (r->type == XML_ELEMENT_NODE && name_of(r) == "tr") trs.push_back(r);
    }
    for (const xmlNode* tr : trs) {
      std::vector<std::string> cells;
      bool all_th = true;
      for (const xmlNode* c = tr->children; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE) continue;
        std::string name = name_of(c);
        if (name != "td" && name != "th") continue;
        all_th = all_th && name == "th";
        cells.push_back(element_text(c));
        int span = std::atoi(attribute(c, "colspan").c_str());
        for (int s = 1; s < span && s < 64; ++s) cells.push_back("");
      }
      if (cells.empty()) continue;
      if (all_th && rows.empty() && header.empty()) header = std::move(cells);
      else rows.push_back(std::move(cells)), lines.push_back(line_of(tr));
    }
    out_.table(header, rows, lines);
  }

  static bool is_admonition(const xmlNode* n) {
    std::string cls = attribute(n, "class");
    return cls.find("admonition") != std::string::npos || cls.find("note") != std::string::npos ||
           cls.find("warning") != std::string::npos || cls.find("caution") != std::string::npos;
  }

  static std::string admonition_label(const xmlNode* n) {
    std::string cls = attribute(n, "class");
    for (const char* label : {"note", "tip", "important", "warning", "caution"})
      if (cls.find(label) != std::string::npos) {
        std::string l(label);
        l[0] = static_cast<char>(l[0] - 'a' + 'A');
        return l;
      }
    return "";
  }

  BlockBuilder& out_;
  int list_depth_ = 0;
  int item_depth_ = 0;
  int note_depth_ = 0;
  std::string note_label_;
};

}  // namespace

std::vector<Block> read_html(std::string_view html) {
  if (html.size() > static_cast<size_t>(INT32_MAX)) return {};  // libxml2 takes an int length
  const int options = HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING | HTML_PARSE_NONET | HTML_PARSE_NOBLANKS;
  std::unique_ptr<xmlDoc, DocDeleter> doc(
      htmlReadMemory(html.data(), static_cast<int>(html.size()), nullptr, "UTF-8", options));
  BlockBuilder out;
  if (!doc) return {};
  HtmlWalker(out).container(reinterpret_cast<const xmlNode*>(doc.get()), 0);
  return out.take_blocks();
}

}  // namespace gemba::data
