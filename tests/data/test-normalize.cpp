// data: NFKC normalization and line-preserving whitespace cleanup.
#include <gtest/gtest.h>

#include "core/error.h"
#include "data/normalize.h"

using namespace gemba::data;

TEST(Normalize, FullWidthAsciiBecomesAscii) {
  EXPECT_EQ(normalize_text("ＰＬＣ－１２０ Ａ"), "PLC-120 A");
  EXPECT_EQ(normalize_text("（１）　定格電流：３．５Ａ"), "(1) 定格電流:3.5A");
}

TEST(Normalize, HalfWidthKanaBecomesFullWidth) {
  EXPECT_EQ(normalize_text("ｻｰﾎﾞｱﾝﾌﾟ"), "サーボアンプ");
  EXPECT_EQ(normalize_text("ｶﾞｲﾄﾞ ﾊﾟﾗﾒｰﾀ"), "ガイド パラメータ");  // voiced marks compose
}

TEST(Normalize, KeepsJapaneseAndPunctuationThatNfkcKeeps) {
  EXPECT_EQ(normalize_text("エラーコード E-21 の対処"), "エラーコード E-21 の対処");
}

TEST(Normalize, RemovesControlCharactersButKeepsLines) {
  EXPECT_EQ(clean_whitespace(std::string("a\x01" "b\x7f" "c\r\nd\re", 11)), "abc\nd\ne");
  EXPECT_EQ(normalize_text("\xEF\xBB\xBF" "bom\xE2\x80\x8Bzero\xC2\xAD" "soft"), "bomzerosoft");
  EXPECT_EQ(normalize_text("line\xE2\x80\xA8next"), "line\nnext");
}

TEST(Normalize, WhitespaceCleanupKeepsTablesReadable) {
  std::string in =
      "\n\nTitle   \n\n\n\n"
      "No.      Name          Range\n"
      "Pr.001   Speed gain    0-100   \n"
      "\tnested item\n"
      "        deep item\n"
      "word word\n\n\n";
  std::string expected =
      "Title\n\n"
      "No.  Name  Range\n"
      "Pr.001  Speed gain  0-100\n"
      "  nested item\n"
      "    deep item\n"
      "word word";
  EXPECT_EQ(clean_whitespace(in), expected);
}

TEST(Normalize, IndentationIsCappedNotLost) {
  EXPECT_EQ(clean_whitespace("a\n" + std::string(40, ' ') + "b"), "a\n        b");
  EXPECT_EQ(clean_whitespace("a\n b"), "a\n b");
}

TEST(Normalize, InvalidUtf8IsAnErrorNamingTheSource) {
  try {
    normalize_text("ok \xFF bad", "manual.txt");
    FAIL() << "no error";
  } catch (const gemba::Error& e) {
    EXPECT_NE(std::string(e.what()).find("manual.txt"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("byte 3"), std::string::npos);
  }
}

TEST(Normalize, SplitsParagraphsAndCollapsesLines) {
  auto paragraphs = split_paragraphs("# Head\n\nline one\nline two\n\nlast");
  ASSERT_EQ(paragraphs.size(), 3u);
  EXPECT_EQ(paragraphs[1], "line one\nline two");
  EXPECT_EQ(collapse_to_line("  a\n b  c \n"), "a b c");
  EXPECT_TRUE(split_paragraphs("").empty());
}
