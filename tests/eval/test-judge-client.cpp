// eval: the judge client (src/eval/judge-client.h) against a fake OpenAI-compatible endpoint
// in this process: what it sends, how it reads verdicts, and how each failure is reported
// (HTTP error, a reply that is not a chat completion, no server) without throwing.
#include <gtest/gtest.h>

#include <cstdlib>

#include "core/error.h"
#include "core/json.h"
#include "eval/judge-client.h"
#include "support/fake-judge.h"

using gemba::Json;
using gemba::eval::JudgeClient;
using gemba::eval::JudgeConfig;
using gemba::test::FakeJudge;

namespace {

JudgeConfig config_for(const std::string& url) {
  JudgeConfig c;
  c.url = url;
  c.model = "judge-7b";
  c.api_key_env = "GEMBA_TEST_JUDGE_KEY";
  c.timeout_s = 5;
  return c;
}

}  // namespace

TEST(JudgeClient, PromptCarriesStatementTruthReferenceAndAnswer) {
  const std::string p = JudgeClient::build_prompt("The ZCP-110 has 64k steps.", false, "False. It has 8k steps.",
                                                  "The manual says: 8k steps.");
  EXPECT_NE(p.find("The ZCP-110 has 64k steps."), std::string::npos);
  EXPECT_NE(p.find("FALSE"), std::string::npos);
  EXPECT_NE(p.find("Reference answer: False. It has 8k steps."), std::string::npos);
  EXPECT_NE(p.find("Model's answer: The manual says: 8k steps."), std::string::npos);
  EXPECT_EQ(JudgeClient::build_prompt("s", true, "", "a").find("Reference answer"), std::string::npos);
}

TEST(JudgeClient, ReadsOneWordVerdictsAndRefusesOthers) {
  EXPECT_EQ(JudgeClient::parse_reply("CORRECT"), true);
  EXPECT_EQ(JudgeClient::parse_reply("Correct."), true);
  EXPECT_EQ(JudgeClient::parse_reply("INCORRECT"), false);  // contains "CORRECT": must not read as correct
  EXPECT_EQ(JudgeClient::parse_reply(" incorrect\n"), false);
  EXPECT_EQ(JudgeClient::parse_reply("I cannot tell."), std::nullopt);
  EXPECT_EQ(JudgeClient::parse_reply(""), std::nullopt);
}

TEST(JudgeClient, SendsAChatCompletionWithTheKeyFromTheEnvironment) {
  FakeJudge fake;
  fake.reply_with("INCORRECT");
  ::setenv("GEMBA_TEST_JUDGE_KEY", "sk-test", 1);
  JudgeClient client(config_for(fake.url()));
  auto v = client.judge("The ZCP-110 has 64k steps.", false, "False. It has 8k steps.", "True.");
  ::unsetenv("GEMBA_TEST_JUDGE_KEY");
  EXPECT_TRUE(v.error.empty()) << v.error;
  EXPECT_EQ(v.correct, false);
  EXPECT_EQ(v.raw_reply, "INCORRECT");
  Json sent = Json::parse(fake.last_body);
  EXPECT_EQ(sent["model"], "judge-7b");
  EXPECT_EQ(sent["temperature"], 0);
  EXPECT_EQ(sent["messages"][0]["content"], v.prompt);  // the audit trail is what was sent
  EXPECT_EQ(fake.last_authorization, "Bearer sk-test");

  // No key in the environment: no Authorization header (a local `gemba serve` needs none).
  fake.reply_with("CORRECT");
  auto unkeyed = client.judge("s", true, "", "a");
  EXPECT_EQ(unkeyed.correct, true);
  EXPECT_EQ(fake.last_authorization, "");
}

TEST(JudgeClient, FailuresBecomeErrorsNotVerdicts) {
  FakeJudge fake;
  JudgeClient client(config_for(fake.url()));
  fake.status = 500;
  fake.reply_body = R"({"error":"overloaded"})";
  auto http = client.judge("s", true, "", "a");
  EXPECT_EQ(http.correct, std::nullopt);
  EXPECT_NE(http.error.find("HTTP 500"), std::string::npos) << http.error;

  fake.status = 200;
  fake.reply_body = R"({"object":"list"})";
  auto malformed = client.judge("s", true, "", "a");
  EXPECT_EQ(malformed.correct, std::nullopt);
  EXPECT_NE(malformed.error.find("not an OpenAI chat completion"), std::string::npos) << malformed.error;

  fake.reply_with("Maybe.");
  auto unparsed = client.judge("s", true, "", "a");
  EXPECT_TRUE(unparsed.error.empty());
  EXPECT_EQ(unparsed.raw_reply, "Maybe.");  // kept for the log, scored as unparsed
  EXPECT_EQ(unparsed.correct, std::nullopt);
}

TEST(JudgeClient, UnreachableServerAndBadConfigurationAreClear) {
  // Port 1 on loopback: nothing listens there, the connection is refused at once.
  JudgeClient client(config_for("http://127.0.0.1:1/v1"));
  auto v = client.judge("s", true, "", "a");
  EXPECT_EQ(v.correct, std::nullopt);
  EXPECT_NE(v.error.find("judge request failed"), std::string::npos) << v.error;

  EXPECT_THROW(JudgeClient{config_for("")}, gemba::Error);
  EXPECT_THROW(JudgeClient{config_for("127.0.0.1:8080/v1")}, gemba::Error);  // no scheme
  auto no_model = config_for("http://127.0.0.1:1/v1");
  no_model.model.clear();
  EXPECT_THROW(JudgeClient{no_model}, gemba::Error);
}
