#include <gtest/gtest.h>

#include "eval/rule-grader.h"

using gemba::eval::grade_answer_by_rule;

TEST(RuleGrader, ReadsJapaneseVerdicts) {
  EXPECT_EQ(grade_answer_by_rule("正しい。E-21は過電流です。"), true);
  EXPECT_EQ(grade_answer_by_rule("誤りです。正しくは200Vです。"), false);
  EXPECT_EQ(grade_answer_by_rule("正しくありません"), false);
  EXPECT_EQ(grade_answer_by_rule("その記述は正しくない。"), false);
  EXPECT_EQ(grade_answer_by_rule("  はい、その通りです"), true);
  EXPECT_EQ(grade_answer_by_rule("いいえ"), false);
}

TEST(RuleGrader, ReadsEnglishVerdictsAsWholeWords) {
  EXPECT_EQ(grade_answer_by_rule("True. The rated current is 2.8 A."), true);
  EXPECT_EQ(grade_answer_by_rule("False: it is 24 V."), false);
  EXPECT_EQ(grade_answer_by_rule("Incorrect, the default is 100."), false);
  EXPECT_EQ(grade_answer_by_rule("No."), false);
  EXPECT_EQ(grade_answer_by_rule("I do not know"), std::nullopt);  // "no" inside "not"/"know" ignored
}

TEST(RuleGrader, UnparsedWhenNoMarkerNearTheStart) {
  EXPECT_EQ(grade_answer_by_rule(""), std::nullopt);
  EXPECT_EQ(grade_answer_by_rule("サーボアンプの定格電流は2.8Aです。"), std::nullopt);
}

TEST(RuleGrader, SkipsLeadingBrackets) {
  EXPECT_EQ(grade_answer_by_rule("「正しい」です"), true);
  EXPECT_EQ(grade_answer_by_rule("『誤り』"), false);
}
