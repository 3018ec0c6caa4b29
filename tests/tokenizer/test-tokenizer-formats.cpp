// Tokenizer building blocks and file formats on small hand-made vocabularies: the trie, the
// whitespace normalizer, BPE merge order, Unigram Viterbi, SentencePiece .model wire format,
// tokenizer.json variants, and bad input (each a gemba::Error, never a crash).
#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>

#include "core/atomic-output.h"
#include "core/error.h"
#include "core/json.h"
#include "tokenizer/byte-fallback.h"
#include "tokenizer/double-array-trie.h"
#include "tokenizer/hf-tokenizer-json.h"
#include "tokenizer/normalizer.h"
#include "tokenizer/sentencepiece-model.h"
#include "tokenizer/tokenizer-spec.h"
#include "tokenizer/tokenizer.h"

namespace gemba::tokenizer {
namespace {

const std::string kSp = kSpaceSymbol;

// A minimal protobuf writer, to build .model files by hand.
struct Proto {
  std::string bytes;
  void varint(uint64_t v) {
    while (v >= 0x80) {
      bytes += static_cast<char>((v & 0x7F) | 0x80);
      v >>= 7;
    }
    bytes += static_cast<char>(v);
  }
  void tag(uint32_t field, uint32_t wire) { varint((static_cast<uint64_t>(field) << 3) | wire); }
  void u(uint32_t field, uint64_t v) { tag(field, 0), varint(v); }
  void i32(uint32_t field, int32_t v) { tag(field, 0), varint(static_cast<uint64_t>(static_cast<int64_t>(v))); }
  void str(uint32_t field, const std::string& s) { tag(field, 2), varint(s.size()), bytes += s; }
  void f32(uint32_t field, float f) {
    tag(field, 5);
    uint32_t x;
    std::memcpy(&x, &f, 4);
    for (int i = 0; i < 4; ++i) bytes += static_cast<char>((x >> (8 * i)) & 0xFF);
  }
};

// pieces: (piece, score, type). model_type 1 = unigram, 2 = bpe.
std::string make_model(const std::vector<std::tuple<std::string, float, int>>& pieces, int model_type,
                       const std::string& charsmap = "") {
  Proto m;
  for (const auto& [piece, score, type] : pieces) {
    Proto p;
    p.str(1, piece);
    p.f32(2, score);
    p.u(3, static_cast<uint64_t>(type));
    m.str(1, p.bytes);
  }
  Proto t;
  t.u(3, static_cast<uint64_t>(model_type));
  t.u(35, 1);
  t.i32(40, 0);
  t.i32(41, 1);
  t.i32(42, 2);
  t.i32(43, -1);
  m.str(2, t.bytes);
  Proto n;
  n.str(1, charsmap.empty() ? "identity" : "nmt_nfkc");
  if (!charsmap.empty()) n.str(2, charsmap);
  n.u(3, 1);
  n.u(4, 0);
  m.str(3, n.bytes);
  return m.bytes;
}

std::vector<std::tuple<std::string, float, int>> base_pieces() {
  std::vector<std::tuple<std::string, float, int>> p = {{"<unk>", 0, 2}, {"<s>", 0, 3}, {"</s>", 0, 3}};
  for (int b = 0; b < 256; ++b) p.emplace_back(byte_piece(static_cast<uint8_t>(b)), 0, 6);
  return p;
}

Tokenizer from_bytes(const std::string& bytes) {
  const std::string path = (std::filesystem::temp_directory_path() / "gemba-test-formats.model").string();
  write_file_atomic(path, bytes);
  struct Remove {
    std::string path;
    ~Remove() { std::filesystem::remove(path); }
  } remove{path};
  return Tokenizer::from_sentencepiece_model(path);
}

std::vector<std::string> pieces_of(const Tokenizer& tok, const std::vector<int32_t>& ids) {
  std::vector<std::string> out;
  for (auto id : ids) out.push_back(tok.entry(id).piece);
  return out;
}

TEST(DoubleArrayTrie, FindAndPrefixes) {
  std::vector<std::string> keys = {"a", "ab", "abc", "b", "\xe2\x96\x81", "\xe2\x96\x81x", "zz\xff"};
  std::vector<std::pair<std::string_view, int32_t>> kv;
  for (size_t i = 0; i < keys.size(); ++i) kv.emplace_back(keys[i], static_cast<int32_t>(i * 10));
  DoubleArrayTrie trie;
  trie.build(kv);
  for (size_t i = 0; i < keys.size(); ++i) EXPECT_EQ(trie.find(keys[i]), static_cast<int32_t>(i * 10)) << keys[i];
  EXPECT_EQ(trie.find("abcd"), -1);
  EXPECT_EQ(trie.find("zz"), -1);
  EXPECT_EQ(trie.find(""), -1);
  std::vector<std::pair<size_t, int32_t>> found;
  const std::string text = "abcd";
  trie.for_each_prefix(text.data(), text.size(), [&](size_t n, int32_t v) { found.emplace_back(n, v); });
  EXPECT_EQ(found, (std::vector<std::pair<size_t, int32_t>>{{1, 0}, {2, 10}, {3, 20}}));
  kv.emplace_back("ab", 99);
  EXPECT_THROW(trie.build(kv), gemba::Error);
}

TEST(DoubleArrayTrie, ManyKeys) {
  std::vector<std::string> keys;
  for (int i = 0; i < 5000; ++i) keys.push_back("k" + std::to_string(i * 7919 % 100003));
  std::vector<std::pair<std::string_view, int32_t>> kv;
  for (size_t i = 0; i < keys.size(); ++i) kv.emplace_back(keys[i], static_cast<int32_t>(i));
  DoubleArrayTrie trie;
  trie.build(kv);
  for (size_t i = 0; i < keys.size(); ++i) ASSERT_EQ(trie.find(keys[i]), static_cast<int32_t>(i));
  EXPECT_EQ(trie.find("k"), -1);
}

TEST(Normalizer, WhitespaceRules) {
  NormalizerOptions keep{true, false, true};
  EXPECT_EQ(normalize("a  b ", keep, true), kSp + "a" + kSp + kSp + "b" + kSp);
  EXPECT_EQ(normalize("a", keep, false), "a");
  EXPECT_EQ(normalize("", keep, true), "");
  EXPECT_EQ(normalize(" ", keep, true), kSp + kSp);
  NormalizerOptions squeeze{true, true, true};
  EXPECT_EQ(normalize("  a   b  ", squeeze, true), kSp + "a" + kSp + "b");
  EXPECT_EQ(normalize("   ", squeeze, true), "");
  NormalizerOptions raw{false, false, false};
  EXPECT_EQ(normalize(" a b", raw, true), " a b");
}

TEST(BytePiece, Format) {
  EXPECT_EQ(byte_piece(0x0A), "<0x0A>");
  EXPECT_EQ(parse_byte_piece("<0xFF>"), 255);
  EXPECT_EQ(parse_byte_piece("<0x0g>"), -1);
  EXPECT_EQ(parse_byte_piece("<0x0A"), -1);
}

TEST(Bpe, MergesByPieceScoreThenLeftmost) {
  auto p = base_pieces();
  // Characters and merged pieces; "bc" outranks "ab", so "abc" -> a + bc, then "abc" if present.
  for (const char* c : {"a", "b", "c"}) p.emplace_back(c, -100, 1);
  p.emplace_back(kSp, -100, 1);
  p.emplace_back("bc", -1, 1);
  p.emplace_back("ab", -2, 1);
  p.emplace_back(kSp + "a", -3, 1);
  const auto tok = from_bytes(make_model(p, 2));
  EXPECT_EQ(tok.type(), TokenizerType::kBpe);
  EXPECT_EQ(pieces_of(tok, tok.encode("abc")), (std::vector<std::string>{kSp + "a", "bc"}));
  EXPECT_EQ(pieces_of(tok, tok.encode("ab")), (std::vector<std::string>{kSp, "ab"}));  // ab (-2) beats ▁a (-3)
  EXPECT_EQ(pieces_of(tok, tok.encode("cab", false, false)), (std::vector<std::string>{"c", "ab"}));
  // Tie: equal scores merge the leftmost pair first.
  auto q = base_pieces();
  for (const char* c : {"x", "y"}) q.emplace_back(c, -100, 1);
  q.emplace_back(kSp, -100, 1);
  q.emplace_back("xy", -1, 1);
  q.emplace_back("yx", -1, 1);
  const auto tie = from_bytes(make_model(q, 2));
  EXPECT_EQ(pieces_of(tie, tie.encode("xyx", false, false)), (std::vector<std::string>{"xy", "x"}));
  // Unknown character -> bytes; decode restores it.
  const auto ids = tok.encode("aé");
  EXPECT_EQ(pieces_of(tok, ids), (std::vector<std::string>{kSp + "a", "<0xC3>", "<0xA9>"}));
  EXPECT_EQ(tok.decode(ids), "aé");
}

TEST(Bpe, UnusedPieceIsSplitBack) {
  auto p = base_pieces();
  for (const char* c : {"a", "b", "c"}) p.emplace_back(c, -100, 1);
  p.emplace_back(kSp, -100, 1);
  p.emplace_back("ab", -1, 5);  // unused: may be an intermediate, never an output
  p.emplace_back("abc", -2, 1);
  const auto tok = from_bytes(make_model(p, 2));
  EXPECT_EQ(pieces_of(tok, tok.encode("abc", false, false)), (std::vector<std::string>{"abc"}));
  EXPECT_EQ(pieces_of(tok, tok.encode("ab", false, false)), (std::vector<std::string>{"a", "b"}));
}

TEST(Unigram, ViterbiPrefersHigherTotalScore) {
  auto p = base_pieces();
  for (const char* c : {"a", "b", "c"}) p.emplace_back(c, -5, 1);
  p.emplace_back(kSp, -5, 1);
  p.emplace_back("ab", -4, 1);
  p.emplace_back("bc", -3, 1);
  p.emplace_back("abc", -9.5f, 1);
  const auto tok = from_bytes(make_model(p, 1));
  // a+bc = -8 beats abc = -9.5 and ab+c = -9.
  EXPECT_EQ(pieces_of(tok, tok.encode("abc", false, false)), (std::vector<std::string>{"a", "bc"}));
  // Unknown characters: byte fallback.
  EXPECT_EQ(pieces_of(tok, tok.encode("x", false, false)), (std::vector<std::string>{"<0x78>"}));
  EXPECT_EQ(tok.decode(tok.encode(" a  x ")), " a  x ");
}

TEST(SentencePieceModel, RejectsBadFiles) {
  auto p = base_pieces();
  p.emplace_back("a", -1, 1);
  p.emplace_back(kSp, -1, 1);
  const std::string good = make_model(p, 1);
  EXPECT_NO_THROW(from_bytes(good));
  // Every truncation either parses (a field boundary) or is a gemba::Error; never a crash.
  size_t errors = 0;
  for (size_t n = 0; n < good.size(); ++n) {
    try {
      Tokenizer::from_spec(parse_sentencepiece_model(good.substr(0, n), "gemba-test-formats.model"));
    } catch (const gemba::Error& e) {
      ++errors;
      EXPECT_NE(std::string(e.what()).find("gemba-test-formats.model"), std::string::npos) << e.what();
    }
  }
  EXPECT_GT(errors, good.size() / 2);
  EXPECT_THROW(from_bytes(""), gemba::Error);
  EXPECT_THROW(from_bytes(good.substr(0, 10)), gemba::Error);
  // Bit flips: no crash.
  for (size_t i = 0; i < good.size(); i += 3) {
    std::string bad = good;
    bad[i] = static_cast<char>(bad[i] ^ 0x5A);
    try {
      Tokenizer::from_spec(parse_sentencepiece_model(bad, "gemba-test-formats.model"));
    } catch (const gemba::Error&) {
    }
  }
  // A character-map normalizer is reported, not silently ignored.
  try {
    from_bytes(make_model(p, 1, std::string("\x04\x00\x00\x00xxxx", 8)));
    ADD_FAILURE() << "a precompiled charsmap was accepted";
  } catch (const gemba::Error& e) {
    EXPECT_NE(std::string(e.what()).find("identity"), std::string::npos) << e.what();
  }
  // WORD/CHAR models are not supported.
  EXPECT_THROW(from_bytes(make_model(p, 3)), gemba::Error);
}

Json small_hf_bpe() {
  return parse_json(R"({
    "added_tokens": [{"id": 0, "content": "<unk>", "special": true}, {"id": 1, "content": "<s>", "special": true},
                     {"id": 2, "content": "</s>", "special": true}],
    "normalizer": {"type": "Sequence", "normalizers": [{"type": "Prepend", "prepend": "▁"},
                   {"type": "Replace", "pattern": {"String": " "}, "content": "▁"}]},
    "pre_tokenizer": null,
    "model": {"type": "BPE", "unk_token": "<unk>", "byte_fallback": false,
              "vocab": {"<unk>": 0, "<s>": 1, "</s>": 2, "▁": 3, "a": 4, "b": 5, "▁a": 6, "ab": 7, "▁ab": 8},
              "merges": ["▁ a", "a b", "▁a b"]}})",
                    "test");
}

