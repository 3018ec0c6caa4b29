// data: AsciiDoc manuals into the document model (the subset manuals use).
#include <gtest/gtest.h>

#include "data/readers/asciidoc-reader.h"
#include "data/reader-test-util.h"

using namespace gemba::data;
using gemba::test::describe;
using gemba::test::find_block;

TEST(AsciidocReader, SectionsParagraphsListsListingsAndNotes) {
  const std::string adoc =
      ":lang: en\n"                                                    // 1
      ":prod: MillCtl\n"                                               // 2
      "[[cha:ini]]\n"                                                  // 3
      "= INI Configuration(((INI Configuration)))\n"                  // 4
      "\n"                                                             // 5
      "== The [EMC] Section\n"                                         // 6
      "\n"                                                             // 7
      "The *{prod}* reads `MAX_VELOCITY` from the\n"                  // 8
      "<<sec:traj,trajectory section>>; see link:https://x.org[the site]. +\n"  // 9
      "Values are in _machine units_.\n"                               // 10
      "\n"                                                             // 11
      "* `DEBUG = 0` - debug level\n"                                  // 12
      "** nested item\n"                                               // 13
      "continued here\n"                                               // 14
      ". first step\n"                                                 // 15
      "\n"                                                             // 16
      "[source,ini]\n"                                                 // 17
      "----\n"                                                         // 18
      "[EMC]\n"                                                        // 19
      "VERSION = 1.1\n"                                                // 20
      "----\n"                                                         // 21
      "\n"                                                             // 22
      "NOTE: The default is 0.\n"                                      // 23
      "\n"                                                             // 24
      "[WARNING]\n"                                                    // 25
      "====\n"                                                         // 26
      "Do not exceed 10 m/s.\n"                                        // 27
      "====\n"                                                         // 28
      "\n"                                                             // 29
      "MAX_LIMIT:: The upper limit.\n"                                 // 30
      "// a comment\n"                                                 // 31
      "////\n"                                                         // 32
      "hidden\n"                                                       // 33
      "////\n";                                                        // 34
  std::vector<Block> blocks = read_asciidoc(adoc);
  SCOPED_TRACE(describe(blocks));
  EXPECT_EQ(document_title(blocks), "INI Configuration");
  const Block* p = find_block(blocks, "MAX_VELOCITY");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->kind, BlockKind::kParagraph);
  EXPECT_EQ(p->text, "The MillCtl reads MAX_VELOCITY from the trajectory section; see the site. Values are in machine units.");
  EXPECT_EQ(p->line, 8);
  EXPECT_EQ(p->section, (std::vector<std::string>{"INI Configuration", "The [EMC] Section"}));
  const Block* item = find_block(blocks, "debug level");
  ASSERT_TRUE(item);
  EXPECT_EQ(item->kind, BlockKind::kListItem);
  EXPECT_EQ(item->text, "DEBUG = 0 - debug level");
  const Block* nested = find_block(blocks, "nested item");
  ASSERT_TRUE(nested);
  EXPECT_EQ(nested->level, 2);
  EXPECT_EQ(nested->text, "nested item continued here");
  const Block* code = find_block(blocks, "VERSION");
  ASSERT_TRUE(code);
  EXPECT_EQ(code->kind, BlockKind::kCode);
  EXPECT_EQ(code->text, "[EMC]\nVERSION = 1.1");
  EXPECT_EQ(code->label, "ini");
  EXPECT_EQ(code->line, 19);
  const Block* note = find_block(blocks, "default is 0");
  ASSERT_TRUE(note);
  EXPECT_EQ(note->kind, BlockKind::kNote);
  EXPECT_EQ(note->label, "Note");
  const Block* warning = find_block(blocks, "10 m/s");
  ASSERT_TRUE(warning);
  EXPECT_EQ(warning->kind, BlockKind::kNote);
  EXPECT_EQ(warning->label, "Warning");
  const Block* labeled = find_block(blocks, "upper limit");
  ASSERT_TRUE(labeled);
  EXPECT_EQ(labeled->text, "MAX_LIMIT: The upper limit.");
  EXPECT_EQ(find_block(blocks, "hidden"), nullptr);
  EXPECT_EQ(find_block(blocks, "comment"), nullptr);
  EXPECT_EQ(find_block(blocks, "(((" ), nullptr);
}

