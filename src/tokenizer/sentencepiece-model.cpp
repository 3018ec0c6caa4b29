#include "tokenizer/sentencepiece-model.h"

#include <cstring>

#include "core/atomic-output.h"
#include "core/error.h"
#include "tokenizer/byte-fallback.h"
#include "tokenizer/tokenizer-impl.h"

namespace gemba::tokenizer {

namespace {

// A bounds-checked cursor over one protobuf message.
class WireReader {
 public:
  WireReader(std::string_view bytes, const std::string& what, const char* message)
      : data_(bytes), what_(what), message_(message) {}

  bool done() const { return pos_ >= data_.size(); }

  uint64_t varint() {
    uint64_t value = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos_ >= data_.size()) bad("a varint runs past the end");
      const auto b = static_cast<uint8_t>(data_[pos_++]);
      value |= static_cast<uint64_t>(b & 0x7F) << shift;
      if (!(b & 0x80)) return value;
    }
    bad("a varint is longer than 10 bytes");
  }
  // Reads a tag; returns field number and sets wire type.
  uint32_t tag(uint32_t& wire_type) {
    const uint64_t t = varint();
    wire_type = static_cast<uint32_t>(t & 7);
    if ((t >> 3) == 0 || (t >> 3) > 0x1FFFFFFF) bad("field number 0 or too large");
    return static_cast<uint32_t>(t >> 3);
  }
  std::string_view bytes() {
    const uint64_t n = varint();
    if (n > data_.size() - pos_) bad("a length-delimited field (", n, " bytes) runs past the end");
    std::string_view v = data_.substr(pos_, n);
    pos_ += n;
    return v;
  }
  float fixed32_float() {
    if (data_.size() - pos_ < 4) bad("a 32-bit field runs past the end");
    uint32_t u = 0;
    for (int i = 3; i >= 0; --i) u = (u << 8) | static_cast<uint8_t>(data_[pos_ + static_cast<size_t>(i)]);
    pos_ += 4;
    float f;
    std::memcpy(&f, &u, 4);
    return f;
  }
  void skip(uint32_t wire_type) {
    switch (wire_type) {
      case 0: varint(); return;
      case 1:
        if (data_.size() - pos_ < 8) bad("a 64-bit field runs past the end");
        pos_ += 8;
        return;
      case 2: bytes(); return;
      case 5:
        if (data_.size() - pos_ < 4) bad("a 32-bit field runs past the end");
        pos_ += 4;
        return;
      default: bad("unsupported wire type ", wire_type);
    }
  }
  void expect(uint32_t wire_type, uint32_t want, const char* field) {
    if (wire_type != want) bad("field '", field, "' has wire type ", wire_type, ", expected ", want);
  }
  template <class... Args>
  [[noreturn]] void bad(const Args&... args) const {
    fail(what_, ": not a valid SentencePiece model (", message_, " at byte ", pos_, ": ", args...,
         "); re-export it or train a new one with `gemba tokenizer train`");
  }

 private:
  std::string_view data_;
  size_t pos_ = 0;
  const std::string& what_;
  const char* message_;
};

int32_t as_int32(uint64_t v) { return static_cast<int32_t>(static_cast<uint32_t>(v)); }

TokenEntry parse_piece(std::string_view bytes, const std::string& what) {
  WireReader r(bytes, what, "SentencePiece");
  TokenEntry e;
  bool has_piece = false;
  while (!r.done()) {
    uint32_t wt;
    switch (r.tag(wt)) {
      case 1: r.expect(wt, 2, "piece"); e.piece = std::string(r.bytes()); has_piece = true; break;
      case 2: r.expect(wt, 5, "score"); e.score = r.fixed32_float(); break;
      case 3: {
        r.expect(wt, 0, "type");
        const uint64_t t = r.varint();
        if (t < 1 || t > 6) r.bad("piece '", e.piece, "' has unknown type ", t);
        e.kind = static_cast<TokenKind>(t);
        break;
      }
      default: r.skip(wt);
    }
  }
  if (!has_piece) r.bad("a vocabulary entry has no piece");
  return e;
}

}  // namespace

