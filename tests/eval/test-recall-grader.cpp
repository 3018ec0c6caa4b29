#include <gtest/gtest.h>

#include <map>

#include "eval/accuracy-report.h"
#include "eval/recall-grader.h"

using gemba::eval::compare_recall;
using gemba::eval::value_tokens;

TEST(RecallGrader, ValueTokensAreNumbersAndCodes) {
  EXPECT_EQ(value_tokens("The program capacity of the ZCP-110 is 64k steps (P0-02, 0.35 A, x1)."),
            (std::vector<std::string>{"ZCP-110", "64k", "P0-02", "0.35", "x1"}));
  EXPECT_EQ(value_tokens("Press [MENU] for 3 s on RS-232C."), (std::vector<std::string>{"MENU", "3", "RS-232C"}));
  // NFKC: full-width digits and letters are the same values.
  EXPECT_EQ(value_tokens("ＺＣＰ－１１０の電流は０.３５ Ａ"), (std::vector<std::string>{"ZCP-110", "0.35"}));
}

TEST(RecallGrader, SameValuesAgreeWhateverThePhrasing) {
  EXPECT_TRUE(compare_recall("ZCP-110の基本命令処理時間は60 nsです。", "ZCP-110の基本命令処理時間は60 nsである。").agrees);
  EXPECT_TRUE(compare_recall("For the ZCP-520, the maximum number of I/O points is 4096 points.",
                             "The ZCP-520 handles up to 4096 I/O points.")
                  .agrees);
  EXPECT_TRUE(compare_recall("ZCP-110でE-34が表示されたときは、通信タイムアウトが発生しています。",
                             "ZCP-110でエラーコードE-34が表示されたとき、その内容は「通信タイムアウト」である。")
                  .agrees);
}

TEST(RecallGrader, ADifferentValueDisagreesAndIsNamed) {
  auto c = compare_recall("The program capacity of the ZCP-110 is 16k steps.", "The program capacity of the ZCP-110 is 64k steps.");
  EXPECT_FALSE(c.agrees);
  EXPECT_EQ(c.only_in_statement, (std::vector<std::string>{"64k"}));
  EXPECT_EQ(c.only_in_recall, (std::vector<std::string>{"16k"}));
  // Another product, or a value missing from the recall, disagrees too.
  EXPECT_FALSE(compare_recall("ZCP-120の最大入出力点数は256点です。", "ZCP-110の最大入出力点数は256点である。").agrees);
  EXPECT_FALSE(compare_recall("ZCP-110の最大入出力点数です。", "ZCP-110の最大入出力点数は256点である。").agrees);
  // A quoted value the recall does not contain.
  EXPECT_FALSE(compare_recall("ZCP-110でE-34が表示されたときは、過電流が発生しています。",
                              "ZCP-110でE-34が表示されたとき、その内容は「通信タイムアウト」である。")
                   .agrees);
}

TEST(RecallGrader, WordedValuesOutsideQuotesAreNotCompared) {
  // Without claim contrasts (below), a swap between two plain-word values reads as agreeing.
  EXPECT_TRUE(compare_recall("E-54 on the ZCP-110 means low battery voltage.",
                             "E-54 on the ZCP-110 means momentary power failure detected.")
                  .agrees);
}

