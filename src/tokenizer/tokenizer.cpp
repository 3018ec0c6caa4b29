#include "tokenizer/tokenizer.h"

#include <filesystem>
#include <fstream>

#include "core/error.h"
#include "core/utf8.h"
#include "format/gguf.h"
#include "tokenizer/byte-fallback.h"
#include "tokenizer/tokenizer-impl.h"

namespace gemba::tokenizer {

void validate_spec(const TokenizerSpec& spec, const std::string& what) {
  const auto n = static_cast<int64_t>(spec.entries.size());
  if (n == 0) fail(what, ": the vocabulary is empty");
  if (n > INT32_MAX) fail(what, ": the vocabulary has too many entries (", n, ")");
  if (spec.unk_id < 0 || spec.unk_id >= n) fail(what, ": unk id ", spec.unk_id, " is outside the vocabulary (", n, ")");
  if (spec.entries[static_cast<size_t>(spec.unk_id)].kind != TokenKind::kUnknown)
    fail(what, ": token ", spec.unk_id, " ('", spec.entries[static_cast<size_t>(spec.unk_id)].piece,
         "') is the unk id but is not of the unknown type");
  auto check_id = [&](int32_t id, const char* name) {
    if (id < -1 || id >= n) fail(what, ": ", name, " id ", id, " is outside the vocabulary (", n, " entries)");
  };
  check_id(spec.bos_id, "bos");
  check_id(spec.eos_id, "eos");
  check_id(spec.pad_id, "pad");
  for (int64_t i = 0; i < n; ++i) {
    const auto& e = spec.entries[static_cast<size_t>(i)];
    if (e.piece.empty()) fail(what, ": token ", i, " has an empty piece");
    if (!utf8_valid(e.piece)) fail(what, ": token ", i, " is not valid UTF-8");
    if (e.kind < TokenKind::kNormal || e.kind > TokenKind::kByte)
      fail(what, ": token ", i, " has an unknown type ", static_cast<int>(e.kind));
    if (e.kind == TokenKind::kByte && parse_byte_piece(e.piece) < 0)
      fail(what, ": token ", i, " ('", e.piece, "') has the byte type but is not of the form <0xXX>");
  }
  for (const auto& [l, r] : spec.merges)
    if (l < 0 || r < 0 || l >= n || r >= n) fail(what, ": a merge refers to token ", l < 0 || l >= n ? l : r, " outside the vocabulary");
}

Tokenizer::Impl::Impl(TokenizerSpec s) : spec(std::move(s)) {
  normalizer.add_dummy_prefix = spec.add_dummy_prefix;
  normalizer.remove_extra_whitespaces = spec.remove_extra_whitespaces;
  normalizer.escape_whitespaces = spec.escape_whitespaces;
  byte_ids.fill(spec.unk_id);
  piece_ids.reserve(spec.entries.size());
  for (size_t i = 0; i < spec.entries.size(); ++i) {
    const auto& e = spec.entries[i];
    if (!piece_ids.emplace(e.piece, static_cast<int32_t>(i)).second)
      fail("tokenizer vocabulary: piece '", e.piece, "' appears twice (ids ", piece_ids[e.piece], " and ", i, ")");
    if (e.kind == TokenKind::kByte) byte_ids[static_cast<size_t>(parse_byte_piece(e.piece))] = static_cast<int32_t>(i);
  }
  if (spec.type == TokenizerType::kBpe)
    bpe = std::make_unique<BpeEncoder>(spec);
  else
    unigram = std::make_unique<UnigramEncoder>(spec);
}

Tokenizer::Tokenizer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Tokenizer::Tokenizer(Tokenizer&&) noexcept = default;
Tokenizer& Tokenizer::operator=(Tokenizer&&) noexcept = default;
Tokenizer::~Tokenizer() = default;

Tokenizer Tokenizer::from_spec(const TokenizerSpec& spec) {
  validate_spec(spec, "tokenizer");
  return Tokenizer(std::make_unique<Impl>(spec));
}

Tokenizer Tokenizer::load(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (fs::is_directory(path, ec)) {
    // tokenizer.model carries SentencePiece's exact scores and flags, so it wins when both exist.
    if (fs::exists(fs::path(path) / "tokenizer.model")) return from_sentencepiece_model((fs::path(path) / "tokenizer.model").string());
    if (fs::exists(fs::path(path) / "tokenizer.json")) return from_hf_json_file((fs::path(path) / "tokenizer.json").string());
    fail(path, ": directory has neither tokenizer.model nor tokenizer.json; pass a tokenizer file, a model "
               "directory or a .gguf file");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) fail(path, ": cannot open the tokenizer (expected a tokenizer.json, a SentencePiece .model, a .gguf or a directory)");
  char head[64] = {};
  in.read(head, sizeof head);
  const auto got = static_cast<size_t>(in.gcount());
  if (got == 0) fail(path, ": the file is empty; expected a tokenizer.json, a SentencePiece .model or a .gguf");
  if (got >= 4 && std::string_view(head, 4) == "GGUF") return from_gguf(format::GgufFile::open(path));
  for (size_t i = 0; i < got; ++i) {
    const char c = head[i];
    if (c == ' ' || c == '\n' || c == '\r' || c == '\t') continue;
    if (c == '{') return from_hf_json_file(path);
    break;
  }
  return from_sentencepiece_model(path);
}

std::vector<int32_t> Tokenizer::encode(std::string_view text, bool add_bos) const {
  return encode(text, add_bos, true);
}

std::vector<int32_t> Tokenizer::encode(std::string_view text, bool add_bos, bool dummy_prefix) const {
  size_t bad = 0;
  if (!utf8_valid(text, &bad))
    fail("tokenizer input: invalid UTF-8 at byte ", bad, "; the text must be UTF-8 (convert it first, e.g. with iconv)");
  const Impl& m = *impl_;
  std::vector<int32_t> ids;
  if (add_bos) {
    if (m.spec.bos_id < 0) fail("tokenizer: add_bos requested but the tokenizer has no bos token");
    ids.push_back(m.spec.bos_id);
  }
  const std::string normalized = normalize(text, m.normalizer, dummy_prefix);
  thread_local std::vector<EncodedPiece> pieces;
  pieces.clear();
  if (m.bpe)
    m.bpe->encode(normalized, pieces);
  else
    m.unigram->encode(normalized, pieces);
  ids.reserve(ids.size() + pieces.size());
  for (const auto& p : pieces) {
    if (p.id == m.spec.unk_id && m.spec.byte_fallback) {
      for (uint32_t k = 0; k < p.length; ++k) ids.push_back(m.byte_ids[static_cast<uint8_t>(normalized[p.begin + k])]);
    } else {
      ids.push_back(p.id);
    }
  }
  return ids;
}

namespace {
// Appends `bytes` (from byte tokens) as UTF-8, each invalid byte becoming U+FFFD (as SentencePiece).
void flush_bytes(std::string& out, std::string& bytes) {
  for (size_t pos = 0; pos < bytes.size();) {
    const size_t start = pos;
    const uint32_t cp = utf8_decode(bytes, pos);
    if (cp == 0xFFFD && !(pos - start == 3 && bytes.compare(start, 3, "\xEF\xBF\xBD") == 0))
      utf8_append(out, 0xFFFD);
    else
      out.append(bytes, start, pos - start);
  }
  bytes.clear();
}

void append_unescaped(std::string& out, std::string_view piece) {
  constexpr std::string_view kSpace = kSpaceSymbol;
  for (size_t i = 0; i < piece.size();) {
    if (piece.compare(i, kSpace.size(), kSpace) == 0) {
      out += ' ';
      i += kSpace.size();
    } else {
      out += piece[i++];
    }
  }
}
}  // namespace

std::string Tokenizer::decode(const std::vector<int32_t>& ids) const {
  const Impl& m = *impl_;
  const auto n = static_cast<int64_t>(m.spec.entries.size());
  std::string out, bytes;
  // SentencePiece drops the dummy-prefix space: the leading "▁" of the first piece that
  // produces text. Only one is dropped, so "  a" survives a round trip.
  bool strip_prefix = m.spec.add_dummy_prefix || m.spec.remove_extra_whitespaces;
  for (int32_t id : ids) {
    if (id < 0 || id >= n) fail("tokenizer decode: id ", id, " is outside the vocabulary (", n, " entries)");
    const TokenEntry& e = m.spec.entries[static_cast<size_t>(id)];
    if (e.kind == TokenKind::kByte) {
      bytes += static_cast<char>(parse_byte_piece(e.piece));
      strip_prefix = false;
      continue;
    }
    if (!bytes.empty()) flush_bytes(out, bytes);
    if (e.kind == TokenKind::kControl) continue;
    if (e.kind == TokenKind::kUnknown) {
      out += m.spec.unk_surface;
      strip_prefix = false;
      continue;
    }
    std::string_view piece = e.piece;
    if (strip_prefix && m.spec.escape_whitespaces && piece.substr(0, 3) == kSpaceSymbol) piece.remove_prefix(3);
    else if (strip_prefix && !m.spec.escape_whitespaces && piece.substr(0, 1) == " ") piece.remove_prefix(1);
    strip_prefix = false;
    append_unescaped(out, piece);
  }
  if (!bytes.empty()) flush_bytes(out, bytes);
  return out;
}

std::string Tokenizer::token_bytes(int32_t id) const {
  const TokenEntry& e = entry(id);
  switch (e.kind) {
    case TokenKind::kByte: return std::string(1, static_cast<char>(parse_byte_piece(e.piece)));
    case TokenKind::kControl: return {};
    case TokenKind::kUnknown: return impl_->spec.unk_surface;
    default: {
      std::string out;
      append_unescaped(out, e.piece);
      return out;
    }
  }
}

TokenizerType Tokenizer::type() const { return impl_->spec.type; }
size_t Tokenizer::vocab_size() const { return impl_->spec.entries.size(); }
const TokenEntry& Tokenizer::entry(int32_t id) const {
  if (id < 0 || static_cast<size_t>(id) >= impl_->spec.entries.size())
    fail("tokenizer: id ", id, " is outside the vocabulary (", impl_->spec.entries.size(), " entries)");
  return impl_->spec.entries[static_cast<size_t>(id)];
}
int32_t Tokenizer::piece_to_id(std::string_view piece) const {
  auto it = impl_->piece_ids.find(std::string(piece));
  return it == impl_->piece_ids.end() ? -1 : it->second;
}
int32_t Tokenizer::bos_id() const { return impl_->spec.bos_id; }
int32_t Tokenizer::eos_id() const { return impl_->spec.eos_id; }
int32_t Tokenizer::unk_id() const { return impl_->spec.unk_id; }
int32_t Tokenizer::pad_id() const { return impl_->spec.pad_id; }
bool Tokenizer::add_dummy_prefix() const { return impl_->spec.add_dummy_prefix; }
bool Tokenizer::remove_extra_whitespaces() const { return impl_->spec.remove_extra_whitespaces; }
bool Tokenizer::byte_fallback() const { return impl_->spec.byte_fallback; }
const TokenizerSpec& Tokenizer::spec() const { return impl_->spec; }

}  // namespace gemba::tokenizer
