// The tokenizer.ggml.* metadata gemba writes, as llama.cpp reads it (gguf-tokenizer.cpp has
// what llama.cpp does with each key): the vocabulary type, the token types (byte pieces BYTE,
// specials CONTROL, unknown UNKNOWN, padding UNUSED at -1000, a Unigram model's user-defined
// pieces NORMAL with their Viterbi score), the add_* flags, one unique token per embedding
// row; and that text needing byte fallback encodes through the GGUF exactly as libsentencepiece
// encodes it. The by-hand comparison with llama.cpp itself is docs/llama-cpp-compat.md.
#include <gtest/gtest.h>
#include <sentencepiece_processor.h>

#include <set>

#include "format/gguf.h"
#include "tokenizer-fixture.h"
#include "tokenizer/byte-fallback.h"
#include "tokenizer/tokenizer-spec.h"
#include "tokenizer/tokenizer.h"

namespace gemba::tokenizer {
namespace {

using test::TrainedModels;

constexpr int kNormal = 1, kUnknown = 2, kControl = 3, kUserDefined = 4, kUnused = 5, kByte = 6;
constexpr int64_t kPadRows = 7;  // the embedding has more rows than the tokenizer has pieces

// Text that needs byte fallback in the test vocabularies (and in the demo's: 龘 is the
// character issue 31 saw llama.cpp turn into <unk>), with a user-defined piece (E-21).
const std::vector<std::string>& byte_fallback_text() {
  static const std::vector<std::string> s = {"ZCP-110の龘の最大入出力点数は", "絵文字 🙂🔧 と 𠮷野家", "E-21 は鱻？ ⚙ ½",
                                             "Emoji at the end 🤖", "龘", "𩸽の塩焼き"};
  return s;
}

class GgufTokenizer : public ::testing::TestWithParam<TokenizerType> {
 protected:
  void SetUp() override {
    dir_ = TrainedModels::get().dir(GetParam());
    ASSERT_TRUE(sp_.Load(dir_ + "/tokenizer.model").ok());
    tok_ = std::make_unique<Tokenizer>(Tokenizer::load(dir_));
    format::GgufWriter writer;
    rows_ = static_cast<int64_t>(tok_->vocab_size()) + kPadRows;
    tok_->to_gguf(writer, rows_);
    path_ = dir_ + "-meta.gguf";
    writer.write(path_);
    file_ = std::make_unique<format::GgufFile>(format::GgufFile::open(path_));
  }
  void TearDown() override { std::filesystem::remove(path_); }

  std::vector<std::string> tokens() const { return file_->get("tokenizer.ggml.tokens").as_strings("tokens"); }
  std::vector<int64_t> types() const { return file_->get("tokenizer.ggml.token_type").as_ints("types"); }
  std::vector<float> scores() const { return file_->get("tokenizer.ggml.scores").as_floats("scores"); }
  bool flag(const std::string& key) const { return file_->get(key).as_bool(key); }

