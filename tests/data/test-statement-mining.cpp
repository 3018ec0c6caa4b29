// data: true/false statement mining from manual/FAQ text (src/data/statement-mining.h) on
// small hand-made English and Japanese texts about three fake products: the expected false
// statements (value swapped, entity kept), skipped sentences, the "true elsewhere" rule,
// determinism, balance, the SFT JSONL format, and a bad --entity-pattern.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "data/chat-data.h"
#include "data/statement-mining.h"
#include "data/truefalse-format.h"

using namespace gemba::data;

namespace {

std::vector<StatementSourceText> hand_made_texts() {
  std::string en =
      "# ABC-100 product guide\n"
      "\n"
      "| Model | Output |\n"
      "| ABC-100 | 100 W |\n"
      "ABC-100 has a rated output of 100 W.\n"
      "ABC-200 has a rated output of 200 W. ABC-300 has a rated output of 400 W.\n"
      "ABC-100 and ABC-200 share the same frame size of 60 mm.\n"
      "The rated output of the series is given in watts.\n"
      "- ABC-100 weighs 1 kg.\n"
      "- ABC-200 weighs 2 kg.\n"
      "1. ABC-300 weighs 2 kg.\n"
      "ABC-100 supports mode A only.\n"
      "ABC-100 supports mode B only.\n"
      "ABC-200 supports mode B only.\n"
      "What is the rated output of the ABC-300?\n"
      "What is the rated output of the ABC-200?\n"
      "Q. Tell me the rated output of the ABC-200.\n"
      "A. ABC-200 has a rated input of 230 W.\n"
      "Q. Tell me the rated output of the ABC-300.\n"
      "A. ABC-300 has a rated input of 460 W.\n";
  std::string ja =
      "# ABC-200 取扱説明書\n"
      "ABC-100の定格出力は100 Wです。ABC-200の定格出力は200 Wです。\n"
      "ABC-300の定格出力は400 Wです。\n"
      "ABC-100のタイムアウトは5分です。\n"
      "ABC-200のタイムアウトは15分です。\n"
      "ABC-100の保護等級はIP65です。\n"
      "ABC-200の保護等級はIP20です。\n"
      "> ABC-300の保護等級はIP67です。\n"
      "ABC-100の定格出力は何Wですか。\n"
      "ABC-300の定格出力は何Wですか。\n";
  return {{"manual-en.md", en, true}, {"manual-ja.md", ja, true},
          {"faq.jsonl:3", "ABC-300のタイムアウトは30分です。", false}};
}

StatementMiningOptions options(int per_sentence = 1, uint64_t seed = 7) {
  StatementMiningOptions o;
  o.entity_pattern = "ABC-[0-9]{3}";
  o.per_sentence = per_sentence;
  o.seed = seed;
  return o;
}

std::set<std::string> texts_with_label(const StatementMiningResult& r, bool label) {
  std::set<std::string> out;
  for (const auto& s : r.statements)
    if (s.label == label) out.insert(s.statement);
  return out;
}

TEST(StatementMining, SplitsSentencesDropsTablesAndHeadingsStripsMarkers) {
  auto sentences = split_corpus_sentences(hand_made_texts()[0], options());
  std::vector<std::string> texts;
  for (const auto& s : sentences) texts.push_back(s.text);
  EXPECT_EQ(std::count(texts.begin(), texts.end(), "ABC-200 has a rated output of 200 W."), 1);
  EXPECT_EQ(std::count(texts.begin(), texts.end(), "ABC-300 has a rated output of 400 W."), 1);
  EXPECT_EQ(std::count(texts.begin(), texts.end(), "ABC-100 weighs 1 kg."), 1);   // "- " stripped
  EXPECT_EQ(std::count(texts.begin(), texts.end(), "ABC-300 weighs 2 kg."), 1);   // "1. " stripped
  EXPECT_EQ(std::count(texts.begin(), texts.end(), "ABC-300 has a rated input of 460 W."), 1);  // "A. " stripped
  for (const auto& t : texts) EXPECT_EQ(t.find("Tell me"), std::string::npos) << "Q&A question kept: " << t;
  for (const auto& t : texts) {
    EXPECT_NE(t[0], '|') << t;
    EXPECT_NE(t[0], '#') << t;
  }
  // Source lines count from 1 and include the dropped lines.
  EXPECT_EQ(sentences[0].text, "ABC-100 has a rated output of 100 W.");
  EXPECT_EQ(sentences[0].source, "manual-en.md:5");

  auto ja = split_corpus_sentences(hand_made_texts()[1], options());
  ASSERT_GE(ja.size(), 2u);
  EXPECT_EQ(ja[0].text, "ABC-100の定格出力は100 Wです。");
  EXPECT_EQ(ja[1].text, "ABC-200の定格出力は200 Wです。");
  EXPECT_EQ(ja[1].source, "manual-ja.md:2");
  EXPECT_TRUE(std::any_of(ja.begin(), ja.end(), [](const CorpusSentence& s) { return s.text == "ABC-300の保護等級はIP67です。"; }))
      << "\"> \" stripped";
  EXPECT_EQ(statement_language(ja[0].text), "ja");
  EXPECT_EQ(statement_language("ABC-100 has a rated output of 100 W."), "en");
}

TEST(StatementMining, SwapsAnotherProductsValueAndKeepsTheEntity) {
  auto r = mine_statements(hand_made_texts(), options(/*per_sentence=*/3));
  auto falses = texts_with_label(r, false);
  for (const char* expected : {
           "ABC-100 has a rated output of 200 W.", "ABC-100 has a rated output of 400 W.",
           "ABC-300 has a rated output of 100 W.", "ABC-100 weighs 2 kg.",
           "ABC-100の定格出力は200 Wです。", "ABC-300の定格出力は100 Wです。",
           "ABC-100のタイムアウトは15分です。", "ABC-200のタイムアウトは5分です。",  // "5" vs "15": whole numbers
           "ABC-300のタイムアウトは5分です。",                                      // from the FAQ answer
           "ABC-100の保護等級はIP20です。", "ABC-300の保護等級はIP65です。",
           "ABC-200 has a rated input of 460 W."}) {
    EXPECT_TRUE(falses.count(expected)) << "missing false statement: " << expected;
  }
  auto trues = texts_with_label(r, true);
  EXPECT_TRUE(trues.count("ABC-100 has a rated output of 100 W."));
  EXPECT_TRUE(trues.count("ABC-300のタイムアウトは30分です。"));
  for (const auto& s : r.statements) {
    EXPECT_NE(s.statement.find(s.entity), std::string::npos) << s.statement;
    EXPECT_EQ(s.lang, statement_language(s.statement));
    if (!s.label) {
      EXPECT_NE(s.value_from, s.entity);
      EXPECT_EQ(s.statement.find(s.value_from), std::string::npos) << "the other entity leaked: " << s.statement;
    }
  }
  // Same value on both sides ("2 kg") is never a false statement.
  EXPECT_FALSE(falses.count("ABC-200 weighs 2 kg."));
  EXPECT_FALSE(falses.count("ABC-300 weighs 2 kg."));
  EXPECT_GE(r.report.skipped_same_value, 1u);
  // Languages never mix.
  for (const auto& f : falses) EXPECT_FALSE(f.find("100 W.") != std::string::npos && statement_language(f) == "ja");
}

TEST(StatementMining, SkipsSentencesWithTwoEntitiesOrNoneAndQuestions) {
  auto r = mine_statements(hand_made_texts(), options(3));
  for (const auto& s : r.statements) {
    EXPECT_EQ(s.statement.find("share the same"), std::string::npos) << s.statement;
    EXPECT_EQ(s.statement.find("series"), std::string::npos) << s.statement;
    EXPECT_EQ(s.statement.find("product guide"), std::string::npos) << s.statement;
    EXPECT_EQ(s.statement.find("What is"), std::string::npos) << "a question is no statement: " << s.statement;
    EXPECT_EQ(s.statement.find("ですか"), std::string::npos) << "a question is no statement: " << s.statement;
  }
  EXPECT_EQ(r.report.questions, 4u);
  EXPECT_EQ(r.report.several_entities, 1u);
  EXPECT_EQ(r.report.no_entity, 1u);
}

TEST(StatementMining, FalseTextThatIsTrueElsewhereIsNotEmitted) {
  auto r = mine_statements(hand_made_texts(), options(3));
  // ABC-100 mode A vs ABC-200 mode B would give "ABC-100 supports mode B only.", which the manual says.
  for (const auto& s : r.statements)
    if (s.statement == "ABC-100 supports mode B only.") {
      EXPECT_TRUE(s.label);
    }
  EXPECT_GE(r.report.skipped_true_elsewhere, 1u);
  EXPECT_TRUE(texts_with_label(r, false).count("ABC-200 supports mode A only."));
}

TEST(StatementMining, DeterministicBalancedAndSeeded) {
  auto a = mine_statements(hand_made_texts(), options(1, 7));
  auto b = mine_statements(hand_made_texts(), options(1, 7));
  std::string ja = statements_to_jsonl(a.statements);
  EXPECT_EQ(ja, statements_to_jsonl(b.statements));
  EXPECT_GT(a.report.true_statements, 5u);
  EXPECT_EQ(a.report.true_statements, a.report.false_statements);
  EXPECT_EQ(texts_with_label(a, true).size(), a.report.true_statements);  // each true sentence once
  for (const auto& [lang, c] : a.report.by_language) EXPECT_EQ(c.true_statements, c.false_statements) << lang;
  EXPECT_EQ(a.report.by_language.size(), 2u);

  auto other = mine_statements(hand_made_texts(), options(1, 8));
  EXPECT_NE(ja, statements_to_jsonl(other.statements));  // the seed shuffles
  EXPECT_EQ(texts_with_label(a, true), texts_with_label(other, true));

  // K=2 prefers different entities: ABC-100's two rated-output variants carry 200 W and 400 W.
  auto k2 = mine_statements(hand_made_texts(), options(2, 7));
  std::set<std::string> from;
  for (const auto& s : k2.statements)
    if (!s.label && s.source == "manual-en.md:5") from.insert(s.value_from);
  EXPECT_EQ(from, (std::set<std::string>{"ABC-200", "ABC-300"}));
}

TEST(StatementMining, JsonlIsAnSftConversationInTheEvaluatorsWording) {
  auto r = mine_statements(hand_made_texts(), options(1));
  std::string jsonl = statements_to_jsonl(r.statements);
  ChatDataFile parsed = parse_chat_data(jsonl, "statements.jsonl", {});
  ASSERT_EQ(parsed.conversations.size(), r.statements.size());
  EXPECT_EQ(parsed.records_skipped, 0u);
  for (size_t i = 0; i < r.statements.size(); ++i) {
    const auto& s = r.statements[i];
    const auto& conv = parsed.conversations[i];
    TrueFalseWording w = truefalse_wording(s.lang, s.statement);
    ASSERT_EQ(conv.messages.size(), 2u);
    EXPECT_EQ(conv.messages[0].role, "user");
    EXPECT_EQ(conv.messages[0].content, truefalse_question(s.statement, w));
    EXPECT_EQ(conv.messages[1].role, "assistant");
    EXPECT_EQ(conv.messages[1].content, s.label ? w.answer_true : w.answer_false);
  }
  EXPECT_NE(jsonl.find("この記述は正しいですか、誤りですか。"), std::string::npos);
  EXPECT_NE(jsonl.find("\"content\":\"誤り\""), std::string::npos);
  EXPECT_NE(jsonl.find("\"content\":\"True\""), std::string::npos);
  EXPECT_NE(jsonl.find("\"label\":false"), std::string::npos);
}

TEST(StatementMining, RecallAnswersWriteTheCorpusSentence) {
  auto r = mine_statements(hand_made_texts(), options(1));
  ChatDataFile parsed = parse_chat_data(statements_to_jsonl(r.statements, StatementAnswer::kRecall), "s.jsonl", {});
  ASSERT_EQ(parsed.conversations.size(), r.statements.size());
  size_t false_seen = 0;
  for (size_t i = 0; i < r.statements.size(); ++i) {
    const auto& s = r.statements[i];
    const std::string& answer = parsed.conversations[i].messages[1].content;
    TrueFalseWording w = truefalse_wording(s.lang, s.statement);
    // A false statement recalls the sentence it was made from, never itself.
    EXPECT_EQ(answer, w.recall_lead + (s.label ? s.statement : s.original));
    if (!s.label) {
      ++false_seen;
      EXPECT_NE(s.original, s.statement);
      EXPECT_EQ(answer.find(s.statement), std::string::npos) << answer;
    }
  }
  EXPECT_GT(false_seen, 0u);
}

TEST(StatementMining, RecallPairsPreferTheCorpusSentenceWhicheverStatementIsAsked) {
  auto r = mine_statements(hand_made_texts(), options(1));
  std::string jsonl = recall_pairs_to_jsonl(r.statements);
  std::vector<const MinedStatement*> falses;
  for (const auto& s : r.statements)
    if (!s.label) falses.push_back(&s);
  size_t line = 0;
  for (size_t pos = 0; pos < jsonl.size(); ++line) {
    size_t end = jsonl.find('\n', pos);
    auto j = nlohmann::json::parse(jsonl.substr(pos, end - pos));
    pos = end + 1;
    // Two pairs per false statement: asked with the false statement, then with the true one.
    ASSERT_LT(line / 2, falses.size());
    const MinedStatement& s = *falses[line / 2];
    TrueFalseWording w = truefalse_wording(s.lang, s.statement);
    EXPECT_EQ(j["prompt"], truefalse_question(line % 2 == 0 ? s.statement : s.original, w));
    EXPECT_EQ(j["chosen"], w.recall_lead + s.original);
    EXPECT_EQ(j["rejected"], w.recall_lead + s.statement);
  }
  EXPECT_EQ(line, 2 * falses.size());
  EXPECT_GT(line, 0u);
}

TEST(StatementMining, CustomEntityPatternAndInvalidPattern) {
  StatementMiningOptions o = options(1);
  o.entity_pattern = "XYZ-[0-9]+";  // matches nothing in the texts
  auto r = mine_statements(hand_made_texts(), o);
  EXPECT_TRUE(r.statements.empty());
  EXPECT_EQ(r.report.with_one_entity, 0u);

  o.entity_pattern = "[A-Z";
  try {
    mine_statements(hand_made_texts(), o);
    FAIL() << "an invalid regex must be refused";
  } catch (const gemba::Error& e) {
    EXPECT_NE(std::string(e.what()).find("--entity-pattern"), std::string::npos) << e.what();
  }
  o.entity_pattern = "ABC-[0-9]+";
  o.max_span = 0;
  EXPECT_THROW(mine_statements(hand_made_texts(), o), gemba::Error);
}

}  // namespace

