// GGUF tokenizer.ggml.* keys, written so llama.cpp tokenizes as gemba (and libsentencepiece) do.
// What llama.cpp does with them (src/llama-vocab.cpp; checked against c392e50 and read in the
// 2026 tree, docs/llama-cpp-compat.md has the measured comparison):
//   tokenizer.ggml.model  "llama" = llama.cpp's SPM vocab: BPE by piece score (the highest-scoring
//                         adjacent pair whose concatenation is a piece merges first) with byte
//                         fallback: exactly SentencePiece BPE, so gemba writes it for BPE models.
//                         "t5" = its UGM vocab: Viterbi over the scores with SentencePiece's
//                         unknown penalty (min score - 10): exactly SentencePiece Unigram, except
//                         that UGM has no byte fallback: a character with no piece becomes <unk>
//                         (a run of them one <unk>) where gemba writes its UTF-8 bytes as <0xXX>.
//                         Unigram models are written as "t5": run as "llama", a Unigram vocabulary
//                         is merged as BPE and ordinary text splits differently (the comparison
//                         counts how often), which costs more than <unk> on characters the
//                         vocabulary lacks. llama.cpp's "plamo2" vocab does Viterbi with byte
//                         fallback but has no dummy prefix or "▁" spaces, so it cannot carry a
//                         SentencePiece vocabulary either.
//   tokenizer.ggml.token_type  1 normal, 2 unknown, 3 control, 4 user-defined, 5 unused, 6 byte
//                         (TokenKind). llama.cpp cuts USER_DEFINED pieces out of the text before
//                         tokenizing and gives the text after each its own dummy prefix, which
//                         SentencePiece does not; so a Unigram model's user-defined pieces are
//                         written as NORMAL with the score SentencePiece's Viterbi gives them
//                         (UnigramEncoder::user_defined_score), which both Viterbis then pick alike;
//                         a BPE model's one-character ones ("\n") are NORMAL too. Longer ones of a
//                         BPE model stay USER_DEFINED: SPM could not merge its way to a NORMAL one.
//                         Byte pieces "<0xXX>" are BYTE: llama.cpp's SPM falls back to them by type.
//   tokenizer.ggml.scores Unigram log-probs / BPE merge priorities. UNUSED pieces score -1000 (as
//                         llama.cpp's converter pads): its UGM matches unused pieces, SentencePiece
//                         never does. Padded with unused "[PAD<id>]" up to the embedding rows
//                         (llama.cpp needs one token per row).
//   tokenizer.ggml.bos_token_id / eos_token_id / unknown_token_id / padding_token_id
//   tokenizer.ggml.add_bos_token / add_eos_token / add_space_prefix / remove_extra_whitespaces:
//                         always written (t5's defaults are add_bos false, add_eos true).
//   tokenizer.ggml.merges only for a BPE loaded from a tokenizer.json with an explicit merge
//                         list ("a b" strings); llama.cpp's SPM vocab ignores it.
#include "core/error.h"
#include "core/utf8.h"
#include "format/gguf.h"
#include "tokenizer/byte-fallback.h"
#include "tokenizer/tokenizer-impl.h"