  std::string dir_, path_;
  int64_t rows_ = 0;
  sentencepiece::SentencePieceProcessor sp_;
  std::unique_ptr<Tokenizer> tok_;
  std::unique_ptr<format::GgufFile> file_;
};

TEST_P(GgufTokenizer, ModelTypeAndFlags) {
  // "llama" is llama.cpp's SentencePiece-BPE (merge by score, byte fallback); "t5" its Viterbi.
  EXPECT_EQ(file_->get_string("tokenizer.ggml.model", ""), GetParam() == TokenizerType::kBpe ? "llama" : "t5");
  // Always explicit: t5's defaults (no BOS, EOS appended) are not SentencePiece's.
  EXPECT_TRUE(flag("tokenizer.ggml.add_bos_token"));
  EXPECT_FALSE(flag("tokenizer.ggml.add_eos_token"));
  EXPECT_TRUE(flag("tokenizer.ggml.add_space_prefix"));
  EXPECT_FALSE(flag("tokenizer.ggml.remove_extra_whitespaces"));
  EXPECT_EQ(file_->get_uint("tokenizer.ggml.bos_token_id"), 1u);
  EXPECT_EQ(file_->get_uint("tokenizer.ggml.eos_token_id"), 2u);
  EXPECT_EQ(file_->get_uint("tokenizer.ggml.unknown_token_id"), 0u);
  EXPECT_EQ(file_->get_uint("tokenizer.ggml.padding_token_id"), 3u);
  EXPECT_EQ(file_->find("tokenizer.ggml.precompiled_charsmap"), nullptr);  // identity normalization
}

TEST_P(GgufTokenizer, OneUniqueTokenPerEmbeddingRow) {
  const auto t = tokens();
  ASSERT_EQ(static_cast<int64_t>(t.size()), rows_);  // llama.cpp: n_vocab = token_embd rows
  EXPECT_EQ(types().size(), t.size());
  EXPECT_EQ(scores().size(), t.size());
  EXPECT_EQ(std::set<std::string>(t.begin(), t.end()).size(), t.size());  // llama.cpp refuses duplicates
  for (const auto& s : t) EXPECT_FALSE(s.empty());                        // and renames empty ones
}

TEST_P(GgufTokenizer, TokenTypes) {
  const auto t = tokens();
  const auto ty = types();
  const auto sc = scores();
  int bytes = 0;
  for (size_t i = 0; i < t.size(); ++i) {
    const int b = parse_byte_piece(t[i]);
    if (b >= 0) {
      ++bytes;
      EXPECT_EQ(ty[i], kByte) << t[i];  // llama.cpp's byte fallback finds them by type
    }
    if (i < tok_->vocab_size() && sp_.IsControl(static_cast<int>(i))) EXPECT_EQ(ty[i], kControl) << t[i];
    if (GetParam() == TokenizerType::kUnigram)  // UserDefinedPieces below has why
      EXPECT_NE(ty[i], kUserDefined) << t[i] << ": llama.cpp would cut it out of the text with its own dummy prefix";
    else if (ty[i] == kUserDefined)
      EXPECT_GT(t[i].size(), 1u) << "a one-character user-defined piece is NORMAL";
    if (ty[i] == kUnused) EXPECT_EQ(sc[i], -1000.0f) << t[i];  // llama.cpp's UGM matches unused pieces
  }
  EXPECT_EQ(bytes, 256);
  EXPECT_EQ(ty[0], kUnknown);
  // Padding rows past the tokenizer: unused "[PAD<id>]".
  for (int64_t id = static_cast<int64_t>(tok_->vocab_size()); id < rows_; ++id) {
    EXPECT_EQ(t[static_cast<size_t>(id)], "[PAD" + std::to_string(id) + "]");
    EXPECT_EQ(ty[static_cast<size_t>(id)], kUnused);
  }
}

// User-defined pieces ("E-21", "<sep>"; gemba's own tokenizers have "\n"): SentencePiece keeps
// them inside the text; llama.cpp splits USER_DEFINED tokens out and gives the text after each
// its own dummy prefix. Unigram writes them NORMAL with the score SentencePiece's Viterbi gives
// them; BPE writes one-character ones NORMAL (a symbol of its own in llama.cpp's SPM as well)
// and keeps longer ones USER_DEFINED (SPM could not merge its way to them).
TEST_P(GgufTokenizer, UserDefinedPieces) {
  TokenizerSpec spec = tok_->spec();
  spec.entries.push_back({"\n", 0.0f, TokenKind::kUserDefined});
  const auto with_newline = Tokenizer::from_spec(spec);
  format::GgufWriter writer;
  with_newline.to_gguf(writer);
  const std::string path = dir_ + "-user.gguf";
  writer.write(path);
  const auto file = format::GgufFile::open(path);
  std::filesystem::remove(path);
  const auto ty = file.get("tokenizer.ggml.token_type").as_ints("types");
  const auto sc = file.get("tokenizer.ggml.scores").as_floats("scores");
  const int32_t code = with_newline.piece_to_id("E-21"), newline = with_newline.piece_to_id("\n");
  ASSERT_GE(code, 0);
  ASSERT_EQ(with_newline.entry(code).kind, TokenKind::kUserDefined);
  EXPECT_EQ(ty[static_cast<size_t>(newline)], kNormal);
  if (GetParam() == TokenizerType::kUnigram) {
    EXPECT_EQ(ty[static_cast<size_t>(code)], kNormal);
    EXPECT_NEAR(sc[static_cast<size_t>(code)], -0.1f, 1e-6f);  // SentencePiece: length * max(FLT_MIN, scores) - 0.1
  } else {
    EXPECT_EQ(ty[static_cast<size_t>(code)], kUserDefined);
  }
  // Read back, every piece still wins exactly where it did.
  const auto back = Tokenizer::from_gguf(file);
  for (const std::string& s : {"E-21", "AE-21B", "E-21 と E-210", "ZE-21E-21", "a\nb", "### Q:\nE-21\n\n### A:\n"})
    EXPECT_EQ(back.encode(s), with_newline.encode(s)) << s;
}

TEST_P(GgufTokenizer, ByteFallbackParityThroughTheGguf) {
  const auto back = Tokenizer::from_gguf(*file_);
  EXPECT_EQ(back.vocab_size(), tok_->vocab_size());  // the padding is not part of the tokenizer
  EXPECT_TRUE(back.byte_fallback());
  for (const auto& s : byte_fallback_text()) {
    std::vector<int> want;
    ASSERT_TRUE(sp_.Encode(s, &want).ok());
    const auto got = back.encode(s);
    EXPECT_EQ(std::vector<int>(got.begin(), got.end()), want) << s;
    EXPECT_EQ(back.decode(got), s);
  }
  // 𩸽 (U+29E3D) is in no training text: its four UTF-8 bytes as byte pieces, never <unk>
  // (llama.cpp's "t5" vocab writes <unk> here: docs/llama-cpp-compat.md).
  ASSERT_LT(back.piece_to_id("𩸽"), 0);
  const auto ids = back.encode("𩸽");
  std::vector<std::string> pieces;
  for (auto id : ids) pieces.push_back(back.entry(id).piece);
  ASSERT_GE(pieces.size(), 4u);
  const std::vector<std::string> tail(pieces.end() - 4, pieces.end());
  EXPECT_EQ(tail, (std::vector<std::string>{"<0xF0>", "<0xA9>", "<0xB8>", "<0xBD>"}));
  EXPECT_EQ(std::count(ids.begin(), ids.end(), back.unk_id()), 0);
}

INSTANTIATE_TEST_SUITE_P(Types, GgufTokenizer, ::testing::Values(TokenizerType::kBpe, TokenizerType::kUnigram),
                         [](const auto& info) { return info.param == TokenizerType::kBpe ? "Bpe" : "Unigram"; });

}  // namespace
}  // namespace gemba::tokenizer
