// data: PDF text extraction (poppler), repeated header/footer removal, encrypted/broken PDFs.
#include <gtest/gtest.h>

#include "data/document.h"
#include "data/pdf-fixture.h"
#include "data/pdf-text.h"

using namespace gemba::data;
using gemba::test::make_pdf;

namespace {

std::string reason_of(const std::string& bytes) {
  try {
    extract_pdf_text(bytes, "x.pdf");
  } catch (const BadInput& e) {
    EXPECT_NE(std::string(e.what()).find("x.pdf"), std::string::npos) << e.what();
    return e.reason();
  }
  return "ok";
}

}  // namespace

TEST(PdfText, ExtractsPagesAndDropsRepeatedHeadersAndFooters) {
  std::vector<std::vector<std::string>> pages;
  for (int p = 1; p <= 3; ++p)
    pages.push_back({"ACME Servo Manual Rev 2", "Section " + std::to_string(p) + " body text alpha",
                     "Parameter Pr." + std::to_string(100 + p) + " sets the gain", "Page " + std::to_string(p) + " of 3"});
  PdfText pdf = extract_pdf_text(make_pdf(pages), "manual.pdf");
  ASSERT_EQ(pdf.pages.size(), 3u);
  EXPECT_EQ(pdf.header_footer_lines_removed, 6);
  std::string text = pdf.joined();
  EXPECT_EQ(text.find("ACME Servo Manual"), std::string::npos) << text;
  EXPECT_EQ(text.find("of 3"), std::string::npos) << text;
  EXPECT_NE(text.find("Section 2 body text alpha"), std::string::npos) << text;
  EXPECT_NE(text.find("Pr.103 sets the gain"), std::string::npos) << text;
  // Page order is kept.
  EXPECT_LT(text.find("Section 1"), text.find("Section 3"));
}

TEST(PdfText, SinglePageKeepsEverything) {
  PdfText pdf = extract_pdf_text(make_pdf({{"Only page title", "Body line"}}), "one.pdf");
  EXPECT_EQ(pdf.header_footer_lines_removed, 0);
  EXPECT_NE(pdf.joined().find("Only page title"), std::string::npos);
}

TEST(PdfText, HeaderFooterRemovalNeedsRepetition) {
  std::vector<std::string> pages = {"Title A\nbody one\n1", "Other title\nbody two\n2", "Third\nbody three\n3"};
  EXPECT_EQ(remove_repeated_headers_footers(pages), 3);  // only the page numbers repeat (digits ignored)
  EXPECT_EQ(pages[0], "Title A\nbody one");
  EXPECT_EQ(pages[1], "Other title\nbody two");
  std::vector<std::string> distinct = {"a\nb", "c\nd"};
  EXPECT_EQ(remove_repeated_headers_footers(distinct), 0);
  EXPECT_EQ(distinct[0], "a\nb");
}

TEST(PdfText, BadPdfsAreSkippedWithAReason) {
  EXPECT_EQ(reason_of(make_pdf({{"secret"}, {"data"}}, /*encrypted=*/true)), "encrypted-pdf");
  std::string good = make_pdf({{"hello"}});
  EXPECT_EQ(reason_of(good.substr(0, 40)), "broken-pdf");
  EXPECT_EQ(reason_of("not a pdf at all"), "broken-pdf");
  EXPECT_EQ(reason_of("%PDF-1.4\n" + std::string(200, 'x')), "broken-pdf");
  EXPECT_EQ(reason_of(make_pdf({{}, {}})), "no-text");
  EXPECT_EQ(reason_of(good), "ok");
}
