#include "data/html-to-text.h"

#include <algorithm>
#include <cctype>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "core/utf8.h"

namespace gemba::data {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

const std::unordered_map<std::string, uint32_t>& named_entities() {
  static const std::unordered_map<std::string, uint32_t> table = {
      {"amp", '&'},       {"lt", '<'},         {"gt", '>'},         {"quot", '"'},       {"apos", '\''},
      {"nbsp", 0xA0},     {"ensp", 0x2002},    {"emsp", 0x2003},    {"thinsp", 0x2009},  {"copy", 0xA9},
      {"reg", 0xAE},      {"trade", 0x2122},   {"hellip", 0x2026},  {"mdash", 0x2014},   {"ndash", 0x2013},
      {"lsquo", 0x2018},  {"rsquo", 0x2019},   {"ldquo", 0x201C},   {"rdquo", 0x201D},   {"laquo", 0xAB},
      {"raquo", 0xBB},    {"times", 0xD7},     {"divide", 0xF7},    {"deg", 0xB0},       {"plusmn", 0xB1},
      {"micro", 0xB5},    {"middot", 0xB7},    {"bull", 0x2022},    {"para", 0xB6},      {"sect", 0xA7},
      {"yen", 0xA5},      {"euro", 0x20AC},    {"pound", 0xA3},     {"cent", 0xA2},      {"larr", 0x2190},
      {"rarr", 0x2192},   {"uarr", 0x2191},    {"darr", 0x2193},    {"harr", 0x2194},    {"rArr", 0x21D2},
      {"le", 0x2264},     {"ge", 0x2265},      {"ne", 0x2260},      {"asymp", 0x2248},   {"infin", 0x221E},
      {"minus", 0x2212},  {"sup2", 0xB2},      {"sup3", 0xB3},      {"frac12", 0xBD},    {"frac14", 0xBC},
      {"Omega", 0x3A9},   {"omega", 0x3C9},    {"mu", 0x3BC},       {"alpha", 0x3B1},    {"beta", 0x3B2},
      {"pi", 0x3C0},      {"Delta", 0x394},    {"theta", 0x3B8},    {"shy", 0xAD},       {"zwsp", 0x200B}};
  return table;
}

// Tags whose whole content is dropped.
bool is_dropped(const std::string& tag) {
  static const std::unordered_set<std::string> kDropped = {"script", "style", "head", "noscript", "template",
                                                           "svg", "iframe", "object", "canvas", "math"};
  return kDropped.count(tag) > 0;
}

// Tags that end a paragraph (blank line before and after).
bool is_paragraph_block(const std::string& tag) {
  static const std::unordered_set<std::string> kBlocks = {"p", "table", "ul", "ol", "dl", "blockquote", "pre",
                                                          "section", "article", "figure", "form", "address",
                                                          "main", "header", "footer", "nav", "aside", "details",
                                                          "hr", "fieldset", "h1", "h2", "h3", "h4", "h5", "h6"};
  return kBlocks.count(tag) > 0;
}

// Tags that end a line.
bool is_line_block(const std::string& tag) {
  static const std::unordered_set<std::string> kLines = {"div", "br", "li", "dt", "dd", "tr", "caption",
                                                         "figcaption", "summary", "legend", "option", "body",
                                                         "html", "thead", "tbody", "tfoot", "center"};
  return kLines.count(tag) > 0;
}

class TextBuilder {
 public:
  // Inline text: whitespace collapses to one space unless `preformatted`.
  void text(std::string_view s, bool preformatted) {
    for (char c : s) {
      if (preformatted) {
        if (c == '\n') {
          out_.push_back('\n');
          continue;
        }
        out_.push_back(c);
        continue;
      }
      if (c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == '\f') {
        if (!out_.empty() && out_.back() != ' ' && out_.back() != '\n') out_.push_back(' ');
        continue;
      }
      out_.push_back(c);
    }
  }
  void raw(std::string_view s) { out_.append(s); }
  // A separator such as " | ": trailing spaces before it are dropped.
  void separator(std::string_view s) {
    trim_trailing_spaces();
    out_.append(s);
  }
  void newline() {
    trim_trailing_spaces();
    if (!out_.empty() && out_.back() != '\n') out_.push_back('\n');
  }
  void paragraph_break() {
    newline();
    if (!out_.empty() && !ends_with("\n\n")) out_.push_back('\n');
  }
  bool at_line_start() const { return out_.empty() || out_.back() == '\n'; }
  std::string take() {
    while (!out_.empty() && (out_.back() == ' ' || out_.back() == '\n')) out_.pop_back();
    return std::move(out_);
  }

 private:
  bool ends_with(std::string_view s) const { return out_.size() >= s.size() && out_.compare(out_.size() - s.size(), s.size(), s) == 0; }
  void trim_trailing_spaces() {
    while (!out_.empty() && out_.back() == ' ') out_.pop_back();
  }
  std::string out_;
};

struct ListState {
  bool ordered = false;
  int counter = 0;
};

}  // namespace

