// data: PDF manuals from poppler's word positions into the document model: tables rebuilt from
// column positions, hyphenation removed, running headers and footers dropped, bad PDFs skipped.
#include <gtest/gtest.h>

#include "data/document.h"
#include "data/pdf-fixture.h"
#include "data/reader-test-util.h"
#include "data/readers/block-builder.h"
#include "data/readers/pdf-reader.h"

using namespace gemba::data;
using gemba::test::describe;
using gemba::test::find_block;
using gemba::test::make_pdf;
using gemba::test::make_positioned_pdf;
using gemba::test::PdfRun;

namespace {

std::string reason_of(const std::string& bytes) {
  try {
    read_pdf(bytes, "x.pdf");
  } catch (const BadInput& e) {
    EXPECT_NE(std::string(e.what()).find("x.pdf"), std::string::npos) << e.what();
    return e.reason();
  }
  return "ok";
}

}  // namespace

TEST(PdfReader, HeadingsParagraphsAndRunningHeadersFooters) {
  std::vector<std::vector<PdfRun>> pages;
  for (int p = 1; p <= 3; ++p) {
    pages.push_back({{72, 770, 9, "ACME Servo Manual Rev 2"},
                     {72, 720, 16, "Section " + std::to_string(p)},
                     {72, 690, 11, "The gain parameter Pr." + std::to_string(100 + p) + " is set with the con-"},
                     {72, 677, 11, "trol panel before the first run."},
                     {72, 640, 11, "A second paragraph follows on page " + std::to_string(p) + "."},
                     {300, 40, 9, "Page " + std::to_string(p) + " of 3"}});
  }
  PdfReadResult pdf = read_pdf(make_positioned_pdf(pages), "manual.pdf");
  SCOPED_TRACE(describe(pdf.blocks));
  EXPECT_EQ(pdf.header_footer_lines_removed, 6);
  EXPECT_EQ(find_block(pdf.blocks, "ACME"), nullptr);
  EXPECT_EQ(find_block(pdf.blocks, "of 3"), nullptr);
  const Block* h = find_block(pdf.blocks, "Section 2");
  ASSERT_TRUE(h);
  EXPECT_EQ(h->kind, BlockKind::kHeading);
  EXPECT_EQ(h->page, 2);
  const Block* p = find_block(pdf.blocks, "Pr.102");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->kind, BlockKind::kParagraph);
  EXPECT_EQ(p->text, "The gain parameter Pr.102 is set with the control panel before the first run.");
  EXPECT_EQ(p->section, (std::vector<std::string>{"Section 2"}));
  ASSERT_TRUE(find_block(pdf.blocks, "A second paragraph"));
  EXPECT_NE(find_block(pdf.blocks, "A second paragraph"), p);
}

TEST(PdfReader, TableRowsFromColumnPositionsWithWrappedCells) {
  std::vector<PdfRun> page = {
      {72, 720, 11, "Parameter"}, {200, 720, 11, "Range"}, {330, 720, 11, "Default"},
      {72, 700, 11, "P0-01"},     {200, 700, 11, "0 to 500 ms"}, {330, 700, 11, "20 ms"},
      {72, 686, 11, "P0-02"},     {200, 686, 11, "1 to 10"},     {330, 686, 11, "5 (after a"},
      {330, 673, 11, "restart)"},
      {72, 640, 11, "Text after the table."}};
  PdfReadResult pdf = read_pdf(make_positioned_pdf({page}), "table.pdf");
  SCOPED_TRACE(describe(pdf.blocks));
  const Block* row = find_block(pdf.blocks, "P0-01");
  ASSERT_TRUE(row);
  EXPECT_EQ(row->kind, BlockKind::kTableRow);
  EXPECT_EQ(row->text, "Parameter: P0-01; Range: 0 to 500 ms; Default: 20 ms");
  const Block* wrapped = find_block(pdf.blocks, "P0-02");
  ASSERT_TRUE(wrapped);
  EXPECT_EQ(wrapped->cells, (std::vector<std::string>{"P0-02", "1 to 10", "5 (after a restart)"}));
  const Block* after = find_block(pdf.blocks, "Text after");
  ASSERT_TRUE(after);
  EXPECT_EQ(after->kind, BlockKind::kParagraph);
}

TEST(PdfReader, ParagraphContinuesAcrossAPageBreak) {
  PdfReadResult pdf = read_pdf(make_pdf({{"The motor must be", "grounded before"}, {"power is applied.", "Next one."}}), "x.pdf");
  SCOPED_TRACE(describe(pdf.blocks));
  const Block* p = find_block(pdf.blocks, "grounded");
  ASSERT_TRUE(p);
  // Evenly spaced lines give no paragraph break; the page break does not cut the sentence.
  EXPECT_EQ(p->text.rfind("The motor must be grounded before power is applied.", 0), 0u) << p->text;
}

TEST(PdfReader, JoiningWrappedLines) {
  EXPECT_EQ(join_wrapped_lines({"設定は", "パネルで行う。"}), "設定はパネルで行う。");
  EXPECT_EQ(join_wrapped_lines({"con-", "trol"}, true), "control");
  EXPECT_EQ(join_wrapped_lines({"RS-", "232C"}, true), "RS- 232C");  // no lower-case word around the hyphen
  EXPECT_EQ(join_wrapped_lines({"con-", "trol"}, false), "con- trol");
  EXPECT_EQ(join_wrapped_lines({"  a  b ", "", "c"}), "a b c");
}

TEST(PdfReader, BadPdfsAreSkippedWithAReason) {
  EXPECT_EQ(reason_of(make_pdf({{"secret"}, {"data"}}, /*encrypted=*/true)), "encrypted-pdf");
  std::string good = make_pdf({{"hello"}});
  EXPECT_EQ(reason_of(good.substr(0, 40)), "broken-pdf");
  EXPECT_EQ(reason_of("not a pdf at all"), "broken-pdf");
  EXPECT_EQ(reason_of("%PDF-1.4\n" + std::string(200, 'x')), "broken-pdf");
  EXPECT_EQ(reason_of(make_pdf({{}, {}})), "no-text");
  EXPECT_EQ(reason_of(good), "ok");
}
