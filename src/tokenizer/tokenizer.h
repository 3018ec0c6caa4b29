// gemba's tokenizer: SentencePiece-compatible BPE and Unigram models with byte fallback,
// written by hand so the engine needs no libsentencepiece. Encodes exactly as
// libsentencepiece does (tested on Japanese and English); loads HF tokenizer.json,
// SentencePiece .model files and GGUF tokenizer.ggml.* keys.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace gemba::format {
class GgufFile;
class GgufWriter;
}  // namespace gemba::format

namespace gemba::tokenizer {

enum class TokenizerType { kBpe, kUnigram };

struct TokenizerSpec;  // tokenizer/tokenizer-spec.h: vocabulary, special ids, normalizer flags

enum class TokenKind : uint8_t { kNormal = 1, kUnknown = 2, kControl = 3, kUserDefined = 4, kUnused = 5, kByte = 6 };

struct TokenEntry {
  std::string piece;   // as in the vocabulary, with "▁" for a space
  float score = 0;     // unigram log-prob, or BPE merge priority (higher merges first)
  TokenKind kind = TokenKind::kNormal;
};

class Tokenizer {
 public:
  // A directory with tokenizer.json or tokenizer.model, a .model or tokenizer.json file, or
  // a .gguf file. Throws gemba::Error naming the path and the problem.
  static Tokenizer load(const std::string& path);
  static Tokenizer from_gguf(const format::GgufFile& file);
  static Tokenizer from_hf_json_file(const std::string& path);
  static Tokenizer from_sentencepiece_model(const std::string& path);
  // From an in-memory spec (tests, converters). Throws gemba::Error if it is inconsistent.
  static Tokenizer from_spec(const TokenizerSpec& spec);

  // tokenizer.ggml.* keys. vocab_rows: the model's embedding rows. llama.cpp takes n_vocab from
  // the token list and requires token_embd to have exactly that many rows, so a tokenizer smaller
  // than the (padded) embedding is written with unused "[PAD<id>]" entries up to vocab_rows.
  // 0: as many as the tokenizer has; fewer rows than tokens is an error.
  void to_gguf(format::GgufWriter& writer, int64_t vocab_rows = 0) const;
  void write_hf_json(const std::string& path) const;         // tokenizer.json (atomic)
  // tokenizer_config.json (atomic): bos/eos/unk/pad token strings, add_bos_token, class.
  void write_hf_config(const std::string& path) const;

  // Text -> ids. add_bos prepends bos_id(). Invalid UTF-8 is a gemba::Error.
  std::vector<int32_t> encode(std::string_view text, bool add_bos = false) const;
  // As encode(), but dummy_prefix = false suppresses the model's dummy-prefix space: for text
  // that continues a sequence (chat-template segments after the first).
  std::vector<int32_t> encode(std::string_view text, bool add_bos, bool dummy_prefix) const;
  // ids -> text; control tokens are dropped, byte tokens are re-assembled into UTF-8.
  std::string decode(const std::vector<int32_t>& ids) const;
  // The bytes one token contributes (byte tokens give their single byte, "▁" gives " ").
  // Streaming decoders concatenate these and emit only complete UTF-8.
  std::string token_bytes(int32_t id) const;

  TokenizerType type() const;
  size_t vocab_size() const;
  const TokenEntry& entry(int32_t id) const;
  int32_t piece_to_id(std::string_view piece) const;  // -1 if absent
  int32_t bos_id() const;
  int32_t eos_id() const;
  int32_t unk_id() const;
  int32_t pad_id() const;  // -1 if none
  bool add_dummy_prefix() const;
  bool remove_extra_whitespaces() const;
  bool byte_fallback() const;
  const TokenizerSpec& spec() const;

  Tokenizer(Tokenizer&&) noexcept;
  Tokenizer& operator=(Tokenizer&&) noexcept;
  ~Tokenizer();

  struct Impl;

 private:
  explicit Tokenizer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace gemba::tokenizer