TEST(AsciidocReader, TablesBindCellsToTheHeader) {
  const std::string adoc =
      "== Pins\n"                                       // 1
      "\n"                                              // 2
      "[cols=\"2,1,3\",options=\"header\"]\n"           // 3
      "|===\n"                                          // 4
      "|Pin name |Type |Meaning\n"                      // 5
      "|motion.spindle-speed-out |float |Commanded\n"   // 6
      "speed in RPM\n"                                  // 7
      "|motion.enable\n"                                // 8
      "|bit\n"                                          // 9
      "|Machine on\n"                                   // 10
      "2+|spans two |last\n"                            // 11
      "|===\n"                                          // 12
      "\n"                                              // 13
      "|===\n"                                          // 14
      "|Key |Default\n"                                 // 15
      "\n"                                              // 16
      "|MAX_ACCEL |1.0\n"                               // 17
      "|===\n";                                         // 18
  std::vector<Block> blocks = read_asciidoc(adoc);
  SCOPED_TRACE(describe(blocks));
  const Block* row = find_block(blocks, "spindle-speed-out");
  ASSERT_TRUE(row);
  EXPECT_EQ(row->kind, BlockKind::kTableRow);
  EXPECT_EQ(row->text, "Pin name: motion.spindle-speed-out; Type: float; Meaning: Commanded speed in RPM");
  EXPECT_EQ(row->line, 6);
  const Block* enable = find_block(blocks, "motion.enable");
  ASSERT_TRUE(enable);
  EXPECT_EQ(enable->cells, (std::vector<std::string>{"motion.enable", "bit", "Machine on"}));
  const Block* span = find_block(blocks, "spans two");
  ASSERT_TRUE(span);
  EXPECT_EQ(span->cells, (std::vector<std::string>{"spans two", "", "last"}));
  // Implicit header: the first line holds a whole row and a blank line follows.
  const Block* accel = find_block(blocks, "MAX_ACCEL");
  ASSERT_TRUE(accel);
  EXPECT_EQ(accel->text, "Key: MAX_ACCEL; Default: 1.0");
}

TEST(AsciidocReader, InlineMarkup) {
  EXPECT_EQ(asciidoc_inline_text("press kbd:[Ctrl+C] then btn:[OK] in menu:File[Save]"), "press Ctrl+C then OK in File > Save");
  EXPECT_EQ(asciidoc_inline_text("see xref:hal.adoc#pins[HAL pins] and <<ref>>"), "see HAL pins and ref");
  EXPECT_EQ(asciidoc_inline_text("a ((visible)) term(((hidden,sub)))"), "a visible term");
  EXPECT_EQ(asciidoc_inline_text("call `+_hal_init()+` and +-u+"), "call _hal_init() and -u");
  EXPECT_EQ(asciidoc_inline_text("std::vector and snake_case_name stay"), "std::vector and snake_case_name stay");
  EXPECT_EQ(asciidoc_inline_text("{unknown} {nbsp}x", {{"a", "b"}}), "{unknown}  x");
}

TEST(AsciidocReader, UnterminatedBlocksAndDeepNestingAreReadNotCrashed) {
  EXPECT_NO_THROW(read_asciidoc("----\ncode without end\n"));
  EXPECT_NO_THROW(read_asciidoc("|===\n|a |b\n|c"));
  std::string deep;
  // Delimiters of growing length never close: each opens a block inside the one before.
  for (size_t i = 0; i < 2000; ++i) deep += std::string(4 + i, '=') + "\n";
  EXPECT_NO_THROW(read_asciidoc(deep + "text\n"));
}
