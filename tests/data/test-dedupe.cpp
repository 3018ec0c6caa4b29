// data: MinHash/LSH near-duplicate detection and exact dedupe.
#include <gtest/gtest.h>

#include <cmath>

#include "data/dedupe.h"
#include "data/minhash.h"

using namespace gemba::data;

namespace {

const std::string kParagraph =
    "When the servo amplifier shows alarm E-21 the encoder cable is disconnected or damaged. "
    "Switch off the main power, check the connector on the motor side and the amplifier side, "
    "replace the cable if the shield is broken, then reset the alarm from the front panel.";

}  // namespace

TEST(MinHash, SimilarityTracksJaccard) {
  std::string edited = kParagraph;
  edited.replace(edited.find("damaged"), 7, "worn out");
  double exact = shingle_jaccard(kParagraph, edited, 5);
  double estimate = minhash_similarity(minhash_signature(kParagraph, 5, 256), minhash_signature(edited, 5, 256));
  EXPECT_GT(exact, 0.8);
  EXPECT_LT(exact, 1.0);
  EXPECT_NEAR(estimate, exact, 0.1);  // std. error sqrt(J(1-J)/256) < 0.03
  double unrelated = minhash_similarity(minhash_signature(kParagraph, 5, 128),
                                        minhash_signature("インバーターの加速時間を設定する方法について説明します。", 5, 128));
  EXPECT_LT(unrelated, 0.05);
  EXPECT_EQ(minhash_similarity(minhash_signature("abc", 5, 64), minhash_signature("abc", 5, 64)), 1.0);
}

TEST(MinHash, LshBandShapeFitsThreshold) {
  for (double t : {0.5, 0.7, 0.85, 0.95}) {
    LshIndex index(128, t);
    ASSERT_LE(index.bands() * index.rows(), 128);
    EXPECT_LE(std::pow(1.0 / index.bands(), 1.0 / index.rows()), t + 1e-9);
  }
  LshIndex index(128, 0.8);
  auto sig = minhash_signature(kParagraph, 5, 128);
  index.insert(7, sig);
  EXPECT_EQ(index.candidates(sig), std::vector<size_t>{7});
  EXPECT_TRUE(index.candidates(minhash_signature("completely different text here", 5, 128)).empty());
}

TEST(Dedupe, ExactAndNearDuplicatesFirstOccurrenceWins) {
  Deduplicator dedupe(DedupeOptions{});
  EXPECT_EQ(dedupe.add(kParagraph).kind, DuplicateKind::kUnique);
  EXPECT_EQ(dedupe.add("something else entirely, about inverters and their acceleration time").kind, DuplicateKind::kUnique);
  auto exact = dedupe.add(kParagraph);
  EXPECT_EQ(exact.kind, DuplicateKind::kExact);
  EXPECT_EQ(exact.duplicate_of, 0u);
  std::string edited = kParagraph;
  edited.replace(edited.find("Switch off"), 10, "Turn off");
  auto near = dedupe.add(edited);
  EXPECT_EQ(near.kind, DuplicateKind::kNear);
  EXPECT_EQ(near.duplicate_of, 0u);
  EXPECT_GE(near.similarity, 0.85);
  EXPECT_EQ(dedupe.size(), 4u);
}

TEST(Dedupe, DifferentNumbersAreDifferentFacts) {
  Deduplicator dedupe(DedupeOptions{});
  std::string a = kParagraph + " Rated current 2.5 A.";
  std::string b = kParagraph + " Rated current 3.5 A.";
  EXPECT_EQ(dedupe.add(a).kind, DuplicateKind::kUnique);
  EXPECT_EQ(dedupe.add(b).kind, DuplicateKind::kUnique);
  EXPECT_EQ(extract_numbers("E-21 at 2.5 A, v1."), (std::vector<std::string>{"21", "2.5", "1"}));
}

TEST(Dedupe, ExactOnlyModeKeepsNearDuplicates) {
  DedupeOptions options;
  options.near = false;
  Deduplicator dedupe(options);
  std::string edited = kParagraph;
  edited.replace(edited.find("Switch off"), 10, "Turn off");
  EXPECT_EQ(dedupe.add(kParagraph).kind, DuplicateKind::kUnique);
  EXPECT_EQ(dedupe.add(edited).kind, DuplicateKind::kUnique);
  EXPECT_EQ(dedupe.add(edited).kind, DuplicateKind::kExact);
}

TEST(Dedupe, JapaneseNearDuplicates) {
  std::string a = "サーボアンプにアラームE-21が表示された場合、エンコーダケーブルの断線または接続不良が考えられます。"
                  "主電源を切り、モータ側とアンプ側のコネクタを確認してください。"
                  "アラームをリセットするには前面パネルのリセットボタンを押してください。"
                  "電源を再投入しても解除されない場合は販売店にお問い合わせください。";
  std::string b = a;
  b.replace(b.find("考えられます"), std::string("考えられます").size(), "考えられる");
  Deduplicator dedupe(DedupeOptions{});
  dedupe.add(a);
  EXPECT_EQ(dedupe.add(b).kind, DuplicateKind::kNear);
}
