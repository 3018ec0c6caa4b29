// data: DPO pair mining (char n-gram TF-IDF cosine) on a small hand-made FAQ in English and
// Japanese: expected negatives, duplicate exclusion, floor/cap rules, determinism, errors.
#include <gtest/gtest.h>

#include <map>

#include "core/error.h"
#include "core/json.h"
#include "data/pairs.h"

using namespace gemba::data;

namespace {

std::vector<FaqPair> hand_made_faq() {
  return {
      {"en0", "What does E-21 mean?", "E-21 means the encoder cable is disconnected. Check the encoder cable connector."},
      {"en1", "What does E-22 mean?", "E-22 means the encoder battery voltage is low. Replace the encoder battery."},
      {"en2", "How do I clean the filter?", "Remove the filter cover and wash the filter with water once a month."},
      {"en3", "How often is the filter replaced?", "Replace the filter every six months and wash the filter cover."},
      // en0's answer again: full-width letters/digits and extra spaces, identical after NFKC + whitespace.
      {"en4", "What does E-21 indicate?",
       "\xEF\xBC\xA5-\xEF\xBC\x92\xEF\xBC\x91 means the encoder cable is disconnected.   Check the encoder cable connector."},
      {"ja0", "サーボアンプのE-30とは?", "E-30は過電流です。モータの配線と絶縁抵抗を確認してください。"},
      {"ja1", "E-31とは?", "E-31は過電圧です。回生抵抗の配線を確認してください。"},
      {"ja2", "潤滑油の交換時期は?", "潤滑油は3000時間ごとに交換してください。"},
      {"ja3", "グリースの補給は?", "グリースは500時間ごとに補給してください。"},
  };
}

std::map<std::string, std::vector<std::string>> rejected_by_question(const PairMiningResult& r) {
  std::map<std::string, std::vector<std::string>> m;
  for (const auto& p : r.pairs) m[p.chosen_id].push_back(p.rejected_id);
  return m;
}

PairMiningOptions loose() {
  PairMiningOptions o;
  o.min_similarity = 0.0;
  o.max_similarity = 0.95;
  return o;
}

}  // namespace

TEST(Pairs, PicksTheMostSimilarOtherAnswerInEnglishAndJapanese) {
  auto faq = hand_made_faq();
  auto result = mine_pairs(faq, loose());
  auto m = rejected_by_question(result);
  EXPECT_EQ(m["en0"], std::vector<std::string>{"en1"});
  EXPECT_EQ(m["en4"], std::vector<std::string>{"en1"});
  EXPECT_EQ(m["en2"], std::vector<std::string>{"en3"});
  EXPECT_EQ(m["en3"], std::vector<std::string>{"en2"});
  EXPECT_EQ(m["ja0"], std::vector<std::string>{"ja1"});
  EXPECT_EQ(m["ja1"], std::vector<std::string>{"ja0"});
  EXPECT_EQ(m["ja2"], std::vector<std::string>{"ja3"});
  EXPECT_EQ(m["ja3"], std::vector<std::string>{"ja2"});
  ASSERT_EQ(m["en1"].size(), 1u);
  EXPECT_TRUE(m["en1"][0] == "en0" || m["en1"][0] == "en4");
  for (const auto& p : result.pairs) {
    for (const auto& e : faq)
      if (e.id == p.chosen_id) {
        EXPECT_EQ(p.prompt, e.question);
        EXPECT_EQ(p.chosen, e.answer);
      }
    EXPECT_GT(p.similarity, 0.0);
    EXPECT_LE(p.similarity, 0.95);
  }
  EXPECT_EQ(result.report.pairs, faq.size());
  size_t hist = 0;
  for (size_t c : result.report.histogram) hist += c;
  EXPECT_EQ(hist, result.pairs.size());
}

TEST(Pairs, NeverPicksTheChosenAnswersDuplicate) {
  auto faq = hand_made_faq();
  PairMiningOptions o = loose();
  o.max_similarity = 1.0;  // only the normalization rule stands between en0 and en4
  o.per_question = 4;
  auto result = mine_pairs(faq, o);
  for (const auto& p : result.pairs) {
    EXPECT_NE(pair_text_key(p.chosen), pair_text_key(p.rejected)) << p.chosen_id << " vs " << p.rejected_id;
    EXPECT_NE(p.chosen_id, p.rejected_id);
  }
  auto m = rejected_by_question(result);
  for (const auto& id : m["en0"]) EXPECT_NE(id, "en4");
  for (const auto& id : m["en4"]) EXPECT_NE(id, "en0");
  EXPECT_GE(result.report.excluded_identical, 2u);
  // en1 sees en0 and en4 (same text): only one of them is used.
  size_t dup = 0;
  for (const auto& id : m["en1"]) dup += (id == "en0" || id == "en4");
  EXPECT_EQ(dup, 1u);
  EXPECT_GE(result.report.excluded_repeated, 1u);
}

