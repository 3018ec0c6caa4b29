// data: tolerant HTML -> text with headings, tables, lists and entities.
#include <gtest/gtest.h>

#include "data/html-to-text.h"

using namespace gemba::data;

TEST(HtmlToText, DropsScriptStyleAndHead) {
  std::string text = html_to_text(
      "<html><head><title>T</title><style>p{color:red}</style></head><body>"
      "<script>var x = '<p>no</p>';</script><p>visible</p><!-- hidden --></body></html>");
  EXPECT_EQ(text, "visible");
}

TEST(HtmlToText, HeadingsBecomeMarkdown) {
  std::string text = html_to_text("<h1>Servo</h1><p>intro</p><h3 class='x'>Errors</h3><p>E-21</p>");
  EXPECT_EQ(text, "# Servo\n\nintro\n\n### Errors\n\nE-21");
}

TEST(HtmlToText, TablesBecomeRowsWithBars) {
  std::string text = html_to_text(
      "<table><tr><th>No.</th><th>Name</th></tr>\n<tr><td> Pr.001 </td><td>Gain</td></tr></table>");
  EXPECT_EQ(text, "No. | Name\nPr.001 | Gain");
}

TEST(HtmlToText, ListsAndLineBreaks) {
  std::string text = html_to_text("<ul><li>one</li><li>two<br>more</li></ul><ol><li>first</li><li>second</li></ol>");
  EXPECT_EQ(text, "- one\n- two\nmore\n\n1. first\n2. second");
}

TEST(HtmlToText, DecodesEntities) {
  EXPECT_EQ(decode_html_entities("a &amp; b &lt;c&gt; &#12354;&#x3044; 5&deg;C &bogus; & x"), "a & b <c> あい 5°C &bogus; & x");
  EXPECT_EQ(html_to_text("<p>AT&amp;T&nbsp;&copy;</p>"), "AT&T\xC2\xA0\xC2\xA9");
  EXPECT_EQ(decode_html_entities("&#0;&#xD800;"), "\xEF\xBF\xBD\xEF\xBF\xBD");  // invalid code points -> U+FFFD
}

TEST(HtmlToText, PreKeepsWhitespace) {
  EXPECT_EQ(html_to_text("<p>a   b\n c</p><pre>x  = 1\n  y = 2</pre>"), "a b c\n\nx  = 1\n  y = 2");
}

TEST(HtmlToText, MalformedMarkupNeverThrows) {
  EXPECT_EQ(html_to_text("<p>unclosed <b>bold <i>text"), "unclosed bold text");
  EXPECT_EQ(html_to_text("a < b and c<3"), "a < b and c<3");
  EXPECT_EQ(html_to_text("<div title=\"x>y\">quoted</div>"), "quoted");
  EXPECT_EQ(html_to_text("<script>never closed"), "");
  EXPECT_EQ(html_to_text("<!-- never closed"), "");
  EXPECT_EQ(html_to_text("<"), "<");
}