TEST(RecallGrader, ClaimContrastsCompareWordedValues) {
  // With the pairs the manuals swap between products (data/claim-contrasts.h), a worded value
  // in place of the statement's is a contradiction, named like any other value.
  const gemba::data::ClaimContrasts contrasts = {
      {"en", "table: Meaning", {"lowbatteryvoltage", "momentarypowerfailuredetected", "overload"}},
      {"ja", "sentences", {"アナログ入力", "アナログ出力"}}};
  auto c = compare_recall("E-54 on the ZCP-110 means low battery voltage.",
                          "E-54 on the ZCP-110 means momentary power failure detected.", contrasts);
  EXPECT_FALSE(c.agrees);
  EXPECT_EQ(c.only_in_statement, (std::vector<std::string>{"momentarypowerfailuredetected"}));
  EXPECT_EQ(c.only_in_recall, (std::vector<std::string>{"lowbatteryvoltage"}));
  EXPECT_FALSE(compare_recall("ZIO-A62の仕様上のユニット種別はアナログ出力となっています。", "ZIO-A62のユニット種別はアナログ入力である。",
                              contrasts)
                   .agrees);
  // The same worded value in other words still agrees; so does a recall naming neither word.
  EXPECT_TRUE(compare_recall("ZIO-A62はユニット種別がアナログ入力のI/Oユニットです。", "ZIO-A62のユニット種別はアナログ入力である。",
                             contrasts)
                  .agrees);
  EXPECT_TRUE(compare_recall("E-54 on the ZCP-110: see the manual.", "E-54 on the ZCP-110 means low battery voltage.", contrasts).agrees);
  // A quoted worded value is listed once, not again as a worded one.
  const gemba::data::ClaimContrasts meanings = {{"ja", "table: 内容", {"演算エラー", "i/o割付不一致"}}};
  auto q = compare_recall("ZCP-750でE-75(I/O割付不一致)が発生しました。", "ZCP-750でエラーコードE-75が表示されたとき、その内容は「演算エラー」である。",
                          meanings);
  EXPECT_EQ(q.only_in_statement, (std::vector<std::string>{"「演算エラー」"}));
  EXPECT_EQ(q.only_in_recall, (std::vector<std::string>{"i/o割付不一致"}));
  // The strict reading: the reference's worded value, not the other one.
  using gemba::eval::recall_names_reference;
  const std::string reference = "False. Correct statement: The unit type of the ZIO-A62 is analog output (アナログ出力).";
  EXPECT_EQ(recall_names_reference("ZIO-A62のユニット種別はアナログ出力です。", reference, contrasts), true);
  EXPECT_EQ(recall_names_reference("ZIO-A62のユニット種別はアナログ入力です。", reference, contrasts), false);
}

TEST(RecallGrader, EmptyRecallDisagreesWithAStatementThatHasValues) {
  EXPECT_FALSE(compare_recall("", "The rated current of the ZSV-B21 is 2.8 A.").agrees);
}

TEST(RecallGrader, StrictReadingNeedsTheReferencesValues) {
  using gemba::eval::recall_names_reference;
  const std::string reference = "False. Correct statement: The program capacity of the ZCP-110 is 8k steps.";
  EXPECT_EQ(recall_names_reference("The program capacity of the ZCP-110 is 8k steps.", reference), true);
  // Differs from a false "64k" statement, so the verdict is right, but it recalls another value...
  EXPECT_EQ(recall_names_reference("The program capacity of the ZCP-110 is 16k steps.", reference), false);
  // ... or another attribute altogether.
  EXPECT_EQ(recall_names_reference("ZCP-110 P0-02 default: 20 ms.", reference), false);
  // A quoted value of the reference must be there too.
  EXPECT_EQ(recall_names_reference("ZCP-110でE-34が表示されたときは、過電流が発生しています。",
                                   "誤り。正しくは、ZCP-110でE-34が表示されたとき、その内容は「通信タイムアウト」である。"),
            false);
  // A reference that names no values cannot tell.
  EXPECT_EQ(recall_names_reference("anything", "False."), std::nullopt);
  EXPECT_EQ(recall_names_reference("anything", ""), std::nullopt);
}

TEST(RecallGrader, StrictRowsCountOnlyRightVerdictsWithTheRightValue) {
  using gemba::eval::ItemResult;
  auto item = [](std::string split, bool correct, std::optional<bool> names_reference) {
    ItemResult r;
    r.item.split = std::move(split);
    r.correct = correct;
    r.names_reference = names_reference;
    return r;
  };
  // faq: right verdict + right value, right verdict + wrong value, wrong verdict; manual: no reference values.
  std::vector<ItemResult> results{item("faq", true, true), item("faq", true, false), item("faq", false, true),
                                  item("manual", true, std::nullopt)};
  std::map<std::string, gemba::eval::AccuracyRow> rows;
  for (const auto& r : gemba::eval::accuracy_rows(results)) rows[r.group] = r;
  EXPECT_EQ(rows.at("all").correct, 3u);
  EXPECT_EQ(rows.at("strict").correct, 2u);
  EXPECT_EQ(rows.at("strict split=faq").correct, 1u);
  EXPECT_EQ(rows.at("strict split=faq").n, 3u);
  EXPECT_EQ(rows.at("strict split=manual").correct, 1u);
  // Without any recall grading there are no strict rows.
  results = {item("faq", true, std::nullopt)};
  for (const auto& r : gemba::eval::accuracy_rows(results)) EXPECT_EQ(r.group.rfind("strict", 0), std::string::npos) << r.group;
}
