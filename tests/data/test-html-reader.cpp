// data: HTML manuals through libxml2's HTML parser into the document model.
#include <gtest/gtest.h>

#include "data/readers/html-reader.h"
#include "data/reader-test-util.h"

using namespace gemba::data;
using gemba::test::describe;
using gemba::test::find_block;

TEST(HtmlReader, StructureTablesListsAndDroppedMarkup) {
  const std::string html =
      "<html><head><title>x</title><style>p{}</style><script>var a='<p>no</p>';</script></head>\n"
      "<body><nav>Home | Next</nav>\n"
      "<h1>Inverter</h1>\n"
      "<p>The <b>ZVF-C12</b> trips at\n"
      "150 % &amp; stops.</p>\n"
      "<table><thead><tr><th>Code</th><th>Meaning</th></tr></thead>\n"
      "<tbody><tr><td>E.OC1</td><td>Overcurrent<br>during accel</td></tr></tbody></table>\n"
      "<ul><li>Check wiring<ul><li>Motor side</li></ul></li></ul>\n"
      "<dl><dt>P.1</dt><dd>Max frequency</dd></dl>\n"
      "<pre>line 1\n  line 2</pre>\n"
      "<div class=\"admonition warning\"><p>Hot surface</p></div>\n"
      "<div>loose text <span>here</span><p>inner para</p></div>\n"
      "<h2>仕様</h2><p>定格は\n3.7 kWです。</p>\n"
      "</body></html>";
  std::vector<Block> blocks = read_html(html);
  SCOPED_TRACE(describe(blocks));
  EXPECT_EQ(find_block(blocks, "no"), nullptr);
  EXPECT_EQ(find_block(blocks, "Home"), nullptr);
  const Block* p = find_block(blocks, "trips at");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->text, "The ZVF-C12 trips at 150 % & stops.");
  EXPECT_EQ(p->section, (std::vector<std::string>{"Inverter"}));
  EXPECT_EQ(p->line, 4);
  const Block* row = find_block(blocks, "E.OC1");
  ASSERT_TRUE(row);
  EXPECT_EQ(row->kind, BlockKind::kTableRow);
  EXPECT_EQ(row->text, "Code: E.OC1; Meaning: Overcurrent during accel");
  const Block* nested = find_block(blocks, "Motor side");
  ASSERT_TRUE(nested);
  EXPECT_EQ(nested->kind, BlockKind::kListItem);
  EXPECT_EQ(nested->level, 2);
  const Block* outer = find_block(blocks, "Check wiring");
  ASSERT_TRUE(outer);
  EXPECT_EQ(outer->text, "Check wiring");
  const Block* dd = find_block(blocks, "Max frequency");
  ASSERT_TRUE(dd);
  EXPECT_EQ(dd->text, "P.1: Max frequency");
  const Block* pre = find_block(blocks, "line 1");
  ASSERT_TRUE(pre);
  EXPECT_EQ(pre->kind, BlockKind::kCode);
  EXPECT_EQ(pre->text, "line 1\n  line 2");
  const Block* note = find_block(blocks, "Hot surface");
  ASSERT_TRUE(note);
  EXPECT_EQ(note->kind, BlockKind::kNote);
  EXPECT_EQ(note->label, "Warning");
  ASSERT_TRUE(find_block(blocks, "loose text here"));
  ASSERT_TRUE(find_block(blocks, "inner para"));
  const Block* ja = find_block(blocks, "定格");
  ASSERT_TRUE(ja);
  EXPECT_EQ(ja->text, "定格は3.7 kWです。");
}

TEST(HtmlReader, MalformedAndDeepMarkupIsRead) {
  std::vector<Block> blocks = read_html("<p>unclosed <b>bold<p>second");
  SCOPED_TRACE(describe(blocks));
  EXPECT_TRUE(find_block(blocks, "unclosed bold"));
  EXPECT_TRUE(find_block(blocks, "second"));
  std::string deep;
  for (int i = 0; i < 50000; ++i) deep += "<div>";
  deep += "deep text";
  EXPECT_NO_THROW(read_html(deep));
  EXPECT_TRUE(read_html("").empty());
}
