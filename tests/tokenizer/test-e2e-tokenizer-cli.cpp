// `gemba tokenizer train` and `gemba tokenize` end to end: the binary's output matches the
// library, outputs appear atomically, and bad input exits non-zero with a message.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <sstream>

#include "tokenizer/tokenizer.h"

namespace gemba::tokenizer {
namespace {

struct Run {
  int status;
  std::string out;
};

Run run(const std::string& args) {
  const std::string cmd = std::string(GEMBA_BINARY) + " " + args + " 2>&1";
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return {-1, ""};
  std::string out;
  char buf[4096];
  for (size_t n; (n = fread(buf, 1, sizeof buf, p)) > 0;) out.append(buf, n);
  const int st = pclose(p);
  return {WIFEXITED(st) ? WEXITSTATUS(st) : -1, out};
}

class TokenizerCli : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = (std::filesystem::temp_directory_path() / ("gemba-tok-cli-" + std::to_string(::getpid()))).string();
    std::filesystem::create_directories(dir_);
  }
  static void TearDownTestSuite() {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  static std::string dir_;
};
std::string TokenizerCli::dir_;

TEST_F(TokenizerCli, TrainThenTokenize) {
  const std::string out = dir_ + "/tok";
  const auto train = run("tokenizer train --input " + std::string(GEMBA_SHARED_DIR) +
                         "/corpora/klipper/manual_ja.txt --type bpe --vocab-size 1000 --character-coverage 0.995 -o " + out);
  ASSERT_EQ(train.status, 0) << train.out;
  for (const char* f : {"tokenizer.model", "tokenizer.json", "tokenizer_config.json"})
    EXPECT_TRUE(std::filesystem::exists(out + "/" + f)) << f;
  const auto tok = Tokenizer::load(out);
  EXPECT_EQ(tok.type(), TokenizerType::kBpe);
  const std::string text = "設定ファイル printer.cfg を編集します";
  const auto ids = run("tokenize -m " + out + "/tokenizer.json --ids --text '" + text + "'");
  ASSERT_EQ(ids.status, 0) << ids.out;
  std::ostringstream want;
  const auto expected = tok.encode(text);
  for (size_t i = 0; i < expected.size(); ++i) want << (i ? " " : "") << expected[i];
  EXPECT_EQ(ids.out, want.str() + "\n");
  const auto decoded = run("tokenize -m " + out + " --decode '" + want.str() + "'");
  ASSERT_EQ(decoded.status, 0) << decoded.out;
  EXPECT_EQ(decoded.out, text + "\n");
  const auto pieces = run("tokenize -m " + out + " --text 'E-21'");
  EXPECT_NE(pieces.out.find("\xE2\x96\x81"), std::string::npos) << pieces.out;  // the piece line shows ▁
}

TEST_F(TokenizerCli, BadInputFailsCleanly) {
  const auto missing = run("tokenize -m " + dir_ + "/nothing-here --text x");
  EXPECT_NE(missing.status, 0);
  EXPECT_NE(missing.out.find("nothing-here"), std::string::npos) << missing.out;
  const auto bad_train = run("tokenizer train --input " + dir_ + "/no-such.txt --type unigram --vocab-size 500 -o " +
                             dir_ + "/never");
  EXPECT_NE(bad_train.status, 0);
  EXPECT_NE(bad_train.out.find("no-such.txt"), std::string::npos) << bad_train.out;
  EXPECT_FALSE(std::filesystem::exists(dir_ + "/never"));
}

}  // namespace
}  // namespace gemba::tokenizer
