#include "data/readers/asciidoc-reader.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <optional>
#include <string>

#include "core/log.h"
#include "data/readers/block-builder.h"

namespace gemba::data {
namespace {

using Attributes = std::map<std::string, std::string>;

constexpr int kMaxNesting = 16;  // delimited blocks inside blocks; deeper ones read as text

bool is_blank(std::string_view s) { return s.find_first_not_of(" \t") == std::string_view::npos; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

bool is_word_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || (c & 0x80); }

// Built-in attribute references asciidoctor resolves in any document.
const Attributes& builtin_attributes() {
  static const Attributes a = {{"nbsp", " "}, {"sp", " "}, {"empty", ""}, {"zwsp", ""}, {"plus", "+"}, {"amp", "&"},
                               {"lt", "<"}, {"gt", ">"}, {"startsb", "["}, {"endsb", "]"}, {"vbar", "|"}, {"caret", "^"},
                               {"asterisk", "*"}, {"tilde", "~"}, {"apostrophe", "'"}, {"backslash", "\\"},
                               {"backtick", "`"}, {"two-colons", "::"}, {"two-semicolons", ";;"}, {"cpp", "C++"},
                               {"deg", "°"}, {"quot", "\""}, {"ldquo", "“"}, {"rdquo", "”"}};
  return a;
}

// ---- inline markup -------------------------------------------------------------------------

// {name} -> its value where the name is defined; unknown references stay as written.
std::string substitute_attributes(std::string_view s, const Attributes& attributes) {
  std::string out;
  size_t i = 0;
  while (i < s.size()) {
    if (s[i] == '{') {
      size_t close = s.find('}', i + 1);
      if (close != std::string_view::npos && close - i <= 64) {
        std::string name(s.substr(i + 1, close - i - 1));
        auto it = attributes.find(name);
        auto builtin = builtin_attributes().find(name);
        if (it != attributes.end() || builtin != builtin_attributes().end()) {
          out += it != attributes.end() ? it->second : builtin->second;
          i = close + 1;
          continue;
        }
      }
    }
    out.push_back(s[i++]);
  }
  return out;
}

// Removes "(((a,b)))" index entries and unwraps "((term))" visible index terms.
std::string strip_index_terms(std::string_view s) {
  std::string out;
  size_t i = 0;
  while (i < s.size()) {
    if (starts_with(s.substr(i), "(((")) {
      size_t close = s.find(")))", i + 3);
      if (close != std::string_view::npos) {
        i = close + 3;
        continue;
      }
    }
    if (starts_with(s.substr(i), "((")) {
      size_t close = s.find("))", i + 2);
      if (close != std::string_view::npos) {
        out += s.substr(i + 2, close - i - 2);
        i = close + 2;
        continue;
      }
    }
    out.push_back(s[i++]);
  }
  return out;
}

// A macro "name:target[text]": returns the text to show, or nullopt when `s` at `i` holds none.
// `end` is set past the macro.
std::optional<std::string> read_macro(std::string_view s, size_t i, size_t& end) {
  static const char* const kNames[] = {"https://", "http://", "ftp://", "mailto:", "link:", "xref:", "image:", "kbd:", "btn:",
                                       "menu:", "footnote:", "pass:", "anchor:", "icon:", "indexterm:", "indexterm2:"};
  if (i > 0 && is_word_char(s[i - 1])) return std::nullopt;
  for (const char* name : kNames) {
    std::string_view n(name);
    if (!starts_with(s.substr(i), n)) continue;
    size_t open = i + n.size();
    while (open < s.size() && s[open] != '[' && s[open] != ' ' && s[open] != '\t') ++open;
    if (open >= s.size() || s[open] != '[') {
      if (n.back() == '/' ) {  // a bare URL: keep it
        end = open;
        return std::string(s.substr(i, open - i));
      }
      return std::nullopt;
    }
    size_t close = s.find(']', open + 1);
    if (close == std::string_view::npos) return std::nullopt;
    std::string target(s.substr(i + n.size(), open - i - n.size()));
    std::string text(s.substr(open + 1, close - open - 1));
    // Attribute lists ("text,window=_blank", "alt,width=10"): the first positional entry.
    if (size_t comma = text.find(','); comma != std::string::npos && n != "footnote:" && n != "pass:" && n != "kbd:")
      if (text.find('=', comma) != std::string::npos) text.erase(comma);
    if (!text.empty() && text.front() == '"' && text.back() == '"' && text.size() >= 2) text = text.substr(1, text.size() - 2);
    end = close + 1;
    if (n == "anchor:" || n == "icon:" || n == "indexterm:") return std::string();
    if (n == "footnote:") return text.empty() ? std::string() : " (" + text + ")";
    if (n == "menu:") return text.empty() ? target : target + " > " + text;
    if (n == "image:") return text;
    if (text.empty()) {
      if (n == "xref:") {
        size_t hash = target.find('#');
        return hash == std::string::npos ? target : target.substr(hash + 1);
      }
      return n.back() == '/' || n == "mailto:" ? std::string(s.substr(i, open - i)) : target;
    }
    return text;
  }
  return std::nullopt;
}

// Unwraps constrained formatting pairs: *bold*, _italic_, `mono`, +passthrough+, #mark#, also
// doubled (**bold**). A mark opens after a non-word character and closes before one.
std::string strip_formatting(std::string_view s) {
  std::string out;
  size_t i = 0;
  auto opens = [&](size_t at) { return at == 0 || !is_word_char(s[at - 1]); };
  while (i < s.size()) {
    char c = s[i];
    if (c == '\\' && i + 1 < s.size() && std::string_view("*_`+#").find(s[i + 1]) != std::string_view::npos) {
      out.push_back(s[i + 1]);
      i += 2;
      continue;
    }
    if (std::string_view("*_`+#").find(c) != std::string_view::npos) {
      size_t width = (i + 1 < s.size() && s[i + 1] == c) ? 2 : 1;
      std::string mark(width, c);
      bool unconstrained = width == 2;
      if ((unconstrained || opens(i)) && i + width < s.size() && s[i + width] != ' ') {
        size_t close = s.find(mark, i + width);
        while (close != std::string_view::npos && !unconstrained && close + 1 < s.size() && is_word_char(s[close + 1]))
          close = s.find(mark, close + 1);
        if (close != std::string_view::npos && close > i + width && s[close - 1] != ' ') {
          std::string_view inner = s.substr(i + width, close - i - width);
          // `+text+` is literal monospace: its plus signs are markup too.
          if (c == '`' && inner.size() >= 2 && inner.front() == '+' && inner.back() == '+') inner = inner.substr(1, inner.size() - 2);
          out += (c == '`' || c == '+') ? std::string(inner) : strip_formatting(inner);
          i = close + width;
          continue;
        }
      }
    }
    out.push_back(c);
    ++i;
  }
  return out;
}

// "[.role]#text#" and "[[anchor]]": the bracketed attribute part goes.
std::string strip_inline_anchors(std::string_view s) {
  std::string out;
  size_t i = 0;
  while (i < s.size()) {
    if (starts_with(s.substr(i), "[[")) {
      size_t close = s.find("]]", i + 2);
      if (close != std::string_view::npos && close - i < 200) {
        i = close + 2;
        continue;
      }
    }
    if (starts_with(s.substr(i), "[.") || starts_with(s.substr(i), "[#")) {
      size_t close = s.find(']', i);
      if (close != std::string_view::npos && close + 1 < s.size() && s[close + 1] == '#') {
        i = close + 1;
        continue;
      }
    }
    out.push_back(s[i++]);
  }
  return out;
}

// "<<id,text>>" -> text; "<<id>>" -> id.
std::string replace_cross_references(std::string_view s) {
  std::string out;
  size_t i = 0;
  while (i < s.size()) {
    if (starts_with(s.substr(i), "<<")) {
      size_t close = s.find(">>", i + 2);
      if (close != std::string_view::npos && close - i < 300) {
        std::string_view inner = s.substr(i + 2, close - i - 2);
        size_t comma = inner.find(',');
        out += trim(comma == std::string_view::npos ? inner : inner.substr(comma + 1));
        i = close + 2;
        continue;
      }
    }
    out.push_back(s[i++]);
  }
  return out;
}

std::string inline_text(std::string_view s, const Attributes& attributes) {
  std::string a = substitute_attributes(s, attributes);
  a = strip_index_terms(a);
  a = strip_inline_anchors(a);
  a = replace_cross_references(a);
  std::string macros;
  for (size_t i = 0; i < a.size();) {
    size_t end = 0;
    if (std::isalpha(static_cast<unsigned char>(a[i])))
      if (auto text = read_macro(a, i, end)) {
        macros += *text;
        i = end;
        continue;
      }
    macros.push_back(a[i++]);
  }
  return strip_formatting(macros);
}

// ---- block structure -----------------------------------------------------------------------

struct PendingAttributes {
  std::string style;  // "source", "NOTE", "quote", ... (the first positional attribute)
  std::string language;
  std::string title;  // a ".Title" line
  bool header = false;
  int columns = 0;    // from cols="..."
  std::string format; // "csv", "dsv", "psv"
};

int count_cols(std::string_view spec) {
  int n = 0;
  size_t start = 0;
  while (start <= spec.size()) {
    size_t comma = spec.find(',', start);
    std::string_view entry = trim(spec.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start));
    size_t star = entry.find('*');
    if (star != std::string_view::npos && star > 0 && std::all_of(entry.begin(), entry.begin() + star, ::isdigit))
      n += std::stoi(std::string(entry.substr(0, star)));
    else if (!entry.empty()) ++n;
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  if (n == 0 && !spec.empty() && std::all_of(spec.begin(), spec.end(), ::isdigit)) n = std::stoi(std::string(spec));
  return n;
}

// "[source,ini]", "[NOTE]", "[cols=\"1,2\",options=\"header\"]", "[%header]".
PendingAttributes parse_attribute_line(std::string_view inner, PendingAttributes p) {
  std::vector<std::string> parts;
  std::string cur;
  bool quoted = false;
  for (char c : inner) {
    if (c == '"') quoted = !quoted;
    if (c == ',' && !quoted) {
      parts.push_back(std::string(trim(cur)));
      cur.clear();
    } else {
      cur.push_back(c);
    }
  }
  parts.push_back(std::string(trim(cur)));
  for (size_t k = 0; k < parts.size(); ++k) {
    std::string part = parts[k];
    size_t eq = part.find('=');
    if (eq == std::string::npos) {
      if (k == 0) {
        // "%header" options, "#id" / ".role" shorthands on the style.
        for (size_t pct = part.find('%'); pct != std::string::npos; pct = part.find('%', pct + 1))
          if (part.compare(pct + 1, 6, "header") == 0) p.header = true;
        std::string style = part.substr(0, part.find_first_of("%#."));
        if (!style.empty()) p.style = style;
      } else if (k == 1 && (p.style == "source" || p.style == "listing")) {
        p.language = part;
      }
      continue;
    }
    std::string key(trim(std::string_view(part).substr(0, eq)));
    std::string value(trim(std::string_view(part).substr(eq + 1)));
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') value = value.substr(1, value.size() - 2);
    if (key == "options" || key == "opts") p.header = p.header || value.find("header") != std::string::npos;
    else if (key == "cols") p.columns = count_cols(value);
    else if (key == "format") p.format = value;
    else if (key == "language") p.language = value;
  }
  return p;
}

std::string admonition_label(std::string_view style) {
  static const char* const kStyles[] = {"NOTE", "TIP", "IMPORTANT", "WARNING", "CAUTION"};
  for (const char* s : kStyles)
    if (style == s) {
      std::string label(s);
      std::transform(label.begin() + 1, label.end(), label.begin() + 1, ::tolower);
      return label;
    }
  return "";
}

// A delimiter line: 4+ of one of - . = * _ + / (or "--", or a table's |=== ,=== :=== !===).
std::string delimiter_of(std::string_view line) {
  line = trim(line);
  if (line == "--") return "--";
  if (line.size() >= 4 && (line.substr(1) == "===") && std::string_view("|,:!").find(line[0]) != std::string_view::npos)
    return std::string(line);
  if (line.size() >= 4 && std::string_view("-.=*_+/").find(line[0]) != std::string_view::npos &&
      line.find_first_not_of(line[0]) == std::string_view::npos)
    return std::string(line);
  return "";
}

// "== Title", "# Title": level (1 for the document title) and title; 0 when not a title.
int section_level(std::string_view line, std::string_view& title) {
  char mark = line.empty() ? 0 : line[0];
  if (mark != '=' && mark != '#') return 0;
  size_t n = line.find_first_not_of(mark);
  if (n == std::string_view::npos || n > 6 || line[n] != ' ') return 0;
  title = trim(line.substr(n));
  // Symmetric form "== Title ==".
  while (!title.empty() && title.back() == mark) title.remove_suffix(1);
  title = trim(title);
  return title.empty() ? 0 : static_cast<int>(n);
}

struct ListMarker {
  int depth = 0;
  size_t text_start = 0;
};

// "* item", "** item", "- item", ". step", ".. step", "1. step", "a. step".
std::optional<ListMarker> list_marker(std::string_view line) {
  size_t i = 0;
  while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
  if (i >= line.size()) return std::nullopt;
  char c = line[i];
  size_t j = i;
  if (c == '*' || c == '.' || c == '-') {
    while (j < line.size() && line[j] == c) ++j;
    if (c == '-' && j - i != 1) return std::nullopt;
  } else if (std::isdigit(static_cast<unsigned char>(c)) || (std::islower(static_cast<unsigned char>(c)) && i + 1 < line.size() && line[i + 1] == '.')) {
    while (j < line.size() && std::isalnum(static_cast<unsigned char>(line[j])) && j - i < 4) ++j;
    if (j >= line.size() || line[j] != '.') return std::nullopt;
    ++j;
  } else {
    return std::nullopt;
  }
  if (j >= line.size() || (line[j] != ' ' && line[j] != '\t')) return std::nullopt;
  size_t text = line.find_first_not_of(" \t", j);
  if (text == std::string_view::npos) return std::nullopt;
  int depth = (c == '*' || c == '.') ? static_cast<int>(j - i) : 1;
  return ListMarker{depth, text};
}

// "term:: definition" (also ::: :::: ;;); the definition may be empty (it follows below).
std::optional<std::pair<std::string, std::string>> labeled_item(std::string_view line) {
  if (line.empty() || line[0] == ' ' || line[0] == '\t') return std::nullopt;
  for (size_t i = 1; i + 1 < line.size() + 1; ++i) {
    bool colons = line.substr(i, 2) == "::", semis = line.substr(i, 2) == ";;";
    if (!colons && !semis) continue;
    size_t end = i + 2;
    while (end < line.size() && line[end] == ':') ++end;
    if (end < line.size() && line[end] != ' ' && line[end] != '\t') return std::nullopt;  // "std::vector"
    std::string term(trim(line.substr(0, i)));
    if (term.empty()) return std::nullopt;
    return std::make_pair(term, std::string(trim(line.substr(std::min(end, line.size())))));
  }
  return std::nullopt;
}

class AsciidocReader {
 public:
  explicit AsciidocReader(const std::vector<std::string>& lines) : lines_(lines) {}