TEST(Pairs, AnswersDifferingOnlyInSpacesAreDuplicates) {
  std::vector<FaqPair> faq = {
      {"a", "E-21とは?", "E-21はエンコーダ断線です。配線を確認してください。"},
      {"b", "E-22とは?", "E-22はエンコーダ電池電圧低下です。電池を交換してください。"},
      {"c", "E-21?", "E-21は\xE3\x80\x80エンコーダ断線です。 配線を確認 してください。"},  // U+3000 and spaces
  };
  PairMiningOptions o = loose();
  o.max_similarity = 1.0;
  o.per_question = 2;
  EXPECT_EQ(pair_text_key(faq[0].answer), pair_text_key(faq[2].answer));
  auto r = mine_pairs(faq, o);
  for (const auto& p : r.pairs) EXPECT_FALSE((p.chosen_id == "a" && p.rejected_id == "c") || (p.chosen_id == "c" && p.rejected_id == "a"));
  EXPECT_EQ(r.report.excluded_identical, 2u);
}

TEST(Pairs, SimilarityCapAndFloorExcludeAndCount) {
  auto faq = hand_made_faq();
  auto base = mine_pairs(faq, loose());
  double sim_en0 = 0;
  for (const auto& p : base.pairs)
    if (p.chosen_id == "en0") sim_en0 = p.similarity;
  ASSERT_GT(sim_en0, 0.0);

  PairMiningOptions capped = loose();
  capped.max_similarity = sim_en0 - 1e-3;
  auto r = mine_pairs(faq, capped);
  for (const auto& p : r.pairs) {
    EXPECT_LE(p.similarity, capped.max_similarity);
    EXPECT_FALSE(p.chosen_id == "en0" && p.rejected_id == "en1");
  }
  EXPECT_GE(r.report.excluded_above_max, 1u);

  PairMiningOptions floor = loose();
  floor.min_similarity = 0.9;
  auto f = mine_pairs(faq, floor);
  EXPECT_TRUE(f.pairs.empty());
  EXPECT_EQ(f.report.questions_without_pair, faq.size());
  EXPECT_EQ(f.report.excluded_below_min, faq.size());
  EXPECT_NE(format_pair_report(f.report, floor).find("similarity <"), std::string::npos);
}

TEST(Pairs, DeterministicAcrossThreadsAndRandomBaselineNeverPicksItself) {
  auto faq = hand_made_faq();
  PairMiningOptions one = loose(), two = loose();
  one.per_question = two.per_question = 3;
  two.threads = 2;
  EXPECT_EQ(pairs_to_jsonl(mine_pairs(faq, one).pairs), pairs_to_jsonl(mine_pairs(faq, two).pairs));

  PairMiningOptions rnd = loose();
  rnd.random = true;
  rnd.seed = 7;
  auto a = mine_pairs(faq, rnd), b = mine_pairs(faq, rnd);
  EXPECT_EQ(pairs_to_jsonl(a.pairs), pairs_to_jsonl(b.pairs));
  EXPECT_EQ(a.pairs.size(), faq.size());
  for (const auto& p : a.pairs) {
    EXPECT_NE(p.chosen_id, p.rejected_id);
    EXPECT_NE(pair_text_key(p.chosen), pair_text_key(p.rejected));
  }
  // Over several seeds the random baseline does not always pick the most similar answer.
  auto best = rejected_by_question(mine_pairs(faq, loose()));
  size_t differs = 0;
  for (uint64_t seed = 0; seed < 5; ++seed) {
    rnd.seed = seed;
    for (const auto& p : mine_pairs(faq, rnd).pairs) differs += best[p.chosen_id][0] != p.rejected_id;
  }
  EXPECT_GT(differs, 0u);
}

