// cli: `gemba eval truefalse --mode generate --judge-url` end to end. A random tiny model
// answers; a judge endpoint in this process (support/fake-judge.h) grades; the eval saves the
// judge's prompts, raw replies and parse failures, and scores what the judge said.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "core/json.h"
#include "support/fake-judge.h"
#include "support/run-shell.h"

namespace fs = std::filesystem;
using namespace gemba;

namespace {

class JudgeCli : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("gemba-test-judge-" + std::to_string(::getpid()));
    fs::create_directories(dir_);
    std::ofstream data(dir_ / "test.jsonl");
    data << R"({"id":"t1","statement":"The ZCP-110 has 8k steps.","label":true,"split":"faq","reference_answer":"True."})" << "\n"
         << R"({"id":"t2","statement":"The ZCP-110 has 64k steps.","label":false,"split":"manual","reference_answer":"False. 8k steps."})" << "\n";
  }
  void TearDown() override { fs::remove_all(dir_); }

  test::ShellResult gemba(const std::string& args) {
    return test::run_shell(std::string(GEMBA_BINARY) + " " + args + " 2>&1");
  }
  std::vector<Json> lines(const fs::path& file) {
    std::vector<Json> out;
    std::ifstream in(file);
    for (std::string line; std::getline(in, line);)
      if (!line.empty()) out.push_back(Json::parse(line));
    return out;
  }
  fs::path dir_;
};

TEST_F(JudgeCli, VerdictsRepliesAndParseFailuresAreSavedAndScored) {
  ASSERT_EQ(gemba("model init --preset tiny-gqa --random --seed 3 -o " + (dir_ / "m").string()).code, 0);
  test::FakeJudge judge;
  const std::string eval = "eval truefalse -m " + (dir_ / "m").string() + " --data " + (dir_ / "test.jsonl").string() +
                           " --mode generate --max-answer-tokens 4 --judge-model judge-x --judge-url " + judge.url();

  judge.reply_with("CORRECT");
  auto graded = gemba(eval + " -o " + (dir_ / "graded").string());
  ASSERT_EQ(graded.code, 0) << graded.out;
  EXPECT_EQ(judge.requests, 2);
  Json report = read_json_file((dir_ / "graded/report.json").string());
  EXPECT_EQ(report["grader"], "judge:judge-x");
  EXPECT_EQ(report["unparsed"], 0);
  EXPECT_EQ(report["rows"][0]["group"], "all");
  EXPECT_EQ(report["rows"][0]["correct"], 2);
  auto log = lines(dir_ / "graded/judge.jsonl");
  ASSERT_EQ(log.size(), 2u);
  EXPECT_EQ(log[1]["id"], "t2");
  EXPECT_NE(log[1]["prompt"].get<std::string>().find("The ZCP-110 has 64k steps."), std::string::npos);
  EXPECT_EQ(log[1]["reply"], "CORRECT");
  EXPECT_EQ(log[1]["parsed"], true);

  // A judge that answers something else: every item unparsed, scored wrong, and logged.
  judge.reply_with("I am not sure.");
  auto unparsed = gemba(eval + " -o " + (dir_ / "unparsed").string());
  ASSERT_EQ(unparsed.code, 0) << unparsed.out;
  report = read_json_file((dir_ / "unparsed/report.json").string());
  EXPECT_EQ(report["unparsed"], 2);
  EXPECT_EQ(report["rows"][0]["correct"], 0);
  for (const auto& entry : lines(dir_ / "unparsed/judge.jsonl")) EXPECT_EQ(entry["parsed"], false);

  // A judge that fails: the error is in the log, the run still finishes and says so.
  judge.status = 503;
  judge.reply_body = R"({"error":"down"})";
  auto failing = gemba(eval + " -o " + (dir_ / "failing").string());
  ASSERT_EQ(failing.code, 0) << failing.out;
  auto failed = lines(dir_ / "failing/judge.jsonl");
  ASSERT_EQ(failed.size(), 2u);
  EXPECT_NE(failed[0]["error"].get<std::string>().find("HTTP 503"), std::string::npos) << failed[0].dump();
}

}  // namespace