  std::vector<Block> read() {
    read_range(0, lines_.size(), 0);
    return out_.take_blocks();
  }

 private:
  std::string text(std::string_view s) const { return inline_text(s, attributes_); }
  int line_no(size_t i) const { return static_cast<int>(i) + 1; }

  bool starts_block(std::string_view line) const {
    std::string_view title;
    return is_blank(line) || !delimiter_of(line).empty() || section_level(line, title) > 0 || list_marker(line) ||
           (line.size() >= 2 && line.front() == '[' && line.back() == ']') || starts_with(line, "//") || line == "+";
  }

  // Reads lines [begin, end) as a sequence of blocks.
  void read_range(size_t begin, size_t end, int depth) {
    PendingAttributes pending;
    size_t i = begin;
    while (i < end) {
      std::string_view line = lines_[i];
      if (is_blank(line) || trim(line) == "+") {
        ++i;
        continue;
      }
      if (starts_with(line, "//") && !starts_with(line, "////")) {
        ++i;
        continue;
      }
      if (starts_with(line, "include::")) {
        log_debug("asciidoc: not following ", line, " (the included file is read if it is among the manuals)");
        ++i;
        continue;
      }
      if (starts_with(line, "ifdef::") || starts_with(line, "ifndef::") || starts_with(line, "endif::") ||
          starts_with(line, "ifeval::") || starts_with(line, "toc::")) {
        ++i;
        continue;
      }
      if (line.size() >= 3 && line[0] == ':' && read_attribute_entry(i, end)) continue;
      std::string delimiter = delimiter_of(line);
      if (!delimiter.empty() && depth < kMaxNesting) {
        i = read_delimited(i, end, delimiter, pending, depth);
        pending = {};
        continue;
      }
      std::string_view title;
      if (int level = section_level(line, title)) {
        out_.heading(level, text(title), line_no(i));
        pending = {};
        ++i;
        continue;
      }
      if (line.size() >= 2 && line.front() == '[' && line.back() == ']') {
        if (!starts_with(line, "[[")) pending = parse_attribute_line(line.substr(1, line.size() - 2), pending);
        ++i;
        continue;
      }
      if (line.size() >= 2 && line[0] == '.' && line[1] != '.' && line[1] != ' ') {
        pending.title = text(line.substr(1));
        ++i;
        continue;
      }
      if (line[0] == ' ' || line[0] == '\t') {
        if (!list_marker(line)) {
          i = read_literal_paragraph(i, end);
          pending = {};
          continue;
        }
      }
      if (auto marker = list_marker(line)) {
        i = read_list_item(i, end, *marker);
        continue;
      }
      if (auto item = labeled_item(line)) {
        i = read_labeled_item(i, end, *item);
        continue;
      }
      i = read_paragraph(i, end, pending);
      pending = {};
    }
  }