TokenizerSpec parse_sentencepiece_model(std::string_view bytes, const std::string& what) {
  TokenizerSpec spec;
  spec.type = TokenizerType::kUnigram;  // the proto default
  std::string_view trainer, normalizer;
  bool has_trainer = false, has_normalizer = false;
  WireReader r(bytes, what, "ModelProto");
  if (bytes.empty()) r.bad("the file is empty");
  while (!r.done()) {
    uint32_t wt;
    switch (r.tag(wt)) {
      case 1: r.expect(wt, 2, "pieces"); spec.entries.push_back(parse_piece(r.bytes(), what)); break;
      case 2: r.expect(wt, 2, "trainer_spec"); trainer = r.bytes(); has_trainer = true; break;
      case 3: r.expect(wt, 2, "normalizer_spec"); normalizer = r.bytes(); has_normalizer = true; break;
      default: r.skip(wt);
    }
  }
  if (spec.entries.empty()) r.bad("it has no vocabulary pieces");
  bool unk_set = false;
  spec.bos_id = 1;
  spec.eos_id = 2;
  spec.pad_id = -1;
  if (has_trainer) {
    WireReader t(trainer, what, "TrainerSpec");
    while (!t.done()) {
      uint32_t wt;
      switch (t.tag(wt)) {
        case 3: {
          t.expect(wt, 0, "model_type");
          const uint64_t mt = t.varint();
          if (mt == 1) spec.type = TokenizerType::kUnigram;
          else if (mt == 2) spec.type = TokenizerType::kBpe;
          else
            t.bad("model_type ", mt, (mt == 3 ? " (WORD)" : mt == 4 ? " (CHAR)" : ""),
                  " is not supported; gemba reads BPE and Unigram models");
          break;
        }
        case 24:
          t.expect(wt, 0, "treat_whitespace_as_suffix");
          if (t.varint()) fail(what, ": treat_whitespace_as_suffix=true is not supported by gemba's tokenizer");
          break;
        case 35: t.expect(wt, 0, "byte_fallback"); spec.byte_fallback = t.varint() != 0; break;
        case 40: t.expect(wt, 0, "unk_id"); spec.unk_id = as_int32(t.varint()); unk_set = true; break;
        case 41: t.expect(wt, 0, "bos_id"); spec.bos_id = as_int32(t.varint()); break;
        case 42: t.expect(wt, 0, "eos_id"); spec.eos_id = as_int32(t.varint()); break;
        case 43: t.expect(wt, 0, "pad_id"); spec.pad_id = as_int32(t.varint()); break;
        case 44: t.expect(wt, 2, "unk_surface"); spec.unk_surface = std::string(t.bytes()); break;
        default: t.skip(wt);
      }
    }
  }
  if (has_normalizer) {
    WireReader n(normalizer, what, "NormalizerSpec");
    std::string name;
    std::string_view charsmap;
    while (!n.done()) {
      uint32_t wt;
      switch (n.tag(wt)) {
        case 1: n.expect(wt, 2, "name"); name = std::string(n.bytes()); break;
        case 2: n.expect(wt, 2, "precompiled_charsmap"); charsmap = n.bytes(); break;
        case 3: n.expect(wt, 0, "add_dummy_prefix"); spec.add_dummy_prefix = n.varint() != 0; break;
        case 4: n.expect(wt, 0, "remove_extra_whitespaces"); spec.remove_extra_whitespaces = n.varint() != 0; break;
        case 5: n.expect(wt, 0, "escape_whitespaces"); spec.escape_whitespaces = n.varint() != 0; break;
        default: n.skip(wt);
      }
    }
    if (!charsmap.empty())
      fail(what, ": the model's normalizer '", name.empty() ? "custom" : name,
           "' applies a character map, which gemba's tokenizer does not implement (only the identity rule). "
           "Train with --normalization_rule_name=identity (gemba tokenizer train does) and NFKC-normalize text "
           "before tokenizing");
  }
  // Ids that point at no token are "absent" (SentencePiece disables them with -1).
  const auto n = static_cast<int32_t>(spec.entries.size());
  auto absent = [&](int32_t& id) {
    if (id >= n) id = -1;
  };
  absent(spec.bos_id);
  absent(spec.eos_id);
  absent(spec.pad_id);
  if (!unk_set) spec.unk_id = 0;
  // SentencePiece takes the unk id from the piece typed UNKNOWN.
  for (int32_t i = 0; i < n; ++i)
    if (spec.entries[static_cast<size_t>(i)].kind == TokenKind::kUnknown) spec.unk_id = i;
  bool has_bytes = false;
  for (const auto& e : spec.entries) has_bytes |= e.kind == TokenKind::kByte;
  if (has_bytes && !spec.byte_fallback) fail(what, ": the model has byte pieces but byte_fallback is off");
  validate_spec(spec, what);
  return spec;
}

Tokenizer Tokenizer::from_sentencepiece_model(const std::string& path) {
  return Tokenizer(std::make_unique<Impl>(parse_sentencepiece_model(read_file(path), path)));
}

}  // namespace gemba::tokenizer
