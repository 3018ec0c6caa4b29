// AsciiDoc (.adoc) -> document blocks: the common subset that manuals are written in.
//
// Why a reader of our own and not Debian's asciidoctor: asciidoctor is a Ruby program; gemba
// would have to start a Ruby process per file, ship Ruby to the edge build, and parse its
// HTML output again, losing the source line of each block on the way. The subset below is a
// line-oriented grammar, so a direct reader is short and keeps every block's line.
//
// Read: the document title and section titles (= .. ======, also "#" forms), index terms and
// anchors stripped; attribute entries (:name: value) substituted as {name}; paragraphs (" +"
// hard breaks joined); admonition paragraphs (NOTE: / TIP: / IMPORTANT: / WARNING: / CAUTION:)
// and admonition blocks ([NOTE] + ====); bulleted (* ** -), numbered (. .. 1.) and labeled
// (term:: text) lists with their continuation lines; listing (----), literal (....) and
// indented literal blocks as code; example (====), sidebar (****) and open (--) blocks read
// as their content; quote blocks (____) as notes; |=== tables (cols="..." or the first row's
// cell count; an implicit or options="header" header row; cell specifiers such as 2+| and a|;
// ,=== CSV tables); inline markup (*bold*, _italic_, `mono`, +pass+, #mark#, link:/URL[text],
// <<id,text>>, xref:, kbd:, btn:, menu:, footnote:, pass:, image:) reduced to its text.
// Skipped: comments (// and ////), passthrough (++++) markup, include:: directives (named in the
// log: the included file is read when it is among the manuals itself), conditional directives.
#pragma once
#include <string_view>
#include <vector>

#include "data/document.h"

namespace gemba::data {

// `text` is valid UTF-8. Never fails: what it does not understand it reads as paragraphs.
std::vector<Block> read_asciidoc(std::string_view text);

// Inline AsciiDoc markup reduced to text (exposed for tests). `attributes` resolves {name}.
std::string asciidoc_inline_text(std::string_view text, const std::vector<std::pair<std::string, std::string>>& attributes = {});

}  // namespace gemba::data