namespace gemba::tokenizer {

namespace {
// Low enough that llama.cpp's UGM, which matches unused pieces, never prefers one.
constexpr float kUnusedScore = -1000.0f;

int32_t optional_id(const format::GgufFile& file, const std::string& key, int32_t fallback) {
  const format::GgufValue* v = file.find(key);
  if (!v) return fallback;
  const int64_t id = v->as_int(key);
  if (id < -1 || id > INT32_MAX) fail(file.path(), ": key '", key, "' = ", id, " is not a token id");
  return static_cast<int32_t>(id);
}
bool optional_bool(const format::GgufFile& file, const std::string& key, bool fallback) {
  const format::GgufValue* v = file.find(key);
  return v ? v->as_bool(key) : fallback;
}
}  // namespace

Tokenizer Tokenizer::from_gguf(const format::GgufFile& file) {
  const std::string& what = file.path();
  TokenizerSpec spec;
  const std::string model = file.get_string("tokenizer.ggml.model", "");
  if (model.empty()) fail(what, ": no tokenizer (key 'tokenizer.ggml.model' is missing); pass a tokenizer file with -m");
  if (model == "llama")
    spec.type = TokenizerType::kBpe;
  else if (model == "t5")
    spec.type = TokenizerType::kUnigram;
  else
    fail(what, ": tokenizer.ggml.model '", model, "' is not supported (gemba reads \"llama\" = SentencePiece BPE and "
               "\"t5\" = Unigram)");
  if (file.find("tokenizer.ggml.precompiled_charsmap")) {
    const auto& v = file.get("tokenizer.ggml.precompiled_charsmap");
    if (v.type == format::GgufValueType::ARRAY && !v.array.empty())
      fail(what, ": the tokenizer has a precompiled character map (non-identity normalization), which gemba does not implement");
  }
  const auto tokens = file.get("tokenizer.ggml.tokens").as_strings("tokenizer.ggml.tokens");
  std::vector<float> scores(tokens.size(), 0.0f);
  if (const auto* v = file.find("tokenizer.ggml.scores")) scores = v->as_floats("tokenizer.ggml.scores");
  std::vector<int64_t> types(tokens.size(), static_cast<int64_t>(TokenKind::kNormal));
  if (const auto* v = file.find("tokenizer.ggml.token_type")) types = v->as_ints("tokenizer.ggml.token_type");
  if (scores.size() != tokens.size() || types.size() != tokens.size())
    fail(what, ": tokenizer.ggml.scores (", scores.size(), ") / token_type (", types.size(),
         ") do not have one entry per token (", tokens.size(), ")");
  // Trailing "[PAD<id>]" unused entries only pad the list to the embedding rows (to_gguf below;
  // llama.cpp's converter does the same): they are not tokens, so the tokenizer ends before
  // them and the generator never samples those rows.
  size_t n_tokens = tokens.size();
  while (n_tokens > 0 && types[n_tokens - 1] == static_cast<int64_t>(TokenKind::kUnused) &&
         tokens[n_tokens - 1] == "[PAD" + std::to_string(n_tokens - 1) + "]")
    --n_tokens;
  spec.entries.resize(n_tokens);
  for (size_t i = 0; i < n_tokens; ++i) {
    if (types[i] < 1 || types[i] > 6) fail(what, ": tokenizer.ggml.token_type[", i, "] = ", types[i], " is not 1..6");
    spec.entries[i] = {tokens[i], scores[i], static_cast<TokenKind>(types[i])};
    if (spec.entries[i].kind == TokenKind::kByte) spec.byte_fallback = true;
  }
  spec.unk_id = optional_id(file, "tokenizer.ggml.unknown_token_id", -1);
  if (spec.unk_id < 0)
    for (size_t i = 0; i < spec.entries.size(); ++i)
      if (spec.entries[i].kind == TokenKind::kUnknown) spec.unk_id = static_cast<int32_t>(i);
  if (spec.unk_id < 0) fail(what, ": the tokenizer has no unknown token (tokenizer.ggml.unknown_token_id)");
  spec.bos_id = optional_id(file, "tokenizer.ggml.bos_token_id", -1);
  spec.eos_id = optional_id(file, "tokenizer.ggml.eos_token_id", -1);
  spec.pad_id = optional_id(file, "tokenizer.ggml.padding_token_id", -1);
  spec.add_dummy_prefix = optional_bool(file, "tokenizer.ggml.add_space_prefix", true);
  // llama.cpp's SPM never removes extra whitespace; its UGM defaults to doing so.
  spec.remove_extra_whitespaces = optional_bool(file, "tokenizer.ggml.remove_extra_whitespaces", model == "t5");
  spec.escape_whitespaces = true;
  if (const auto* v = file.find("tokenizer.ggml.merges"); v && spec.type == TokenizerType::kBpe) {
    std::unordered_map<std::string, int32_t> ids;
    for (size_t i = 0; i < tokens.size(); ++i) ids.emplace(tokens[i], static_cast<int32_t>(i));
    spec.has_merge_list = true;
    for (const auto& m : v->as_strings("tokenizer.ggml.merges")) {
      const size_t sp = m.find(' ');
      auto a = ids.find(m.substr(0, sp)), b = sp == std::string::npos ? ids.end() : ids.find(m.substr(sp + 1));
      if (a == ids.end() || b == ids.end()) fail(what, ": tokenizer.ggml.merges entry '", m, "' names an unknown piece");
      spec.merges.emplace_back(a->second, b->second);
    }
  }
  validate_spec(spec, what);
  return Tokenizer(std::make_unique<Impl>(std::move(spec)));
}

void Tokenizer::to_gguf(format::GgufWriter& writer, int64_t vocab_rows) const {
  const TokenizerSpec& spec = impl_->spec;
  using format::GgufValue;
  writer.set_string("tokenizer.ggml.model", spec.type == TokenizerType::kBpe ? "llama" : "t5");
  std::vector<std::string> tokens;
  std::vector<float> scores;
  std::vector<int32_t> types;
  tokens.reserve(spec.entries.size());
  for (const auto& e : spec.entries) {
    TokenKind kind = e.kind;
    float score = e.score;
    if (kind == TokenKind::kUnused) score = kUnusedScore;
    if (kind == TokenKind::kUserDefined && spec.type == TokenizerType::kUnigram) {
      kind = TokenKind::kNormal;
      score = static_cast<float>(impl_->unigram->user_defined_score(e.piece.size()));
    } else if (kind == TokenKind::kUserDefined && utf8_code_points(e.piece) == 1) {
      // BPE: one character is a symbol of its own in llama.cpp's SPM too, and no merge reaches
      // past it (SentencePiece trains user-defined symbols as atoms), so NORMAL tokenizes alike.
      kind = TokenKind::kNormal;
    }
    tokens.push_back(e.piece);
    scores.push_back(score);
    types.push_back(static_cast<int32_t>(kind));
  }
  const auto n_pieces = static_cast<int64_t>(spec.entries.size());
  if (vocab_rows > 0 && vocab_rows < n_pieces)
    fail("the model's embedding has ", vocab_rows, " rows but its tokenizer ", n_pieces,
         " pieces: ids past the embedding cannot be run; train or convert with a vocab_size of at least ", n_pieces);
  for (int64_t id = n_pieces; id < vocab_rows; ++id) {  // never produced by the encoder (kUnused)
    tokens.push_back("[PAD" + std::to_string(id) + "]");
    scores.push_back(kUnusedScore);
    types.push_back(static_cast<int32_t>(TokenKind::kUnused));
  }
  writer.set("tokenizer.ggml.tokens", GgufValue::from_strings(tokens));
  writer.set("tokenizer.ggml.scores", GgufValue::from_f32s(scores));
  writer.set("tokenizer.ggml.token_type", GgufValue::from_i32s(types));
  if (spec.bos_id >= 0) writer.set_u32("tokenizer.ggml.bos_token_id", static_cast<uint32_t>(spec.bos_id));
  if (spec.eos_id >= 0) writer.set_u32("tokenizer.ggml.eos_token_id", static_cast<uint32_t>(spec.eos_id));
  writer.set_u32("tokenizer.ggml.unknown_token_id", static_cast<uint32_t>(spec.unk_id));
  if (spec.pad_id >= 0) writer.set_u32("tokenizer.ggml.padding_token_id", static_cast<uint32_t>(spec.pad_id));
  writer.set_bool("tokenizer.ggml.add_bos_token", spec.bos_id >= 0);
  writer.set_bool("tokenizer.ggml.add_eos_token", false);
  writer.set_bool("tokenizer.ggml.add_space_prefix", spec.add_dummy_prefix);
  writer.set_bool("tokenizer.ggml.remove_extra_whitespaces", spec.remove_extra_whitespaces);
  if (!spec.escape_whitespaces) fail("tokenizer: a model with escape_whitespaces=false cannot be stored in GGUF");
  if (spec.has_merge_list) {
    std::vector<std::string> merges;
    for (const auto& [l, r] : spec.merges)
      merges.push_back(spec.entries[static_cast<size_t>(l)].piece + " " + spec.entries[static_cast<size_t>(r)].piece);
    writer.set("tokenizer.ggml.merges", GgufValue::from_strings(merges));
  }
}

}  // namespace gemba::tokenizer