std::string decode_html_entities(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    if (text[i] != '&') {
      out.push_back(text[i++]);
      continue;
    }
    size_t semi = text.find(';', i + 1);
    if (semi == std::string_view::npos || semi - i > 12) {
      out.push_back(text[i++]);
      continue;
    }
    std::string_view name = text.substr(i + 1, semi - i - 1);
    uint32_t cp = 0;
    bool ok = false;
    if (name.size() >= 2 && name[0] == '#') {
      bool hex = name[1] == 'x' || name[1] == 'X';
      std::string_view digits = name.substr(hex ? 2 : 1);
      ok = !digits.empty();
      uint64_t value = 0;
      for (char c : digits) {
        int d = std::isdigit(static_cast<unsigned char>(c)) ? c - '0'
                : hex && std::isxdigit(static_cast<unsigned char>(c)) ? std::tolower(static_cast<unsigned char>(c)) - 'a' + 10
                                                                   : -1;
        if (d < 0 || value > 0x10FFFF) {
          ok = false;
          break;
        }
        value = value * (hex ? 16 : 10) + static_cast<uint64_t>(d);
      }
      if (ok && (value == 0 || value > 0x10FFFF || (value >= 0xD800 && value <= 0xDFFF))) value = 0xFFFD;
      cp = static_cast<uint32_t>(value);
    } else {
      auto it = named_entities().find(std::string(name));
      if (it != named_entities().end()) {
        cp = it->second;
        ok = true;
      }
    }
    if (!ok) {
      out.push_back(text[i++]);
      continue;
    }
    utf8_append(out, cp);
    i = semi + 1;
  }
  return out;
}

std::string html_to_text(std::string_view html) {
  TextBuilder out;
  std::vector<ListState> lists;
  std::string dropping;  // the tag whose content is being skipped
  int pre_depth = 0;
  bool row_has_cell = false;
  size_t i = 0;
  auto flush_text = [&](size_t begin, size_t end) {
    if (!dropping.empty() || end <= begin) return;
    out.text(decode_html_entities(html.substr(begin, end - begin)), pre_depth > 0);
  };
  size_t text_start = 0;
  while (i < html.size()) {
    if (html[i] != '<') {
      ++i;
      continue;
    }
    // Comments, doctype, CDATA, processing instructions.
    if (html.compare(i, 4, "<!--") == 0) {
      flush_text(text_start, i);
      size_t end = html.find("-->", i + 4);
      i = end == std::string_view::npos ? html.size() : end + 3;
      text_start = i;
      continue;
    }
    if (html.compare(i, 9, "<![CDATA[") == 0) {
      flush_text(text_start, i);
      size_t end = html.find("]]>", i + 9);
      size_t stop = end == std::string_view::npos ? html.size() : end;
      if (dropping.empty()) out.text(html.substr(i + 9, stop - i - 9), pre_depth > 0);
      i = end == std::string_view::npos ? html.size() : end + 3;
      text_start = i;
      continue;
    }
    if (i + 1 < html.size() && (html[i + 1] == '!' || html[i + 1] == '?')) {
      flush_text(text_start, i);
      size_t end = html.find('>', i);
      i = end == std::string_view::npos ? html.size() : end + 1;
      text_start = i;
      continue;
    }
    // A tag needs a letter (or '/' and a letter) after '<'; otherwise '<' is text.
    size_t name_start = i + 1;
    bool closing = name_start < html.size() && html[name_start] == '/';
    if (closing) ++name_start;
    if (name_start >= html.size() || !std::isalpha(static_cast<unsigned char>(html[name_start]))) {
      ++i;
      continue;
    }
    flush_text(text_start, i);
    size_t name_end = name_start;
    while (name_end < html.size() && (std::isalnum(static_cast<unsigned char>(html[name_end])) || html[name_end] == '-' || html[name_end] == ':'))
      ++name_end;
    std::string tag = lower(html.substr(name_start, name_end - name_start));
    // Skip attributes, honouring quotes.
    size_t j = name_end;
    char quote = 0;
    bool self_closing = false;
    for (; j < html.size(); ++j) {
      char c = html[j];
      if (quote) {
        if (c == quote) quote = 0;
      } else if (c == '"' || c == '\'') {
        quote = c;
      } else if (c == '>') {
        self_closing = j > 0 && html[j - 1] == '/';
        break;
      }
    }
    i = j < html.size() ? j + 1 : html.size();
    text_start = i;

    if (!dropping.empty()) {
      if (closing && tag == dropping) dropping.clear();
      continue;
    }
    if (!closing && !self_closing && is_dropped(tag)) {
      dropping = tag;
      continue;
    }
    if (tag.size() == 2 && tag[0] == 'h' && tag[1] >= '1' && tag[1] <= '6') {
      out.paragraph_break();
      if (!closing) out.raw(std::string(static_cast<size_t>(tag[1] - '0'), '#') + " ");
      continue;
    }
    if (tag == "pre") {
      out.paragraph_break();
      pre_depth = std::max(0, pre_depth + (closing ? -1 : 1));
      continue;
    }
    if (tag == "ul" || tag == "ol") {
      if (!closing) lists.push_back({tag == "ol", 0});
      else if (!lists.empty()) lists.pop_back();
      if (lists.empty()) out.paragraph_break();
      else out.newline();
      continue;
    }
    if (tag == "li") {
      out.newline();
      if (!closing) {
        size_t depth = lists.empty() ? 0 : lists.size() - 1;
        out.raw(std::string(depth * 2, ' '));
        if (!lists.empty() && lists.back().ordered) out.raw(std::to_string(++lists.back().counter) + ". ");
        else out.raw("- ");
      }
      continue;
    }
    if (tag == "tr") {
      out.newline();
      row_has_cell = false;
      continue;
    }
    if (tag == "td" || tag == "th") {
      if (!closing) {
        if (row_has_cell) out.separator(" | ");
        row_has_cell = true;
      }
      continue;
    }
    if (tag == "br") {
      out.newline();
      continue;
    }
    if (is_paragraph_block(tag)) {
      out.paragraph_break();
      continue;
    }
    if (is_line_block(tag)) {
      out.newline();
      continue;
    }
    // Inline tags (a, b, span, img, ...) contribute nothing themselves.
  }
  flush_text(text_start, html.size());
  return out.take();
}

}  // namespace gemba::data