TEST(HfTokenizerJson, BpeVariantsAgree) {
  const Json j = small_hf_bpe();
  const auto spec = parse_hf_tokenizer_json(j, "strings");
  EXPECT_EQ(spec.bos_id, 1);
  EXPECT_EQ(spec.eos_id, 2);
  EXPECT_TRUE(spec.add_dummy_prefix);
  const auto tok = Tokenizer::from_spec(spec);
  EXPECT_EQ(pieces_of(tok, tok.encode("ab b")), (std::vector<std::string>{kSp + "ab", kSp, "b"}));
  // Merges as pairs, and a Metaspace pre-tokenizer instead of the normalizer.
  Json k = j;
  k["model"]["merges"] = Json::parse(R"([["▁", "a"], ["a", "b"], ["▁a", "b"]])");
  k["normalizer"] = nullptr;
  k["pre_tokenizer"] = Json::parse(R"({"type": "Metaspace", "replacement": "▁", "prepend_scheme": "first", "split": false})");
  const auto tok2 = Tokenizer::from_spec(parse_hf_tokenizer_json(k, "pairs"));
  for (const std::string s : {"ab b", "a", "  ba ab"}) EXPECT_EQ(tok2.encode(s), tok.encode(s)) << s;
  // Written and read back.
  const auto back = Tokenizer::from_spec(parse_hf_tokenizer_json(hf_tokenizer_json(spec), "written"));
  for (const std::string s : {"ab b", "a", "  ba ab"}) EXPECT_EQ(back.encode(s), tok.encode(s)) << s;
}