TEST(Pairs, JsonlIsTrlFormatWithSimilarityAndIds) {
  auto faq = hand_made_faq();
  auto result = mine_pairs(faq, loose());
  std::string jsonl = pairs_to_jsonl(result.pairs);
  size_t lines = 0, pos = 0;
  while (pos < jsonl.size()) {
    size_t nl = jsonl.find('\n', pos);
    ASSERT_NE(nl, std::string::npos);
    auto j = gemba::parse_json(jsonl.substr(pos, nl - pos), "pairs line");
    const auto& p = result.pairs[lines];
    EXPECT_EQ(j.at("prompt").get<std::string>(), p.prompt);
    EXPECT_EQ(j.at("chosen").get<std::string>(), p.chosen);
    EXPECT_EQ(j.at("rejected").get<std::string>(), p.rejected);
    EXPECT_NEAR(j.at("similarity").get<double>(), p.similarity, 1e-6);
    EXPECT_EQ(j.at("chosen_id").get<std::string>(), p.chosen_id);
    EXPECT_EQ(j.at("rejected_id").get<std::string>(), p.rejected_id);
    ++lines;
    pos = nl + 1;
  }
  EXPECT_EQ(lines, result.pairs.size());
}

TEST(Pairs, BadInputIsAnErrorNamingTheEntry) {
  auto faq = hand_made_faq();
  faq[2].answer = std::string("bad \xC3\x28 byte");
  try {
    mine_pairs(faq, loose());
    FAIL() << "no error";
  } catch (const gemba::Error& e) {
    EXPECT_NE(std::string(e.what()).find("en2"), std::string::npos) << e.what();
  }
  EXPECT_THROW(mine_pairs({faq[0]}, loose()), gemba::Error);
  PairMiningOptions bad = loose();
  bad.per_question = 0;
  EXPECT_THROW(mine_pairs(hand_made_faq(), bad), gemba::Error);
  bad = loose();
  bad.min_similarity = 0.8;
  bad.max_similarity = 0.5;
  EXPECT_THROW(mine_pairs(hand_made_faq(), bad), gemba::Error);
}

// Candidate pruning (frequent n-grams skipped, top query n-grams only) against the exhaustive
// search on a synthetic FAQ large enough for the pruning to apply: never a better pair than
// the exhaustive one, and the same pick for nearly every question.
TEST(Pairs, PrunedCandidatesAgreeWithExhaustiveSearch) {
  const char* parts[] = {"エンコーダ", "サーボアンプ", "モータ", "ブレーキ", "冷却ファン", "電源ユニット", "回生抵抗", "ケーブル",
                         "コネクタ", "センサ", "バッテリ", "フィルタ", "encoder", "relay", "inverter", "valve"};
  const char* faults[] = {"過電流", "過電圧", "不足電圧", "過熱", "断線", "短絡", "通信異常", "overload", "timeout", "leak"};
  const char* actions[] = {"配線を確認", "交換", "清掃", "締め直し", "再起動", "check the wiring", "replace the part"};
  std::vector<FaqPair> faq;
  uint64_t s = 99;
  auto next = [&](uint64_t m) {
    s = s * 6364136223846793005ull + 1442695040888963407ull;
    return (s >> 33) % m;
  };
  for (int i = 0; i < 1500; ++i) {
    std::string code = gemba::cat("EAFW"[next(4)], "-", 100 + next(900));
    std::string a = code + "は" + parts[next(16)] + "の" + faults[next(10)] + "です。" + parts[next(16)] + "の" +
                    actions[next(7)] + "をしてください。改善しない場合は" + std::to_string(100 * (1 + next(50))) +
                    "時間以内に連絡してください。";
    faq.push_back({gemba::cat("s", i), code + "とは?", a});
  }
  PairMiningOptions pruned = loose();
  pruned.threads = 2;
  PairMiningOptions exact = loose();
  exact.max_document_frequency = 1.0;
  exact.max_query_terms = 1 << 20;
  exact.threads = 2;
  auto a = mine_pairs(faq, pruned), b = mine_pairs(faq, exact);
  std::map<std::string, const MinedPair*> best;
  for (const auto& p : b.pairs) best[p.chosen_id] = &p;
  size_t same = 0;
  for (const auto& p : a.pairs) {
    ASSERT_TRUE(best.count(p.chosen_id)) << p.chosen_id;
    EXPECT_LE(p.similarity, best[p.chosen_id]->similarity + 1e-9);
    same += p.similarity >= best[p.chosen_id]->similarity - 1e-6;
  }
  EXPECT_GE(a.pairs.size(), faq.size() * 95 / 100);
  EXPECT_GE(same, a.pairs.size() * 90 / 100) << same << " of " << a.pairs.size();
}
