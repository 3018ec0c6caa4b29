// data: Markdown manuals through cmark-gfm into the document model.
#include <gtest/gtest.h>

#include "data/readers/markdown-reader.h"
#include "data/reader-test-util.h"

using namespace gemba::data;
using gemba::test::describe;
using gemba::test::find_block;

TEST(MarkdownReader, BlocksCarryKindLineSectionAndCleanText) {
  const std::string md =
      "# Servo amplifier\n"                                   // 1
      "\n"                                                    // 2
      "## Alarms\n"                                           // 3
      "\n"                                                    // 4
      "The **AL.16** alarm means an *encoder* fault; see\n"  // 5
      "[the wiring guide](wiring.md) and `Pr.0.01`.\n"        // 6
      "\n"                                                    // 7
      "| Code | Meaning |\n"                                   // 8
      "|---|---|\n"                                           // 9
      "| AL.16 | Encoder error |\n"                            // 10
      "| AL.20 | Overload |\n"                                 // 11
      "\n"                                                    // 12
      "- Check the cable\n"                                   // 13
      "  - Reseat the connector\n"                            // 14
      "\n"                                                    // 15
      "```ini\n"                                              // 16
      "[servo]\n"                                             // 17
      "gain: 20\n"                                            // 18
      "```\n"                                                 // 19
      "\n"                                                    // 20
      "> **Note:** Power off first.\n"                        // 21
      "\n"                                                    // 22
      "### 仕様\n"                                            // 23
      "\n"                                                    // 24
      "定格電流は\n"                                          // 25
      "2.5 Aです。<br>詳細は<b>表</b>を参照。\n";             // 26
  std::vector<Block> blocks = read_markdown(md);
  SCOPED_TRACE(describe(blocks));
  const Block* p = find_block(blocks, "AL.16 alarm");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->kind, BlockKind::kParagraph);
  EXPECT_EQ(p->text, "The AL.16 alarm means an encoder fault; see the wiring guide and Pr.0.01.");
  EXPECT_EQ(p->line, 5);
  EXPECT_EQ(p->section, (std::vector<std::string>{"Servo amplifier", "Alarms"}));
  const Block* row = find_block(blocks, "Encoder error");
  ASSERT_TRUE(row);
  EXPECT_EQ(row->kind, BlockKind::kTableRow);
  EXPECT_EQ(row->text, "Code: AL.16; Meaning: Encoder error");
  EXPECT_EQ(row->cells, (std::vector<std::string>{"AL.16", "Encoder error"}));
  EXPECT_EQ(row->line, 10);
  const Block* nested = find_block(blocks, "Reseat");
  ASSERT_TRUE(nested);
  EXPECT_EQ(nested->kind, BlockKind::kListItem);
  EXPECT_EQ(nested->level, 2);
  const Block* code = find_block(blocks, "gain: 20");
  ASSERT_TRUE(code);
  EXPECT_EQ(code->kind, BlockKind::kCode);
  EXPECT_EQ(code->text, "[servo]\ngain: 20");
  EXPECT_EQ(code->label, "ini");
  EXPECT_EQ(code->line, 17);
  const Block* note = find_block(blocks, "Power off");
  ASSERT_TRUE(note);
  EXPECT_EQ(note->kind, BlockKind::kNote);
  EXPECT_EQ(note->label, "Note");
  EXPECT_EQ(note->text, "Power off first.");
  // Japanese lines wrapped in the source join without a space; tags leave their text.
  const Block* ja = find_block(blocks, "定格電流");
  ASSERT_TRUE(ja);
  EXPECT_EQ(ja->text, "定格電流は2.5 Aです。詳細は表を参照。");
  EXPECT_EQ(ja->section.back(), "仕様");
}

TEST(MarkdownReader, TrainingTextHasNoMarkup) {
  std::vector<Block> blocks = read_markdown("# T\n\nSee **bold** and [a link](x.md).\n\n| A | B |\n|---|---|\n| 1 | 2 |\n| 3 | 4 |\n\n* one\n* two\n");
  EXPECT_EQ(document_text(blocks), "T\n\nSee bold and a link.\n\nA: 1; B: 2\nA: 3; B: 4\n\n- one\n- two");
  EXPECT_EQ(document_title(blocks), "T");
}

TEST(MarkdownReader, DeepNestingDoesNotExhaustTheStack) {
  std::string deep(100000, '>');
  deep += " text\n";
  std::string lists;
  for (int i = 0; i < 5000; ++i) lists += std::string(static_cast<size_t>(i) * 2, ' ') + "- item\n";
  EXPECT_NO_THROW(read_markdown(deep));
  EXPECT_NO_THROW(read_markdown(lists));
}
