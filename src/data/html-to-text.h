// A small, tolerant HTML -> text converter for manuals exported as HTML. Not a full HTML5
// parser: it never fails on malformed markup, it only has to keep the text and its
// structure. script/style/head (and similar) are dropped; block elements become line
// breaks; <h1>..<h6> become Markdown '#' lines; table rows become lines with cells joined
// by " | "; list items become "- " (or "N. ") lines; <pre> keeps its whitespace; character
// references (&amp; &#12354; &#x3042; and common named ones) are decoded.
#pragma once
#include <string>
#include <string_view>

namespace gemba::data {

std::string html_to_text(std::string_view html);

// Decodes character references in a text run (exposed for tests).
std::string decode_html_entities(std::string_view text);

}  // namespace gemba::data