  // ":name: value" (a trailing " \" continues it); ":name!:" unsets.
  bool read_attribute_entry(size_t& i, size_t end) {
    std::string_view line = lines_[i];
    size_t close = line.find(':', 1);
    if (close == std::string_view::npos || close == 1) return false;
    std::string name(line.substr(1, close - 1));
    if (name.find(' ') != std::string::npos) return false;
    std::string value(trim(line.substr(close + 1)));
    ++i;
    while (!value.empty() && value.back() == '\\' && i < end) {
      value.pop_back();
      value += std::string(trim(lines_[i++]));
    }
    if (!name.empty() && name.back() == '!') attributes_.erase(name.substr(0, name.size() - 1));
    else if (!name.empty() && name.front() == '!') attributes_.erase(name.substr(1));
    else attributes_[name] = value;
    return true;
  }

  size_t find_closing(size_t open, size_t end, const std::string& delimiter) const {
    for (size_t j = open + 1; j < end; ++j)
      if (trim(lines_[j]) == delimiter) return j;
    return end;  // unterminated: the block runs to the end
  }

  std::string joined(size_t begin, size_t end) const {
    std::string s;
    for (size_t j = begin; j < end; ++j) {
      if (j > begin) s.push_back('\n');
      s += lines_[j];
    }
    return s;
  }

