// data: passages (what the index serves and an answer cites) and entities (what facts are about),
// built from the document model of a real Markdown manual.
#include <gtest/gtest.h>

#include "data/entities.h"
#include "data/document-text.h"
#include "data/passages.h"
#include "data/readers/markdown-reader.h"

using namespace gemba::data;
using namespace gemba::index;

namespace {

Document markdown_document(const std::string& md) {
  Document d{"manuals/servo.md", "/x/manuals/servo.md", "md", "", read_markdown(md), ""};
  d.title = document_title(d.blocks);
  return d;
}

const char* kManual =
    "# ZSV-A11 servo amplifier\n"                               // 1
    "\n"                                                         // 2
    "## Parameters\n"                                            // 3
    "\n"                                                         // 4
    "The choices are:\n"                                         // 5
    "\n"                                                         // 6
    "- Pn100: speed loop gain\n"                                 // 7
    "- Pn101: position loop gain\n"                              // 8
    "\n"                                                         // 9
    "| Parameter | Default |\n"                                  // 10
    "|---|---|\n"                                                // 11
    "| Pn100 | 40 Hz |\n"                                        // 12
    "\n"                                                         // 13
    "```\n"                                                      // 14
    "[servo]\n"                                                  // 15
    "#speed_gain: 40\n"                                          // 16
    "#   The speed loop gain. The default is 40.\n"              // 17
    "#position_gain: 20\n"                                       // 18
    "#   The position loop gain.\n"                              // 19
    "```\n"                                                      // 20
    "\n"                                                         // 21
    "## Alarms\n"                                                // 22
    "\n"                                                         // 23
    "AL.16 means an encoder error on the ZSV-A11.\n";            // 24

}  // namespace

TEST(Passages, EachUnitWithItsSourceAndSection) {
  std::vector<Passage> ps = document_passages(markdown_document(kManual));
  ASSERT_EQ(ps.size(), 5u);
  // A list travels with the paragraph that introduces it.
  EXPECT_EQ(ps[0].kind, "list");
  EXPECT_EQ(ps[0].text, "The choices are:\n- Pn100: speed loop gain\n- Pn101: position loop gain");
  EXPECT_EQ(ps[0].line, 5);
  EXPECT_EQ(ps[0].section, (std::vector<std::string>{"ZSV-A11 servo amplifier", "Parameters"}));
  EXPECT_EQ(ps[1].kind, "table-row");
  EXPECT_EQ(ps[1].text, "Parameter: Pn100; Default: 40 Hz");
  EXPECT_EQ(ps[1].line, 12);
  // A config listing: one entry per key, its comments attached.
  EXPECT_EQ(ps[2].kind, "code");
  EXPECT_EQ(ps[2].text, "[servo]\n#speed_gain: 40\n#   The speed loop gain. The default is 40.");
  EXPECT_EQ(ps[3].text, "#position_gain: 20\n#   The position loop gain.");
  EXPECT_EQ(ps[3].line, 18);
  EXPECT_EQ(ps[3].end_line, 19);
  EXPECT_EQ(ps[4].text, "AL.16 means an encoder error on the ZSV-A11.");
  EXPECT_EQ(ps[4].id, "manuals/servo.md#5");
  EXPECT_EQ(passage_citation(ps[4]), "manuals/servo.md §ZSV-A11 servo amplifier > Alarms, line 24");
  // A long paragraph is cut at sentence ends.
  std::string long_text = "# T\n\n";
  for (int i = 0; i < 40; ++i) long_text += "Sentence number " + std::to_string(i) + " says something. ";
  PassageOptions small;
  small.max_chars = 200;
  auto parts = document_passages(markdown_document(long_text), small);
  ASSERT_GT(parts.size(), 4u);
  for (const auto& p : parts) EXPECT_LE(p.text.size(), 200u) << p.text;
  // JSON round trip.
  Passage back = passage_from_json(passage_to_json(ps[3]), "test");
  EXPECT_EQ(back.text, ps[3].text);
  EXPECT_EQ(back.section, ps[3].section);
  EXPECT_EQ(back.end_line, 19);
  EXPECT_THROW(passage_from_json(gemba::Json{{"id", "x"}}, "passages.jsonl:3"), gemba::Error);
}

TEST(Entities, DiscoveredFromHeadingsTablesAndListings) {
  std::vector<EntityCount> entities = discover_entities({markdown_document(kManual)});
  auto find = [&](const std::string& name) -> const EntityCount* {
    for (const auto& e : entities)
      if (e.name == name) return &e;
    return nullptr;
  };
  const EntityCount* product = find("ZSV-A11");
  ASSERT_TRUE(product);
  EXPECT_GE(product->subjects, 1u);  // it names the document's heading
  const EntityCount* key = find("speed_gain");
  ASSERT_TRUE(key);
  EXPECT_EQ(key->subjects, 1u);  // a listing key
  ASSERT_TRUE(find("Pn100"));
  EXPECT_TRUE(find("servo"));  // "[servo]": a bracketed config section
  EXPECT_FALSE(find("40"));    // a number is a value, never an entity
  EntitySet set(entities);
  auto spans = set.find("Set Pn100 on the ZSV-A11.");
  ASSERT_EQ(spans.size(), 2u);
  EXPECT_EQ(spans[0].begin, 4u);
}