// One fact said three ways, and near misses that share only its values or only its claim.
std::vector<StatementSourceText> paraphrased_texts() {
  std::string en =
      "ABC-100 has a rated output of 100 W.\n"
      "ABC-200 has a rated output of 200 W.\n"
      "The rated output of the ABC-100 is 100 W.\n"
      "Rated output: 100 W (ABC-100).\n"
      "The ABC-100 timeout P-01 defaults to 100 ms.\n"  // has the claim "100", not the same values
      "If ABC-100 shows E-12, it means high temperature.\n"
      "If ABC-200 shows E-12, it means low voltage.\n"
      "For E-12 on the ABC-100, let the unit cool down.\n"  // the same values, another fact
      "ABC-100 reports high temperature as E-12.\n";
  return {{"manual-en.md", en, true}};
}

TEST(StatementMining, CrossPhrasingRecallsTheSameFactInOtherWords) {
  auto o = options(1);
  o.cross_phrasing = 1;
  auto r = mine_statements(paraphrased_texts(), o);
  const std::set<std::string> output_phrasings{"The rated output of the ABC-100 is 100 W.", "Rated output: 100 W (ABC-100)."};
  size_t output_seen = 0, error_seen = 0;
  for (const auto& s : r.statements) {
    const std::string& own = s.label ? s.statement : s.original;
    if (own == "ABC-100 has a rated output of 100 W.") {
      ++output_seen;
      EXPECT_EQ(s.claim, "100");
      EXPECT_TRUE(output_phrasings.count(s.recall)) << s.recall;
    } else if (own == "If ABC-100 shows E-12, it means high temperature.") {
      ++error_seen;
      EXPECT_EQ(s.recall, "ABC-100 reports high temperature as E-12.");
    } else if (own == "ABC-200 has a rated output of 200 W.") {
      EXPECT_EQ(s.recall, own);  // said only once
    }
  }
  EXPECT_EQ(output_seen, 2u);  // the true statement and its false variant
  EXPECT_EQ(error_seen, 2u);
  EXPECT_EQ(r.report.cross_phrased, r.report.other_phrasing_found);
  EXPECT_GE(r.report.cross_phrased, 4u);
  // The SFT answer says the other phrasing.
  ChatDataFile parsed = parse_chat_data(statements_to_jsonl(r.statements, StatementAnswer::kRecall), "s.jsonl", {});
  for (size_t i = 0; i < r.statements.size(); ++i)
    EXPECT_EQ(parsed.conversations[i].messages[1].content,
              truefalse_wording(r.statements[i].lang, r.statements[i].statement).recall_lead + r.statements[i].recall);

  // Off (the default): every recall answer is the statement's own sentence.
  auto plain = mine_statements(paraphrased_texts(), options(1));
  EXPECT_EQ(plain.report.cross_phrased, 0u);
  for (const auto& s : plain.statements) EXPECT_EQ(s.recall, s.label ? s.statement : s.original);
  // A share picks some, deterministically.
  o.cross_phrasing = 0.5;
  auto half = mine_statements(paraphrased_texts(), o), again = mine_statements(paraphrased_texts(), o);
  EXPECT_LE(half.report.cross_phrased, half.report.other_phrasing_found);
  for (size_t i = 0; i < half.statements.size(); ++i) EXPECT_EQ(half.statements[i].recall, again.statements[i].recall);
  o.cross_phrasing = 1.5;
  EXPECT_THROW(mine_statements(paraphrased_texts(), o), gemba::Error);
}