  size_t read_delimited(size_t open, size_t end, const std::string& delimiter, const PendingAttributes& pending, int depth) {
    size_t close = find_closing(open, end, delimiter);
    size_t next = close < end ? close + 1 : end;
    const char kind = delimiter[0];
    const std::string admonition = admonition_label(pending.style);
    if (delimiter.size() == 4 && delimiter.substr(1) == "===" && kind != '=') {
      read_table(open + 1, close, kind, pending);
    } else if (kind == '/') {
      // a comment block
    } else if (kind == '-' && delimiter != "--") {
      out_.code(joined(open + 1, close), pending.language.empty() ? pending.style : pending.language, line_no(open + 1));
    } else if (kind == '.') {
      out_.code(joined(open + 1, close), "literal", line_no(open + 1));
    } else if (kind == '+') {
      std::string plain;
      bool tag = false;
      for (char c : joined(open + 1, close)) {
        if (c == '<') tag = true;
        else if (c == '>') tag = false, plain.push_back(' ');
        else if (!tag) plain.push_back(c);
      }
      out_.paragraph(join_wrapped_lines(split_lines(plain)), line_no(open + 1));
    } else if (!admonition.empty() || kind == '_') {
      read_note_block(open + 1, close, admonition.empty() ? pending.title : admonition);
    } else {
      read_range(open + 1, close, depth + 1);  // example, sidebar, open block: their content
    }
    return next;
  }