TEST(HfTokenizerJson, BadInputIsAnError) {
  auto expect_error = [](Json j, const std::string& needle) {
    try {
      parse_hf_tokenizer_json(j, "tok.json");
      ADD_FAILURE() << "accepted: " << needle;
    } catch (const gemba::Error& e) {
      EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
    }
  };
  Json j = small_hf_bpe();
  expect_error(Json::object(), "model");
  Json k = j;
  k["model"]["merges"].push_back("a zz");
  expect_error(k, "merges[3]");
  k = j;
  k["normalizer"] = Json::parse(R"({"type": "NFKC"})");
  expect_error(k, "not supported");
  k = j;
  k["model"]["type"] = "WordPiece";
  expect_error(k, "WordPiece");
  k = j;
  k["model"]["vocab"]["b"] = 42;
  expect_error(k, "vocab");
  Json u = Json::parse(R"({"model": {"type": "Unigram", "unk_id": 0, "vocab": [["<unk>", 0.0], ["a"]]}})");
  expect_error(u, "vocab[1]");
  u = Json::parse(R"({"model": {"type": "Unigram", "unk_id": 5, "vocab": [["<unk>", 0.0]]}})");
  expect_error(u, "unk_id");
  // Malformed JSON text through the file loader.
  const std::string path = (std::filesystem::temp_directory_path() / "gemba-test-bad-tokenizer.json").string();
  write_file_atomic(path, "{\"model\": {\"type\": ");
  EXPECT_THROW(Tokenizer::load(path), gemba::Error);
  std::filesystem::remove(path);
  EXPECT_THROW(Tokenizer::load("/nonexistent/tokenizer.json"), gemba::Error);
}

}  // namespace
}  // namespace gemba::tokenizer
