// data: values written as words (src/data/claim-contrasts.h), found by the statement miner on
// hand-made English and Japanese texts about four fake products: which sets are found (sentence
// pairs, table columns), which phrases are not (phrasing, values, row keys), how a statement and
// a recall clash, and the file format.
#include <gtest/gtest.h>

#include <unistd.h>

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

const ClaimContrast* find_set(const ClaimContrasts& sets, const std::string& lang, const std::string& slot) {
  for (const auto& c : sets)
    if (c.lang == lang && c.slot == slot) return &c;
  return nullptr;
}

// Some set of this language holds both phrases.
bool contrasted(const ClaimContrasts& sets, const std::string& lang, const std::string& a, const std::string& b) {
  return std::any_of(sets.begin(), sets.end(), [&](const ClaimContrast& c) {
    auto has = [&](const std::string& p) { return std::find(c.phrases.begin(), c.phrases.end(), p) != c.phrases.end(); };
    return c.lang == lang && has(a) && has(b);
  });
}

bool anywhere(const ClaimContrasts& sets, const std::string& phrase) {
  return std::any_of(sets.begin(), sets.end(), [&](const ClaimContrast& c) {
    return std::find(c.phrases.begin(), c.phrases.end(), phrase) != c.phrases.end();
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

// Error tables of two products, and spec tables whose header names the product.
const char* kTables =
    "# ABC-100\n"
    "| Code | Meaning | Remedy |\n"
    "|---|---|---|\n"
    "| E-11 | Overload | Reduce the load |\n"
    "| E-14 | Fan stop 2 | Replace the fan |\n"
    "\n"
    "| Item | ABC-100 |\n"
    "|:--|--:|\n"
    "| Communication | CANopen |\n"
    "| Isolation | Photocoupler |\n"
    "| Rated output | 100 W |\n"
    "# ABC-200\n"
    "| Code | Meaning | Remedy |\r\n"  // CRLF lines
    "| --- | --- | --- |\r\n"
    "| E-12 | Overspeed | Check the gear ratio | an extra cell |\r\n"  // more cells than the header
    "| E-15 | Undervoltage |\r\n"                                   // fewer
    "| Item | ABC-200 |\n"  // a second table glued on without a blank line
    "|---|---|\n"
    "| Communication | EtherNet/IP |\n"
    "| Isolation | Relay |\n"
    "\n"
    "| key | notatable |\n"  // no |---| row under it: no table
    "| key | neither |\n"
    "The ABC-300 weighs 1 kg.\nThe ABC-400 weighs 2 kg.\n";

}  // namespace

TEST(ClaimContrasts, SentencePairsGiveWordedValues) {
  const ClaimContrasts c = mine(kFourProducts);
  // Beside a value (error codes differ too): the words that still differ. Lower case.
  EXPECT_TRUE(contrasted(c, "en", "overload", "overspeed"));
  EXPECT_TRUE(contrasted(c, "en", "overload", "lowvoltage"));
  // A whole middle, without the sentence's full stop.
  EXPECT_TRUE(contrasted(c, "en", "canopen", "ethernet/ip"));
  // Japanese: "入" / "出" widened to the whole run of kanji and katakana.
  EXPECT_TRUE(contrasted(c, "ja", "アナログ入力", "アナログ出力"));
  for (const auto& set : c) {
    EXPECT_EQ(set.slot, "sentences");
    ASSERT_EQ(set.phrases.size(), 2u);
    EXPECT_LT(set.phrases[0], set.phrases[1]);
    // Numbers are value tokens, compared as such: never a worded value ("100" / "200", "W" alone).
    for (const auto& p : set.phrases) EXPECT_EQ(p.find_first_of("0123456789"), std::string::npos) << p;
  }
}

TEST(ClaimContrasts, PhrasingMostProductsUseIsNotAValue) {
  const ClaimContrasts c = mine(kFourProducts);
  EXPECT_FALSE(anywhere(c, "とき"));
  EXPECT_FALSE(anywhere(c, "場合"));
  // The same two templates without the other products' "とき" sentences: then it is
  // distinctive, and kept.
  const ClaimContrasts two = mine(
      "ABC-100でE-11が表示されたときは、ヒューズを交換します。\n"
      "ABC-200でE-12が表示された場合は、ヒューズを交換します。\n"
      "ABC-300の重量は1 kgです。\nABC-400の重量は2 kgです。\n");
  EXPECT_TRUE(contrasted(two, "ja", "とき", "場合"));
}

TEST(ClaimContrasts, TableColumnsGiveSetsOfWordedValues) {
  const ClaimContrasts c = mine(kTables);
  const ClaimContrast* meaning = find_set(c, "en", "table: Meaning");
  ASSERT_NE(meaning, nullptr);
  // Both products' error tables (same header) make one set; a cell with a value ("Fan stop 2") is
  // left out, and so are cells past the header's columns.
  EXPECT_EQ(meaning->phrases, (std::vector<std::string>{"overload", "overspeed", "undervoltage"}));
  const ClaimContrast* remedy = find_set(c, "en", "table: Remedy");
  ASSERT_NE(remedy, nullptr);
  EXPECT_EQ(remedy->phrases.size(), 3u);
  EXPECT_FALSE(anywhere(c, "anextracell"));
  // A column headed by the product holds one value per attribute: each row label is a set, and
  // the glued second spec table is a table of its own (not rows of the error table).
  const ClaimContrast* comm = find_set(c, "en", "table: row: Communication");
  ASSERT_NE(comm, nullptr);
  EXPECT_EQ(comm->phrases, (std::vector<std::string>{"canopen", "ethernet/ip"}));
  const ClaimContrast* isolation = find_set(c, "en", "table: row: Isolation");
  ASSERT_NE(isolation, nullptr);
  EXPECT_EQ(isolation->phrases, (std::vector<std::string>{"photocoupler", "relay"}));
  EXPECT_FALSE(contrasted(c, "en", "canopen", "photocoupler")) << "two attributes in one set";
  // The key column names rows, not values; lines without a |---| row under them are no table.
  EXPECT_FALSE(anywhere(c, "communication"));
  EXPECT_FALSE(anywhere(c, "notatable"));
  EXPECT_FALSE(anywhere(c, "neither"));
}

TEST(ClaimContrasts, TableCellsNamingAProductAreLeftOut) {
  // Product codes without digits are no value tokens: only the entity pattern keeps them out.
  StatementMiningOptions options;
  options.entity_pattern = "XY-[A-Z]{2}";
  const std::string text =
      "| Code | Meaning |\n|---|---|\n| E-1 | Overload |\n| E-2 | XY-AB fault |\n| E-3 | Overspeed |\n";
  const ClaimContrasts c = mine_statements({{"doc", text, true}}, options).claim_contrasts;
  const ClaimContrast* meaning = find_set(c, "en", "table: Meaning");
  ASSERT_NE(meaning, nullptr);
  EXPECT_EQ(meaning->phrases, (std::vector<std::string>{"overload", "overspeed"}));
}

TEST(ClaimContrasts, AStatementAndARecallClashWhenEachNamesAnotherPhraseOfASet) {
  const ClaimContrasts c = {{"en", "table: Meaning", {"lowvoltage", "overload", "overspeed"}},
                            {"ja", "sentences", {"アナログ入力", "アナログ出力"}}};
  auto clashes = claim_clashes(c, "Error code E-11 on the ABC-100 means: overspeed.", "The ABC-100 shows error code E-11 for Overload.");
  ASSERT_EQ(clashes.size(), 1u);
  EXPECT_EQ(clashes[0].in_statement, "overspeed");
  EXPECT_EQ(clashes[0].in_recall, "overload");
  // Any two phrases of a set; NFKC, case and spaces do not matter (full-width katakana, a space).
  EXPECT_EQ(claim_clashes(c, "E-13 means low voltage.", "E-13: OVERLOAD").size(), 1u);
  EXPECT_EQ(claim_clashes(c, "ABC-100のユニット種別はアナログ 入力である。", "ABC-100のユニット種別はｱﾅﾛｸﾞ出力です。").size(), 1u);
  // No clash: the recall names the same phrase, both, or none (another attribute).
  EXPECT_TRUE(claim_clashes(c, "E-11 on the ABC-100 means overload.", "The ABC-100 shows E-11 for overload.").empty());
  EXPECT_TRUE(claim_clashes(c, "E-11 on the ABC-100 means overload.", "E-11: overload; E-12: overspeed.").empty());
  EXPECT_TRUE(claim_clashes(c, "E-11 on the ABC-100 means overload.", "The ABC-100 weighs 1 kg.").empty());
  // Phrases match whole words: "off" is not in "speed of fan" nor "fan" in "fanless".
  const ClaimContrasts words = {{"en", "table: Fan", {"auto", "off"}}, {"en", "table: Cooling", {"fan", "natural"}}};
  EXPECT_TRUE(claim_clashes(words, "The fan runs in auto mode.", "The speed of fan is set.").empty());
  EXPECT_TRUE(claim_clashes(words, "Cooling: natural.", "A fanless unit.").empty());
  EXPECT_EQ(claim_clashes(words, "Cooling: natural.", "Cooling: fan.").size(), 1u);
  EXPECT_EQ(claim_clashes(words, "Fan: auto", "Fan: OFF.").size(), 1u);
  // A statement naming both claims neither against the other.
  EXPECT_TRUE(claim_clashes(c, "overload, not overspeed", "overspeed").empty());
  EXPECT_TRUE(claim_clashes({}, "overload", "overspeed").empty());
  // The same two phrases in two sets (both languages, a sentence pair and a table): one clash.
  const ClaimContrasts twice = {{"en", "sentences", {"canopen", "ethernet/ip"}}, {"ja", "table: 内蔵通信", {"canopen", "ethernet/ip"}}};
  EXPECT_EQ(claim_clashes(twice, "The ABC-100 has CANopen.", "The ABC-100 has EtherNet/IP.").size(), 1u);
}

TEST(ClaimContrasts, FileRoundTripAndErrorsNameTheLine) {
  const auto dir = std::filesystem::temp_directory_path() / ("gemba-claim-contrasts-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string path = (dir / "contrasts.jsonl").string();
  ClaimContrasts c = mine(kFourProducts);
  for (const auto& t : mine(kTables)) c.push_back(t);
  std::ofstream(path) << claim_contrasts_to_jsonl(c);
  const ClaimContrasts back = load_claim_contrasts(path);
  ASSERT_EQ(back.size(), c.size());
  for (size_t i = 0; i < c.size(); ++i) {
    EXPECT_EQ(back[i].lang, c[i].lang);
    EXPECT_EQ(back[i].slot, c[i].slot);
    EXPECT_EQ(back[i].phrases, c[i].phrases);
  }
  auto error_of = [&](const std::string& text) -> std::string {
    std::ofstream(path) << text;
    try {
      load_claim_contrasts(path);
    } catch (const gemba::Error& e) {
      return e.what();
    }
    return "(accepted)";
  };
  const std::string good = "{\"lang\":\"en\",\"slot\":\"sentences\",\"phrases\":[\"overload\",\"overspeed\"]}\n\n";
  std::string e = error_of(good + "{\"lang\":\"en\",\"slot\":\"sentences\",\"phrases\":[\"overload\"]}\n");
  EXPECT_NE(e.find("contrasts.jsonl:3"), std::string::npos) << e;
  EXPECT_NE(e.find("'phrases'"), std::string::npos) << e;
  e = error_of(good + "{\"slot\":\"sentences\",\"phrases\":[\"a\",\"b\"]}\n");
  EXPECT_NE(e.find("'lang'"), std::string::npos) << e;
  e = error_of("{\"lang\":\"en\",\"slot\":\"s\",\"phrases\":[\"ab\",7]}\n");
  EXPECT_NE(e.find("contrasts.jsonl:1"), std::string::npos) << e;
  // A phrase of one character (after spaces) would match nearly any text.
  e = error_of("{\"lang\":\"en\",\"slot\":\"s\",\"phrases\":[\"ab\",\" x \"]}\n");
  EXPECT_NE(e.find("two or more characters"), std::string::npos) << e;
  for (const char* line : {"[1,2]\n", "null\n", "\"x\"\n", "{\"lang\":\"en\",\"slot\":\"s\",\"phrases\":\"ab\"}\n"}) {
    e = error_of(line);
    EXPECT_NE(e.find("contrasts.jsonl:1"), std::string::npos) << line << " -> " << e;
  }
  EXPECT_NE(error_of("not json\n"), "(accepted)");
  EXPECT_THROW(load_claim_contrasts((dir / "missing.jsonl").string()), gemba::Error);
  std::filesystem::remove_all(dir);
}
