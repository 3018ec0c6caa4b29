// data: SFT conversations from JSONL (question/answer and multi-turn messages) and CSV,
// with malformed records skipped and named.
#include <gtest/gtest.h>

#include "core/error.h"
#include "data/chat-data.h"

using namespace gemba::data;

TEST(ChatData, QuestionAnswerAndMultiTurnMessages) {
  std::string content =
      "{\"question\": \"E-21とは?\", \"answer\": \"エンコーダ異常です。\"}\n"
      "\n"
      "{\"messages\": [{\"role\": \"system\", \"content\": \"sys\"}, {\"role\": \"user\", \"content\": \"Q2\"}, "
      "{\"role\": \"assistant\", \"content\": \"A2\"}, {\"role\": \"user\", \"content\": \"Q3\"}, "
      "{\"role\": \"assistant\", \"content\": \"A3\"}]}\n"
      "{not json\n"
      "{\"messages\": [{\"role\": \"user\", \"content\": \"only a question\"}]}\n"
      "{\"messages\": [{\"role\": \"robot\", \"content\": \"x\"}, {\"role\": \"assistant\", \"content\": \"y\"}]}\n"
      "{\"question\": \"no answer\"}\n";
  ChatDataFile f = parse_chat_data(content, "sft.jsonl", {});
  ASSERT_EQ(f.conversations.size(), 2u);
  EXPECT_EQ(f.conversations[0].id, "sft.jsonl:1");
  ASSERT_EQ(f.conversations[0].messages.size(), 2u);
  EXPECT_EQ(f.conversations[0].messages[0].role, "user");
  EXPECT_EQ(f.conversations[0].messages[1].content, "エンコーダ異常です。");
  ASSERT_EQ(f.conversations[1].messages.size(), 5u);
  EXPECT_EQ(f.conversations[1].messages[0].role, "system");
  EXPECT_EQ(f.conversations[1].messages[4].content, "A3");
  EXPECT_EQ(f.records_skipped, 4u);
  ASSERT_EQ(f.warnings.size(), 4u);
  EXPECT_NE(f.warnings[0].find("sft.jsonl:4"), std::string::npos) << f.warnings[0];
  EXPECT_NE(f.warnings[1].find("no assistant"), std::string::npos) << f.warnings[1];
  EXPECT_NE(f.warnings[2].find("robot"), std::string::npos) << f.warnings[2];
}

TEST(ChatData, CsvAndCustomColumns) {
  FaqReadOptions o;
  o.question_column = "q";
  o.answer_column = "a";
  ChatDataFile f = parse_chat_data("q,a\nhow?,like this\n", "faq.csv", o);
  ASSERT_EQ(f.conversations.size(), 1u);
  EXPECT_EQ(f.conversations[0].messages[1].content, "like this");
  ChatDataFile g = parse_chat_data("{\"q\": \"x\", \"a\": \"y\"}\n", "faq.jsonl", o);
  ASSERT_EQ(g.conversations.size(), 1u);
  EXPECT_EQ(g.conversations[0].messages[0].content, "x");
}

TEST(ChatData, NoUsableRecordIsAnErrorNamingTheFile) {
  try {
    parse_chat_data("{\"question\": \"q\"}\n{\"answer\": \"bad \xC3\x28\"}\n", "empty.jsonl", {});
    FAIL() << "no error";
  } catch (const gemba::Error& e) {
    std::string m = e.what();
    EXPECT_NE(m.find("empty.jsonl"), std::string::npos) << m;
    EXPECT_NE(m.find("messages"), std::string::npos) << m;
  }
}