  // A quote or admonition block: its paragraphs as notes, its lists and code as usual.
  void read_note_block(size_t begin, size_t end, const std::string& label) {
    size_t i = begin;
    while (i < end) {
      if (is_blank(lines_[i])) {
        ++i;
        continue;
      }
      if (list_marker(lines_[i]) || !delimiter_of(lines_[i]).empty()) {
        size_t j = i;
        while (j < end && !is_blank(lines_[j])) ++j;
        read_range(i, j, kMaxNesting);
        i = j;
        continue;
      }
      size_t j = i;
      std::vector<std::string> lines;
      while (j < end && !is_blank(lines_[j])) lines.push_back(hard_break_free(lines_[j++]));
      out_.note(label, text(join_wrapped_lines(lines)), line_no(i));
      i = j;
    }
  }

  static std::string hard_break_free(std::string_view line) {
    std::string_view t = trim(line);
    if (t.size() >= 2 && t.substr(t.size() - 2) == " +") t.remove_suffix(2);
    return std::string(t);
  }

  size_t read_paragraph(size_t begin, size_t end, const PendingAttributes& pending) {
    std::vector<std::string> lines;
    size_t i = begin;
    while (i < end && (i == begin || !starts_block(lines_[i]))) lines.push_back(hard_break_free(lines_[i++]));
    std::string body = join_wrapped_lines(lines);
    std::string label = admonition_label(pending.style);
    for (const char* style : {"NOTE", "TIP", "IMPORTANT", "WARNING", "CAUTION"}) {
      std::string prefix = std::string(style) + ":";
      if (starts_with(body, prefix) && body.size() > prefix.size() && body[prefix.size()] == ' ') {
        label = admonition_label(style);
        body = body.substr(prefix.size() + 1);
      }
    }
    if (!label.empty()) out_.note(label, text(body), line_no(begin));
    else out_.paragraph(text(body), line_no(begin));
    return i;
  }

