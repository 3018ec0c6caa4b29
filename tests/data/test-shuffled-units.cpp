// Knowledge augmentation: manuals cut into units and shuffled (data/shuffled-units.h).
#include <gtest/gtest.h>

#include <algorithm>

#include "core/error.h"
#include "data/shuffled-units.h"

namespace {

using gemba::data::shuffled_unit_copies;
using gemba::data::ShuffleScope;
using gemba::data::text_units;

const char* const kManual =
    "# ZHP-330 タッチパネル表示器\n"
    "\n"
    "## 仕様\n"
    "| 項目 | ZHP-330 |\n"
    "|---|:--:|\n"
    "| バックライト寿命 | 50,000時間 |\n"
    "ZHP-330の画面サイズは7インチです。ZHP-330では解像度として800×480ドットを備えています。はい。\n"
    "- ZHP-330のユーザーメモリは32 MBです。確認してください!\n"
    "The ZHP-330 has a 7 inch screen. Its backlight lasts 50,000 hours! Set S-05 to 15 min.\n"
    "  trailing spaces and no end  \n";

TEST(TextUnits, SentencesRowsAndHeadingsInDocumentOrder) {
  const std::vector<std::string> expected = {
      "# ZHP-330 タッチパネル表示器",
      // "## 仕様" is shorter than 8 code points; the table rule is dropped.
      "| 項目 | ZHP-330 |",
      "| バックライト寿命 | 50,000時間 |",
      "ZHP-330の画面サイズは7インチです。",
      "ZHP-330では解像度として800×480ドットを備えています。",
      // "はい。" is too short.
      "ZHP-330のユーザーメモリは32 MBです。",  // the list marker is dropped
      "確認してください!",
      "The ZHP-330 has a 7 inch screen.",
      "Its backlight lasts 50,000 hours!",
      "Set S-05 to 15 min.",
      "trailing spaces and no end",
  };
  EXPECT_EQ(text_units(kManual), expected);
  gemba::data::UnitOptions keep_all;
  keep_all.min_chars = 1;
  auto all = text_units(kManual, keep_all);
  EXPECT_NE(std::find(all.begin(), all.end(), "## 仕様"), all.end());
  EXPECT_NE(std::find(all.begin(), all.end(), "はい。"), all.end());
  EXPECT_TRUE(text_units("").empty());
  EXPECT_TRUE(text_units("\n\n|---|---|\n").empty());
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t eol = std::min(text.find('\n', pos), text.size());
    lines.push_back(text.substr(pos, eol - pos));
    pos = eol + 1;
  }
  return lines;
}

std::vector<std::string> sorted(std::vector<std::string> v) {
  std::sort(v.begin(), v.end());
  return v;
}

const std::vector<std::string> kDocs = {kManual, "Second manual, first sentence. Second manual, second sentence.\n",
                                        "# short\n", "Third manual: one unit only.\n"};

TEST(ShuffledUnitCopies, CorpusScopeMixesEveryUnitIntoOneDocumentPerCopy) {
  std::vector<std::string> units;
  for (const auto& d : kDocs)
    for (auto& u : text_units(d)) units.push_back(u);
  auto copies = shuffled_unit_copies(kDocs, 4, 7, ShuffleScope::corpus);
  ASSERT_EQ(copies.size(), 4u);
  for (const auto& copy : copies) EXPECT_EQ(sorted(lines_of(copy)), sorted(units));
  EXPECT_NE(copies[0], copies[1]) << "each copy has its own order";
  EXPECT_EQ(shuffled_unit_copies(kDocs, 4, 7, ShuffleScope::corpus), copies) << "deterministic";
  EXPECT_NE(shuffled_unit_copies(kDocs, 1, 8, ShuffleScope::corpus)[0], copies[0]) << "the seed matters";
  EXPECT_TRUE(shuffled_unit_copies(kDocs, 0, 7, ShuffleScope::corpus).empty());
  EXPECT_TRUE(shuffled_unit_copies({"", "short"}, 3, 7, ShuffleScope::corpus).empty()) << "no units, no copies";
}

TEST(ShuffledUnitCopies, DocumentScopeShufflesEachManualWithinItself) {
  // Documents with units: kDocs[0], [1], [3] ("# short" has none: under 8 code points).
  std::vector<std::vector<std::string>> per_doc = {text_units(kDocs[0]), text_units(kDocs[1]), text_units(kDocs[3])};
  auto copies = shuffled_unit_copies(kDocs, 2, 7, ShuffleScope::document);
  ASSERT_EQ(copies.size(), 6u) << "one output document per manual per copy";
  for (int c = 0; c < 2; ++c) {
    std::vector<bool> seen(per_doc.size(), false);
    for (int k = 0; k < 3; ++k) {
      auto lines = sorted(lines_of(copies[c * 3 + k]));
      bool matched = false;
      for (size_t d = 0; d < per_doc.size(); ++d)
        if (!seen[d] && lines == sorted(per_doc[d])) seen[d] = matched = true;
      EXPECT_TRUE(matched) << "copy " << c << " document " << k << " holds exactly one manual's units";
    }
  }
  bool reordered = false;  // the 11-unit manual comes out in a new order
  for (const auto& copy : copies)
    if (lines_of(copy).size() == per_doc[0].size()) reordered |= lines_of(copy) != per_doc[0];
  EXPECT_TRUE(reordered);
  EXPECT_EQ(shuffled_unit_copies(kDocs, 2, 7, ShuffleScope::document), copies) << "deterministic";
}

TEST(ShuffleScope, ParsesBothNamesAndRejectsOthers) {
  EXPECT_EQ(gemba::data::parse_shuffle_scope("corpus"), ShuffleScope::corpus);
  EXPECT_EQ(gemba::data::parse_shuffle_scope("document"), ShuffleScope::document);
  EXPECT_THROW(gemba::data::parse_shuffle_scope("sentence"), gemba::Error);
}

}  // namespace
