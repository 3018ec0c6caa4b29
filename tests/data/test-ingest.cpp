// data: manual ingestion of every file type, and every bad-input case skipped with a reason.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "core/error.h"
#include "data/ingest.h"
#include "data/pdf-fixture.h"
#include "data/readers/text-reader.h"

namespace fs = std::filesystem;
using namespace gemba::data;

namespace {

class IngestTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("gemba-test-ingest-" + std::to_string(::getpid()));
    fs::remove_all(root_);
    fs::create_directories(root_ / "manuals" / "sub");
    fs::create_directories(root_ / "manuals" / ".git");
  }
  void TearDown() override { fs::remove_all(root_); }
  void write(const std::string& rel, const std::string& bytes) {
    std::ofstream(root_ / rel, std::ios::binary) << bytes;
  }
  std::string path(const std::string& rel) const { return (root_ / rel).string(); }
  fs::path root_;
};

const Document* find_doc(const IngestResult& r, const std::string& id) {
  auto it = std::find_if(r.documents.begin(), r.documents.end(), [&](const Document& d) { return d.id == id; });
  return it == r.documents.end() ? nullptr : &*it;
}

std::string reason_for(const IngestResult& r, const std::string& name) {
  for (const auto& s : r.skipped)
    if (fs::path(s.path).filename() == name) return s.reason;
  return "";
}

}  // namespace

TEST_F(IngestTest, ReadsEveryTypeRecursively) {
  write("manuals/a.md", "# Servo\n\n## 仕様\n\n| 項目 | 値 |\n|---|---|\n| 定格電流 | 2.5 A |\n");
  write("manuals/sub/b.txt", "\xEF\xBB\xBF" "First doc\nline two\n\nsame doc\n\n\nSecond doc\n");
  write("manuals/c.htm", "<html><body><h2>Inverter</h2><table><tr><td>P1</td><td>10 s</td></tr></table></body></html>");
  write("manuals/d.pdf", gemba::test::make_pdf({{"PLC manual", "Page one text", "1"}, {"PLC manual", "Page two text", "2"}}));
  write("manuals/e.png", "\x89PNG\r\n");
  write("manuals/f.adoc", "= Spindle\n\n== Pins\n\nThe pin *motion.spindle-on* is a bit.\n");
  write("manuals/.git/x.txt", "hidden");
  IngestResult r = ingest_manuals({path("manuals")});
  EXPECT_TRUE(r.skipped.empty());
  ASSERT_EQ(r.documents.size(), 6u);
  const Document* md = find_doc(r, "manuals/a.md");
  ASSERT_TRUE(md);
  EXPECT_EQ(md->type, "md");
  EXPECT_EQ(md->text, "Servo\n\n仕様\n\n項目: 定格電流; 値: 2.5 A");
  EXPECT_EQ(md->title, "Servo");
  ASSERT_EQ(md->blocks.size(), 3u);
  EXPECT_EQ(md->blocks[2].line, 7);
  const Document* adoc = find_doc(r, "manuals/f.adoc");
  ASSERT_TRUE(adoc);
  EXPECT_EQ(adoc->type, "adoc");
  EXPECT_EQ(adoc->text, "Spindle\n\nPins\n\nThe pin motion.spindle-on is a bit.");
  const Document* b1 = find_doc(r, "manuals/sub/b.txt#1");
  const Document* b2 = find_doc(r, "manuals/sub/b.txt#2");
  ASSERT_TRUE(b1 && b2);
  EXPECT_EQ(b1->text, "First doc line two\n\nsame doc");  // BOM dropped, one blank line kept
  EXPECT_EQ(b2->blocks.at(0).line, 7);
  EXPECT_EQ(b2->text, "Second doc");
  const Document* html = find_doc(r, "manuals/c.htm");
  ASSERT_TRUE(html);
  EXPECT_EQ(html->text, "Inverter\n\nP1; 10 s");
  const Document* pdf = find_doc(r, "manuals/d.pdf");
  ASSERT_TRUE(pdf);
  EXPECT_NE(pdf->text.find("Page two text"), std::string::npos);
  EXPECT_EQ(pdf->text.find("PLC manual"), std::string::npos) << "repeated header kept: " << pdf->text;
  EXPECT_EQ(r.pdf_header_footer_lines_removed, 4u);
  EXPECT_EQ(r.by_type["txt"].documents, 2u);
  EXPECT_EQ(r.by_type["txt"].files, 1u);
  EXPECT_GT(r.by_type["pdf"].bytes, 0u);
  EXPECT_EQ(r.ignored_extensions[".png"], 1u);
  EXPECT_EQ(find_doc(r, "manuals/.git/x.txt"), nullptr);
}

