// train: a conversation longer than --seq-len is trained whole, in rows that keep the question.
#include <gtest/gtest.h>

#include "train/long-rows.h"

using namespace gemba::train;

namespace {

// Question tokens 1..q (no loss), answer tokens 100..100+a-1 (loss).
SftRow conversation(int q, int a) {
  SftRow r;
  for (int i = 1; i <= q; ++i) r.ids.push_back(i), r.is_target.push_back(0);
  for (int i = 0; i < a; ++i) r.ids.push_back(100 + i), r.is_target.push_back(1);
  return r;
}

}  // namespace

TEST(LongRows, EveryAnswerTokenIsTrainedOnceWithTheQuestion) {
  SftRow row = conversation(10, 100);
  std::vector<SftRow> rows = split_long_row(row, 40, 0.25);
  ASSERT_GT(rows.size(), 1u);
  std::vector<int> trained;
  for (const auto& r : rows) {
    EXPECT_LE(r.ids.size(), 40u);
    ASSERT_EQ(r.ids.size(), r.is_target.size());
    for (int i = 0; i < 10; ++i) EXPECT_EQ(r.ids[static_cast<size_t>(i)], i + 1);  // the question leads every row
    for (size_t i = 0; i < r.ids.size(); ++i)
      if (r.is_target[i]) trained.push_back(r.ids[i]);
  }
  ASSERT_EQ(trained.size(), 100u);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(trained[static_cast<size_t>(i)], 100 + i);
  // A continuation row shows the answer tokens just before its own, without loss.
  EXPECT_EQ(rows[1].ids[10], 100 + 30 - 7);
  EXPECT_EQ(rows[1].is_target[10], 0);
}

TEST(LongRows, ShortRowsAndHugeQuestions) {
  SftRow fits = conversation(5, 5);
  EXPECT_EQ(split_long_row(fits, 40).size(), 1u);
  EXPECT_EQ(split_long_row(fits, 40)[0].ids, fits.ids);
  SftRow huge_question = conversation(38, 20);
  auto rows = split_long_row(huge_question, 40);
  ASSERT_EQ(rows.size(), 1u);  // cut, as before: the question leaves no room for an answer
  EXPECT_EQ(rows[0].ids.size(), 40u);
}
