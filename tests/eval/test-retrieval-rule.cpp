// eval: the retrieval-only rule and the grounded grading, on a small index: the piece most about
// a statement decides; values must be there; recall@k reads the item's source.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "eval/retrieval-rule.h"
#include "index/grounded-prompt.h"

namespace fs = std::filesystem;
using namespace gemba;

namespace {

index::Passage passage(const std::string& id, const std::string& section, const std::string& text, int line) {
  index::Passage p;
  p.id = id;
  p.doc = id.substr(0, id.find('#'));
  p.source = "manuals/" + p.doc;
  p.section = {section};
  p.kind = "paragraph";
  p.text = text;
  p.line = line;
  p.end_line = line + 2;
  return p;
}

class RuleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = (fs::temp_directory_path() / ("gemba-test-rule-" + std::to_string(::getpid()) + ".db")).string();
    fs::remove(path_);
    index::PassageIndex::build(
        {passage("zhp.md#1", "ZHP-310", "The backlight life of the ZHP-310 is 30,000 hours. Its screen is 4.3 inches.", 10),
         passage("zhp.md#2", "ZHP-320", "The backlight life of the ZHP-320 is 40,000 hours. Its screen is 5.7 inches.", 20),
         passage("zsv.md#1", "Alarms", "Q. What does AL.16 mean? A. AL.16 is an encoder error of the ZSV-A11.", 30),
         passage("zsv.md#2", "Parameters", "The speed loop gain Pn100 of the ZSV-A11 is disabled by default.", 40)},
        path_, {});
  }
  void TearDown() override { fs::remove(path_); }
  std::string path_;
};

}  // namespace

TEST_F(RuleTest, TheRightPieceDecides) {
  index::PassageIndex idx = index::PassageIndex::open(path_);
  eval::RuleOptions o;
  o.top_k = 4;
  // The other product's sentence shares the false value; the statement's product decides.
  auto v = eval::retrieval_rule("The ZHP-310 backlight lasts 40,000 hours.", idx, o);
  EXPECT_FALSE(v.verdict);
  EXPECT_NE(v.evidence.find("ZHP-310"), std::string::npos) << v.evidence;
  EXPECT_TRUE(eval::retrieval_rule("The ZHP-320's backlight is rated for 40,000 hours.", idx, o).verdict);
  // A question is no evidence; the answer next to it is.
  v = eval::retrieval_rule("On the ZSV-A11, AL.16 indicates an encoder error.", idx, o);
  EXPECT_TRUE(v.verdict);
  EXPECT_EQ(v.evidence.find("Q."), std::string::npos) << v.evidence;
  EXPECT_FALSE(eval::retrieval_rule("Pn100 of the ZSV-A11 is enabled by default.", idx, o).verdict);
  // Nothing retrieved: nothing supports it.
  EXPECT_FALSE(eval::retrieval_rule("zebra xylophone quartz", idx, o).verdict);
}

TEST_F(RuleTest, RecallAtKReadsTheItemSource) {
  index::PassageIndex idx = index::PassageIndex::open(path_);
  auto hits = idx.search("ZHP-320 backlight life", 1);
  EXPECT_EQ(eval::source_retrieved(hits, "manuals/zhp.md:21"), std::optional<bool>(true));
  EXPECT_EQ(eval::source_retrieved(hits, "manuals/zhp.md:11"), std::optional<bool>(false));
  EXPECT_EQ(eval::source_retrieved(hits, "other/zhp.md:21"), std::optional<bool>(false));
  EXPECT_FALSE(eval::source_retrieved(hits, "").has_value());
}

TEST_F(RuleTest, GroundedPromptCitationsAndNoAnswer) {
  index::PassageIndex idx = index::PassageIndex::open(path_);
  index::GroundingOptions o;
  o.passages = 2;
  index::Grounding g = index::ground("What is the backlight life of the ZHP-310?", idx, o);
  ASSERT_EQ(g.excerpts.size(), 2u);
  std::string message = index::grounded_user_message("What is the backlight life of the ZHP-310?", g);
  EXPECT_EQ(message.rfind("Manual excerpts:\n[1] zhp.md §ZHP-310\n", 0), 0u) << message;
  EXPECT_NE(message.find("\n\nQuestion:\nWhat is the backlight life of the ZHP-310?"), std::string::npos);
  EXPECT_EQ(index::cited_excerpts("30,000 hours. [2][1] [2] [9]", 2), (std::vector<size_t>{2, 1}));
  EXPECT_EQ(index::strip_citations("30,000 hours. [2][1]"), "30,000 hours.");
  EXPECT_EQ(index::strip_citations("see [note]"), "see [note]");
  EXPECT_EQ(index::not_in_manuals_answer("定格は?"), "マニュアルの抜粋には記載がありません。");
  EXPECT_EQ(index::grounded_user_message("定格は?", {}).rfind("マニュアルの抜粋:\n(該当なし)\n", 0), 0u);
}