  size_t read_literal_paragraph(size_t begin, size_t end) {
    size_t i = begin;
    while (i < end && !is_blank(lines_[i])) ++i;
    out_.code(joined(begin, i), "literal", line_no(begin));
    return i;
  }

  // The item's first line and its continuation lines (not blank, not a new block).
  size_t read_list_item(size_t begin, size_t end, ListMarker marker) {
    std::vector<std::string> lines = {hard_break_free(std::string_view(lines_[begin]).substr(marker.text_start))};
    size_t i = begin + 1;
    while (i < end && !starts_block(lines_[i]) && !labeled_item(lines_[i])) lines.push_back(hard_break_free(lines_[i++]));
    std::string body = join_wrapped_lines(lines);
    if (starts_with(body, "[x] ") || starts_with(body, "[ ] ") || starts_with(body, "[*] ")) body.erase(0, 4);
    out_.list_item(text(body), marker.depth, line_no(begin));
    return i;
  }

  size_t read_labeled_item(size_t begin, size_t end, const std::pair<std::string, std::string>& item) {
    std::vector<std::string> lines;
    if (!item.second.empty()) lines.push_back(item.second);
    size_t i = begin + 1;
    // The definition may start on the next lines, indented or not.
    while (i < end && !is_blank(lines_[i]) && !starts_block(lines_[i]) && !labeled_item(lines_[i]))
      lines.push_back(hard_break_free(lines_[i++]));
    std::string term = text(item.first);
    std::string definition = text(join_wrapped_lines(lines));
    out_.list_item(definition.empty() ? term : term + ": " + definition, 1, line_no(begin));
    return i;
  }

  // ---- tables ----

  struct Cell {
    std::string text;
    int span = 1;
    int line = 0;
  };

  // Splits PSV table content into cells: a cell starts at '|', optionally preceded by a cell
  // specifier ("2+", "a", "^.^", "3*") that stands at the start of a line or after a blank.
  std::vector<Cell> split_cells(size_t begin, size_t end, char separator) const {
    std::vector<Cell> cells;
    for (size_t j = begin; j < end; ++j) {
      const std::string& line = lines_[j];
      size_t pos = 0;
      while (pos <= line.size()) {
        size_t bar = line.find(separator, pos);
        while (bar != std::string::npos && bar > 0 && line[bar - 1] == '\\') bar = line.find(separator, bar + 1);
        std::string_view before(line.data() + pos, (bar == std::string::npos ? line.size() : bar) - pos);
        if (bar == std::string::npos) {
          if (!cells.empty()) {
            cells.back().text += "\n";
            cells.back().text += before;
          }
          break;
        }
        // The last word before the bar may be the next cell's specifier.
        size_t space = before.find_last_of(" \t");
        std::string_view spec = space == std::string_view::npos ? before : before.substr(space + 1);
        int span = 1;
        if (is_cell_spec(spec, span)) before.remove_suffix(spec.size());
        else span = 1;
        if (!cells.empty()) {
          if (pos == 0) cells.back().text += "\n";
          cells.back().text += before;
        }
        cells.push_back({"", span, line_no(j)});
        pos = bar + 1;
      }
    }
    return cells;
  }

