// Parity: gemba's hand-written encoders give exactly libsentencepiece's ids on every line of
// the Klipper manuals (English and Japanese) and on mixed strings, for a BPE and a Unigram
// model trained here, loaded from tokenizer.model, tokenizer.json and a GGUF round trip.
#include <gtest/gtest.h>
#include <sentencepiece_processor.h>
#include <unistd.h>

#include "core/error.h"
#include "format/gguf.h"
#include "tokenizer-fixture.h"
#include "tokenizer/tokenizer-spec.h"
#include "tokenizer/tokenizer.h"

namespace gemba::tokenizer {
namespace {

using test::TrainedModels;

class Parity : public ::testing::TestWithParam<TokenizerType> {
 protected:
  void SetUp() override {
    dir_ = TrainedModels::get().dir(GetParam());
    const auto status = sp_.Load(dir_ + "/tokenizer.model");
    ASSERT_TRUE(status.ok()) << status.ToString();
  }
  std::vector<std::string> corpus() const {
    auto lines = test::read_lines(test::shared_path("corpora/klipper/manual.txt"));
    for (auto& l : test::read_lines(test::shared_path("corpora/klipper/manual_ja.txt"))) lines.push_back(l);
    for (auto& l : test::mixed_strings()) lines.push_back(l);
    return lines;
  }
  // Compares every line; reports the first few mismatches in full.
  void expect_parity(const Tokenizer& tok, const std::string& how) {
    size_t mismatches = 0, lines = 0, tokens = 0;
    for (const auto& line : corpus()) {
      std::vector<int> want;
      ASSERT_TRUE(sp_.Encode(line, &want).ok());
      const auto got = tok.encode(line);
      ++lines;
      tokens += got.size();
      if (std::vector<int>(got.begin(), got.end()) != want && ++mismatches <= 3) {
        ADD_FAILURE() << how << ": ids differ for line: '" << line << "'\n gemba: " << ::testing::PrintToString(got)
                      << "\n spm:   " << ::testing::PrintToString(want);
      }
      std::string sp_text;
      ASSERT_TRUE(sp_.Decode(want, &sp_text).ok());
      EXPECT_EQ(tok.decode(got), sp_text) << how << ": decode differs for '" << line << "'";
    }
    EXPECT_EQ(mismatches, 0u) << how << ": " << mismatches << " of " << lines << " lines differ";
    EXPECT_GT(tokens, 100000u);  // the corpus really was encoded
  }
  std::string dir_;
  sentencepiece::SentencePieceProcessor sp_;
};

TEST_P(Parity, SentencePieceModelFile) {
  const auto tok = Tokenizer::from_sentencepiece_model(dir_ + "/tokenizer.model");
  EXPECT_EQ(tok.type(), GetParam());
  EXPECT_EQ(static_cast<int>(tok.vocab_size()), sp_.GetPieceSize());
  EXPECT_EQ(tok.unk_id(), sp_.unk_id());
  EXPECT_EQ(tok.bos_id(), sp_.bos_id());
  EXPECT_EQ(tok.eos_id(), sp_.eos_id());
  EXPECT_EQ(tok.pad_id(), sp_.pad_id());
  EXPECT_EQ(tok.unk_id(), 0);
  EXPECT_EQ(tok.bos_id(), 1);
  EXPECT_EQ(tok.eos_id(), 2);
  EXPECT_EQ(tok.pad_id(), 3);
  for (int i = 0; i < sp_.GetPieceSize(); ++i) {
    ASSERT_EQ(tok.entry(i).piece, sp_.IdToPiece(i)) << i;
    ASSERT_FLOAT_EQ(tok.entry(i).score, sp_.GetScore(i)) << i;
  }
  EXPECT_TRUE(tok.byte_fallback());
  expect_parity(tok, "tokenizer.model");
}

TEST_P(Parity, HfTokenizerJson) {
  const auto tok = Tokenizer::from_hf_json_file(dir_ + "/tokenizer.json");
  EXPECT_EQ(tok.type(), GetParam());
  EXPECT_EQ(static_cast<int>(tok.vocab_size()), sp_.GetPieceSize());
  EXPECT_EQ(tok.bos_id(), 1);
  EXPECT_EQ(tok.eos_id(), 2);
  EXPECT_EQ(tok.pad_id(), 3);
  expect_parity(tok, "tokenizer.json");
  // Written again, it reads back identically.
  const std::string again = dir_ + "-again.json";
  tok.write_hf_json(again);
  const auto tok2 = Tokenizer::load(again);
  for (const auto& s : test::mixed_strings()) EXPECT_EQ(tok2.encode(s), tok.encode(s)) << s;
  std::filesystem::remove(again);
}

TEST_P(Parity, GgufRoundTrip) {
  const auto tok = Tokenizer::load(dir_);  // the directory: tokenizer.model wins
  format::GgufWriter writer;
  tok.to_gguf(writer);
  const std::string path = dir_ + "-tok.gguf";
  writer.write(path);
  const auto file = format::GgufFile::open(path);
  EXPECT_EQ(file.get_string("tokenizer.ggml.model", ""), GetParam() == TokenizerType::kBpe ? "llama" : "t5");
  const auto back = Tokenizer::from_gguf(file);
  EXPECT_EQ(back.vocab_size(), tok.vocab_size());
  EXPECT_EQ(back.bos_id(), 1);
  EXPECT_EQ(back.eos_id(), 2);
  EXPECT_EQ(back.pad_id(), 3);
  EXPECT_EQ(back.add_dummy_prefix(), true);
  EXPECT_EQ(back.remove_extra_whitespaces(), false);
  expect_parity(back, "gguf");
  const auto loaded = Tokenizer::load(path);  // detected by magic
  EXPECT_EQ(loaded.encode("サーボ E-21"), back.encode("サーボ E-21"));
  std::filesystem::remove(path);
}

TEST_P(Parity, RoundTripAndByteFallback) {
  const auto tok = Tokenizer::load(dir_ + "/tokenizer.model");
  for (const auto& s : test::mixed_strings()) EXPECT_EQ(tok.decode(tok.encode(s)), s) << s;
  for (const std::string& s : std::vector<std::string>{"  a", "a  ", "   ", "\t", "🙂", "𠮷", " 🙂 x  🙂 ", "\n\n### 指示:\n"})
    EXPECT_EQ(tok.decode(tok.encode(s)), s) << s;
  EXPECT_TRUE(tok.encode("").empty());
  // A character surely absent from the vocabulary is written as its UTF-8 bytes.
  const auto ids = tok.encode("🙂");
  std::vector<int32_t> bytes;
  for (auto id : ids)
    if (tok.entry(id).kind == TokenKind::kByte) bytes.push_back(id);
  EXPECT_EQ(bytes.size(), 4u);
  EXPECT_EQ(tok.entry(bytes[0]).piece, "<0xF0>");
  std::string streamed;
  for (auto id : ids) streamed += tok.token_bytes(id);
  EXPECT_EQ(streamed, " 🙂");  // token_bytes keeps the dummy-prefix space; decode drops it
  // User-defined symbols stay whole.
  const auto sep = tok.encode("a<sep>b");
  EXPECT_NE(std::find(sep.begin(), sep.end(), tok.piece_to_id("<sep>")), sep.end());
  // add_bos
  EXPECT_EQ(tok.encode("x", true).front(), 1);
}

TEST_P(Parity, InvalidUtf8IsAnError) {
  const auto tok = Tokenizer::load(dir_ + "/tokenizer.model");
  for (const std::string& bad : {std::string("abc\xff"), std::string("\xe3\x81"), std::string("\xc0\xaf"),
                                std::string("ok \xed\xa0\x80 surrogate")})
    EXPECT_THROW(tok.encode(bad), gemba::Error) << bad;
  EXPECT_THROW(tok.decode({static_cast<int32_t>(tok.vocab_size())}), gemba::Error);
  EXPECT_THROW(tok.decode({-1}), gemba::Error);
}

INSTANTIATE_TEST_SUITE_P(Types, Parity, ::testing::Values(TokenizerType::kBpe, TokenizerType::kUnigram),
                         [](const auto& info) { return info.param == TokenizerType::kBpe ? "Bpe" : "Unigram"; });

}  // namespace
}  // namespace gemba::tokenizer