TEST_F(IngestTest, EveryBadFileIsSkippedWithItsReason) {
  write("manuals/good.md", "# ok\n\ntext");
  write("manuals/nul.txt", std::string("abc\0def", 7));
  write("manuals/utf16.txt", std::string("\xFF\xFEh\0i\0", 6));
  write("manuals/sjis.txt", "\x83\x54\x81\x5B\x83\x7B");  // "サーボ" in Shift_JIS
  write("manuals/blank.md", "  \n\n\t\n");
  write("manuals/zero.txt", "");
  write("manuals/locked.pdf", gemba::test::make_pdf({{"secret"}}, true));
  write("manuals/cut.pdf", gemba::test::make_pdf({{"hello"}}).substr(0, 30));
  write("manuals/scan.pdf", gemba::test::make_pdf({{}}));
  write("manuals/empty.html", "<html><script>x()</script></html>");
  ASSERT_EQ(::mkfifo(path("manuals/pipe.md").c_str(), 0600), 0);
  fs::create_symlink(root_ / "manuals" / "gone.md", root_ / "manuals" / "dangling.md");
  IngestResult r = ingest_manuals({path("manuals")});
  ASSERT_EQ(r.documents.size(), 1u);
  EXPECT_EQ(r.documents[0].id, "manuals/good.md");
  EXPECT_EQ(r.skipped.size(), 11u);
  EXPECT_EQ(reason_for(r, "pipe.md"), "not-a-file");
  EXPECT_EQ(reason_for(r, "dangling.md"), "unreadable");
  EXPECT_EQ(reason_for(r, "nul.txt"), "binary");
  EXPECT_EQ(reason_for(r, "utf16.txt"), "binary");
  EXPECT_EQ(reason_for(r, "sjis.txt"), "invalid-utf8");
  EXPECT_EQ(reason_for(r, "blank.md"), "empty");
  EXPECT_EQ(reason_for(r, "zero.txt"), "empty");
  EXPECT_EQ(reason_for(r, "locked.pdf"), "encrypted-pdf");
  EXPECT_EQ(reason_for(r, "cut.pdf"), "broken-pdf");
  EXPECT_EQ(reason_for(r, "scan.pdf"), "no-text");
  EXPECT_EQ(reason_for(r, "empty.html"), "no-text");
  for (const auto& s : r.skipped) EXPECT_NE(s.detail.find(s.path), std::string::npos) << s.detail;
}

TEST_F(IngestTest, UnreadableFileAndMissingRoot) {
  try {
    read_manual_file(path("manuals/missing.txt"), "missing.txt");
    FAIL() << "no error";
  } catch (const BadInput& e) {
    EXPECT_EQ(e.reason(), "unreadable");
  }
  fs::create_directories(root_ / "manuals" / "dir.txt");  // a directory cannot be read as a file
  try {
    read_manual_file(path("manuals/dir.txt"), "dir.txt");
    FAIL() << "no error";
  } catch (const BadInput& e) {
    EXPECT_EQ(e.reason(), "not-a-file");
  }
  EXPECT_THROW(ingest_manuals({path("nowhere")}), gemba::Error);
}

TEST_F(IngestTest, SingleFileRootAndSplitting) {
  write("one.txt", "only\n");
  IngestResult r = ingest_manuals({path("one.txt")});
  ASSERT_EQ(r.documents.size(), 1u);
  EXPECT_EQ(r.documents[0].id, "one.txt");
  auto parts = split_text_documents("a\n\n\n\nb\n \n\t\nc\n\nd");
  ASSERT_EQ(parts.size(), 3u);
  EXPECT_EQ(parts[1].first_line, 5);
}
