// data: FAQ readers (JSONL question/answer and messages, RFC 4180 CSV) and their errors.
#include <gtest/gtest.h>

#include "core/error.h"
#include "data/csv.h"
#include "data/faq.h"

using namespace gemba::data;

TEST(Csv, Rfc4180Quoting) {
  auto rows = parse_csv("a,b,c\r\n\"x, y\",\"say \"\"hi\"\"\",\"two\nlines\"\n1,,3\n", "t.csv");
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[1], (std::vector<std::string>{"x, y", "say \"hi\"", "two\nlines"}));
  EXPECT_EQ(rows[2], (std::vector<std::string>{"1", "", "3"}));
  EXPECT_EQ(parse_csv("a,b", "t.csv").size(), 1u);  // no trailing newline
  EXPECT_EQ(parse_csv("\"\"", "t.csv")[0], std::vector<std::string>{""});
}

TEST(Csv, MalformedQuotingNamesTheLine) {
  try {
    parse_csv("q,a\nok,fine\n\"open,never closed\n", "faq.csv");
    FAIL() << "no error";
  } catch (const gemba::Error& e) {
    EXPECT_NE(std::string(e.what()).find("faq.csv: line 3"), std::string::npos) << e.what();
  }
  EXPECT_THROW(parse_csv("\"a\"b,c\n", "faq.csv"), gemba::Error);
}

TEST(Faq, JsonlQuestionAnswerAndMessages) {
  std::string content =
      "{\"question\": \"E-21とは?\", \"answer\": \"エンコーダ異常です。\"}\n"
      "\n"
      "{\"messages\": [{\"role\": \"system\", \"content\": \"sys\"}, {\"role\": \"user\", \"content\": \"Q2\"}, "
      "{\"role\": \"assistant\", \"content\": \"A2\"}, {\"role\": \"user\", \"content\": \"Q3\"}, {\"role\": \"assistant\", \"content\": \"A3\"}]}\n"
      "{not json\n"
      "{\"question\": \"no answer\"}\n";
  FaqFile file = parse_faq(content, "faq.jsonl", {});
  ASSERT_EQ(file.pairs.size(), 3u);
  EXPECT_EQ(file.pairs[0].question, "E-21とは?");
  EXPECT_EQ(file.pairs[0].id, "faq.jsonl:1");
  EXPECT_EQ(file.pairs[1].question, "Q2");
  EXPECT_EQ(file.pairs[2].answer, "A3");
  EXPECT_EQ(file.records_skipped, 2u);
  ASSERT_EQ(file.warnings.size(), 2u);
  EXPECT_NE(file.warnings[0].find("faq.jsonl:4"), std::string::npos);
  EXPECT_NE(file.warnings[1].find("'answer'"), std::string::npos);
}

TEST(Faq, JsonArrayFile) {
  FaqFile file = parse_faq("[{\"question\": \"q1\", \"answer\": \"a1\"}, {\"question\": \"q2\"}]", "faq.json", {});
  ASSERT_EQ(file.pairs.size(), 1u);
  EXPECT_EQ(file.pairs[0].id, "faq.json:[0]");
  EXPECT_EQ(file.records_skipped, 1u);
  EXPECT_THROW(parse_faq("[{\"question\": ", "bad.json", {}), BadInput);
}

TEST(Faq, CustomColumnNames) {
  FaqReadOptions options{"q", "a"};
  EXPECT_EQ(parse_faq("{\"q\": \"x\", \"a\": \"y\"}\n", "f.jsonl", options).pairs.size(), 1u);
  FaqFile csv = parse_faq("id,q,a\n1,\"How, exactly?\",\"Like \"\"this\"\"\"\n", "f.csv", options);
  ASSERT_EQ(csv.pairs.size(), 1u);
  EXPECT_EQ(csv.pairs[0].question, "How, exactly?");
  EXPECT_EQ(csv.pairs[0].answer, "Like \"this\"");
}

TEST(Faq, UnusableFilesAreBadInput) {
  auto reason = [](const std::string& content, const std::string& path) {
    try {
      parse_faq(content, path, {});
    } catch (const BadInput& e) {
      EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
      return e.reason();
    }
    return std::string("ok");
  };
  EXPECT_EQ(reason("{bad\n[1,2]\n", "a.jsonl"), "malformed-faq");
  EXPECT_EQ(reason("title,body\nx,y\n", "b.csv"), "malformed-faq");  // no question column
  EXPECT_EQ(reason("question,answer\n\"x,y\n", "c.csv"), "malformed-faq");
  EXPECT_EQ(reason("question,answer\n", "d.csv"), "malformed-faq");
  EXPECT_EQ(reason("q", "e.xml"), "unsupported");
  EXPECT_EQ(reason("question,answer\nq,a\n", "ok.csv"), "ok");
}