  static bool is_cell_spec(std::string_view spec, int& span) {
    if (spec.empty()) return false;
    size_t i = 0;
    int number = 0;
    while (i < spec.size() && std::isdigit(static_cast<unsigned char>(spec[i]))) number = number * 10 + (spec[i++] - '0');
    if (i < spec.size() && spec[i] == '.') {  // row span ".2+"
      ++i;
      while (i < spec.size() && std::isdigit(static_cast<unsigned char>(spec[i]))) ++i;
    }
    bool plus = i < spec.size() && spec[i] == '+';
    bool star = i < spec.size() && spec[i] == '*';
    if (plus || star) ++i;
    span = plus && number > 0 ? std::min(number, 64) : 1;
    while (i < spec.size() && std::string_view("<^>.").find(spec[i]) != std::string_view::npos) ++i;
    if (i < spec.size() && std::string_view("adehlmsv").find(spec[i]) != std::string_view::npos) ++i;
    return i == spec.size();
  }

  void read_table(size_t begin, size_t end, char kind, const PendingAttributes& pending) {
    while (begin < end && is_blank(lines_[begin])) ++begin;
    if (begin >= end) return;
    std::vector<Cell> cells;
    if (kind == ',' || kind == ':' || pending.format == "csv" || pending.format == "dsv") {
      char sep = (kind == ':' || pending.format == "dsv") ? ':' : ',';
      std::vector<std::vector<std::string>> rows;
      std::vector<int> lines;
      for (size_t j = begin; j < end; ++j) {
        if (is_blank(lines_[j])) continue;
        std::vector<std::string> row;
        std::string cell;
        for (char c : lines_[j]) {
          if (c == sep) row.push_back(text(cell)), cell.clear();
          else cell.push_back(c);
        }
        row.push_back(text(cell));
        rows.push_back(std::move(row));
        lines.push_back(line_no(j));
      }
      emit_rows(rows, lines, pending.header || has_implicit_header(begin, end));
      return;
    }
    cells = split_cells(begin, end, kind == '!' ? '!' : '|');
    int columns = pending.columns;
    if (columns <= 0) {  // the cells of the first non-blank line
      std::vector<Cell> first = split_cells(begin, begin + 1, kind == '!' ? '!' : '|');
      for (const auto& c : first) columns += c.span;
    }
    if (columns <= 0) return;
    std::vector<std::vector<std::string>> rows;
    std::vector<int> lines;
    int filled = columns;
    for (const auto& c : cells) {
      if (filled >= columns) {
        rows.emplace_back();
        lines.push_back(c.line);
        filled = 0;
      }
      std::vector<std::string> parts = split_lines(c.text);
      rows.back().push_back(text(join_wrapped_lines(parts)));
      for (int s = 1; s < c.span; ++s) rows.back().push_back("");
      filled += c.span;
    }
    emit_rows(rows, lines, pending.header || has_implicit_header(begin, end));
  }

  // asciidoctor's implicit header: the first line holds a whole row and a blank line follows it.
  bool has_implicit_header(size_t begin, size_t end) const { return begin + 1 < end && is_blank(lines_[begin + 1]); }

  void emit_rows(std::vector<std::vector<std::string>>& rows, const std::vector<int>& lines, bool header) {
    if (rows.empty()) return;
    std::vector<std::string> head;
    std::vector<int> body_lines = lines;
    if (header) {
      head = rows.front();
      rows.erase(rows.begin());
      body_lines.erase(body_lines.begin());
    }
    out_.table(head, rows, body_lines);
  }

  const std::vector<std::string>& lines_;
  Attributes attributes_;
  BlockBuilder out_;
};

}  // namespace

std::string asciidoc_inline_text(std::string_view text, const std::vector<std::pair<std::string, std::string>>& attributes) {
  Attributes a(attributes.begin(), attributes.end());
  return inline_text(text, a);
}

std::vector<Block> read_asciidoc(std::string_view text) {
  std::vector<std::string> lines = split_lines(text);
  return AsciidocReader(lines).read();
}

}  // namespace gemba::data
