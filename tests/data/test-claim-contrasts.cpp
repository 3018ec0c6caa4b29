// data: values written as words (src/data/claim-contrasts.h), found by the statement miner on
// hand-made English and Japanese texts about four fake products: which pairs are found, which
// are not (phrasing, values), how a statement and a recall clash, and the file format.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "core/error.h"
#include "data/claim-contrasts.h"
#include "data/statement-mining.h"

using namespace gemba::data;

namespace {

ClaimContrasts mine(const std::string& text) {
  StatementMiningOptions options;
  options.entity_pattern = "ABC-[0-9]{3}";
  return mine_statements({{"doc", text, true}}, options).claim_contrasts;
}

bool has_pair(const ClaimContrasts& contrasts, const std::string& lang, const std::string& a, const std::string& b) {
  return std::any_of(contrasts.begin(), contrasts.end(), [&](const ClaimContrast& c) {
    return c.lang == lang && ((c.a == a && c.b == b) || (c.a == b && c.b == a));
  });
}

const char* kFourProducts =
    "The ABC-100 shows error code E-11 for overload.\n"
    "The ABC-200 shows error code E-12 for overspeed.\n"
    "The ABC-300 shows error code E-13 for low voltage.\n"
    "The built-in communication of the ABC-100 is CANopen.\n"
    "The built-in communication of the ABC-200 is EtherNet/IP.\n"
    "The rated output of the ABC-300 is 100 W.\n"
    "The rated output of the ABC-400 is 200 W.\n"
    "ABC-100のユニット種別はアナログ入力です。\n"
    "ABC-200のユニット種別はアナログ出力です。\n"
    // "とき" / "場合" (when / in case) differ between two templates, but every product's
    // sentences use one or the other: phrasing, not a value.
    "ABC-100でE-11が表示されたときは、ヒューズを交換します。\n"
    "ABC-200でE-12が表示された場合は、ヒューズを交換します。\n"
    "ABC-300で電源を入れたときは、ランプが点灯します。\n"
    "ABC-400で電源を入れたときは、ランプが点滅します。\n"
    "ABC-300の設定を変えた場合は、再起動します。\n";

}  // namespace

TEST(ClaimContrasts, FindsValuesWrittenAsWords) {
  const ClaimContrasts c = mine(kFourProducts);
  // Beside a value (error codes differ too): the words that still differ.
  EXPECT_TRUE(has_pair(c, "en", "overload", "overspeed"));
  EXPECT_TRUE(has_pair(c, "en", "overload", "lowvoltage"));
  // A whole middle, without the sentence's full stop.
  EXPECT_TRUE(has_pair(c, "en", "CANopen", "EtherNet/IP"));
  // Japanese: "入" / "出" widened to the whole run of kanji and katakana.
  EXPECT_TRUE(has_pair(c, "ja", "アナログ入力", "アナログ出力"));
  for (const auto& pair : c) {
    EXPECT_LT(pair.a, pair.b);
    // Numbers are value tokens, compared as such: never a word pair ("100" / "200", "W" alone).
    EXPECT_EQ(pair.a.find_first_of("0123456789"), std::string::npos) << pair.a;
    EXPECT_EQ(pair.b.find_first_of("0123456789"), std::string::npos) << pair.b;
  }
}

TEST(ClaimContrasts, PhrasingMostProductsUseIsNotAValue) {
  const ClaimContrasts c = mine(kFourProducts);
  EXPECT_FALSE(has_pair(c, "ja", "とき", "場合"));
  // The same text without the other products' "とき" sentences: then it is distinctive, and kept.
  const ClaimContrasts two = mine(
      "ABC-100でE-11が表示されたときは、ヒューズを交換します。\n"
      "ABC-200でE-12が表示された場合は、ヒューズを交換します。\n"
      "ABC-300の重量は1 kgです。\nABC-400の重量は2 kgです。\n");
  EXPECT_TRUE(has_pair(two, "ja", "とき", "場合"));
}

TEST(ClaimContrasts, AStatementAndARecallClashWhenEachNamesTheOtherWord) {
  const ClaimContrasts c = {{"en", "overload", "overspeed"}, {"ja", "アナログ入力", "アナログ出力"}};
  auto clashes = claim_clashes(c, "Error code E-11 on the ABC-100 means: overspeed.", "The ABC-100 shows error code E-11 for overload.");
  ASSERT_EQ(clashes.size(), 1u);
  EXPECT_EQ(clashes[0].in_statement, "overspeed");
  EXPECT_EQ(clashes[0].in_recall, "overload");
  // Either direction; NFKC and spaces do not matter (full-width katakana and a space).
  EXPECT_EQ(claim_clashes(c, "ABC-100のユニット種別はアナログ 入力である。", "ABC-100のユニット種別はｱﾅﾛｸﾞ出力です。").size(), 1u);
  // No clash: the recall names the same word, both words, or neither (another attribute).
  EXPECT_TRUE(claim_clashes(c, "E-11 on the ABC-100 means overload.", "The ABC-100 shows E-11 for overload.").empty());
  EXPECT_TRUE(claim_clashes(c, "E-11 on the ABC-100 means overload.", "E-11: overload; E-12: overspeed.").empty());
  EXPECT_TRUE(claim_clashes(c, "E-11 on the ABC-100 means overload.", "The ABC-100 weighs 1 kg.").empty());
  // A statement naming both words claims neither against the other.
  EXPECT_TRUE(claim_clashes(c, "overload, not overspeed", "overspeed").empty());
  EXPECT_TRUE(claim_clashes({}, "overload", "overspeed").empty());
  // A pair found in both languages clashes once.
  const ClaimContrasts both = {{"en", "CANopen", "EtherNet/IP"}, {"ja", "CANopen", "EtherNet/IP"}};
  EXPECT_EQ(claim_clashes(both, "The ABC-100 has CANopen.", "The ABC-100 has EtherNet/IP.").size(), 1u);
}

TEST(ClaimContrasts, FileRoundTripAndErrorsNameTheLine) {
  const auto dir = std::filesystem::temp_directory_path() / ("gemba-claim-contrasts-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string path = (dir / "contrasts.jsonl").string();
  const ClaimContrasts c = mine(kFourProducts);
  ASSERT_FALSE(c.empty());
  std::ofstream(path) << claim_contrasts_to_jsonl(c);
  const ClaimContrasts back = load_claim_contrasts(path);
  ASSERT_EQ(back.size(), c.size());
  for (size_t i = 0; i < c.size(); ++i) {
    EXPECT_EQ(back[i].lang, c[i].lang);
    EXPECT_EQ(back[i].a, c[i].a);
    EXPECT_EQ(back[i].b, c[i].b);
  }
  std::ofstream(path) << "{\"lang\":\"en\",\"a\":\"overload\",\"b\":\"overspeed\"}\n\n{\"lang\":\"en\",\"a\":\"overload\"}\n";
  try {
    load_claim_contrasts(path);
    FAIL() << "a record without 'b' was accepted";
  } catch (const gemba::Error& e) {
    EXPECT_NE(std::string(e.what()).find("contrasts.jsonl:3"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("'b'"), std::string::npos) << e.what();
  }
  std::ofstream(path) << "not json\n";
  EXPECT_THROW(load_claim_contrasts(path), gemba::Error);
  EXPECT_THROW(load_claim_contrasts((dir / "missing.jsonl").string()), gemba::Error);
  std::filesystem::remove_all(dir);
}
