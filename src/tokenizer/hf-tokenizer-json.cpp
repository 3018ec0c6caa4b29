#include "tokenizer/hf-tokenizer-json.h"

#include <algorithm>
#include <map>
#include <unordered_map>

#include "core/atomic-output.h"
#include "core/error.h"
#include "core/utf8.h"
#include "tokenizer/byte-fallback.h"
#include "tokenizer/chat-template.h"
#include "tokenizer/tokenizer-impl.h"

namespace gemba::tokenizer {

namespace {

struct NormalizerFlags {
  bool prepend = false, replace_space = false, strip = false, collapse = false;
};

void read_normalizer(const Json& n, NormalizerFlags& f, const std::string& what) {
  if (n.is_null()) return;
  const auto type = json_require<std::string>(n, "type", what + ": normalizer");
  if (type == "Sequence") {
    for (const auto& sub : json_require<Json>(n, "normalizers", what + ": normalizer")) read_normalizer(sub, f, what);
  } else if (type == "Prepend") {
    if (json_require<std::string>(n, "prepend", what + ": Prepend normalizer") != kSpaceSymbol)
      fail(what, ": normalizer Prepend must prepend \"\u2581\" (SentencePiece's dummy prefix)");
    f.prepend = true;
  } else if (type == "Replace") {
    const Json pattern = json_require<Json>(n, "pattern", what + ": Replace normalizer");
    const auto content = json_require<std::string>(n, "content", what + ": Replace normalizer");
    if (pattern.contains("String") && pattern["String"] == " " && content == kSpaceSymbol) {
      f.replace_space = true;
    } else if (pattern.contains("Regex") && pattern["Regex"] == " {2,}") {
      f.collapse = true;
    } else {
      fail(what, ": normalizer Replace ", pattern.dump(), " -> '", content,
           "' is not supported (gemba supports SentencePiece whitespace handling only)");
    }
  } else if (type == "Strip") {
    f.strip = true;
  } else if (type == "NFKC" || type == "NFC" || type == "NFD" || type == "NFKD" || type == "Precompiled" ||
             type == "Lowercase" || type == "BertNormalizer") {
    fail(what, ": normalizer '", type, "' is not supported: gemba's tokenizer applies SentencePiece's identity "
         "rule only (text is NFKC-normalized in the data pipeline); use a tokenizer trained with identity normalization");
  } else {
    fail(what, ": unknown normalizer type '", type, "'");
  }
}

void read_pre_tokenizer(const Json& p, NormalizerFlags& f, const std::string& what) {
  if (p.is_null()) return;
  const auto type = json_require<std::string>(p, "type", what + ": pre_tokenizer");
  if (type == "Sequence") {
    for (const auto& sub : json_require<Json>(p, "pretokenizers", what + ": pre_tokenizer")) read_pre_tokenizer(sub, f, what);
  } else if (type == "Metaspace") {
    const auto replacement = json_optional<std::string>(p, "replacement", kSpaceSymbol, what + ": Metaspace");
    if (replacement != kSpaceSymbol) fail(what, ": Metaspace replacement must be \"\u2581\"");
    f.replace_space = true;
    const auto scheme = json_optional<std::string>(p, "prepend_scheme", "", what + ": Metaspace");
    const bool add_prefix = json_optional<bool>(p, "add_prefix_space", true, what + ": Metaspace");
    if (!scheme.empty() ? scheme != "never" : add_prefix) f.prepend = true;
  } else {
    fail(what, ": pre_tokenizer '", type, "' is not supported (gemba reads SentencePiece-style tokenizers: "
         "Metaspace or none)");
  }
}

TokenKind kind_of_added(const Json& t, const std::string& what) {
  return json_optional<bool>(t, "special", false, what) ? TokenKind::kControl : TokenKind::kUserDefined;
}

}  // namespace

TokenizerSpec parse_hf_tokenizer_json(const Json& json, const std::string& what) {
  if (!json.is_object()) fail(what, ": expected a JSON object (a Hugging Face tokenizer.json)");
  const Json model = json_require<Json>(json, "model", what);
  const auto type = json_require<std::string>(model, "type", what + ": model");
  TokenizerSpec spec;
  spec.byte_fallback = json_optional<bool>(model, "byte_fallback", false, what + ": model");
  std::string unk_token;
  if (type == "Unigram") {
    spec.type = TokenizerType::kUnigram;
    const Json vocab = json_require<Json>(model, "vocab", what + ": model");
    if (!vocab.is_array()) fail(what, ": model.vocab must be an array of [piece, score] for a Unigram model");
    spec.entries.reserve(vocab.size());
    for (size_t i = 0; i < vocab.size(); ++i) {
      const Json& v = vocab[i];
      if (!v.is_array() || v.size() != 2 || !v[0].is_string() || !v[1].is_number())
        fail(what, ": model.vocab[", i, "] must be [piece, score]");
      spec.entries.push_back({v[0].get<std::string>(), v[1].get<float>(), TokenKind::kNormal});
    }
    const Json unk = model.value("unk_id", Json());
    if (!unk.is_null()) {
      if (!unk.is_number_integer()) fail(what, ": model.unk_id must be an integer");
      spec.unk_id = unk.get<int32_t>();
      if (spec.unk_id < 0 || static_cast<size_t>(spec.unk_id) >= spec.entries.size())
        fail(what, ": model.unk_id ", spec.unk_id, " is outside the vocabulary");
      spec.entries[static_cast<size_t>(spec.unk_id)].kind = TokenKind::kUnknown;
    } else {
      spec.unk_id = -1;
    }
  } else if (type == "BPE") {
    spec.type = TokenizerType::kBpe;
    const Json vocab = json_require<Json>(model, "vocab", what + ": model");
    if (!vocab.is_object()) fail(what, ": model.vocab must be an object {piece: id} for a BPE model");
    spec.entries.resize(vocab.size());
    std::vector<uint8_t> seen(vocab.size());
    for (auto it = vocab.begin(); it != vocab.end(); ++it) {
      if (!it.value().is_number_integer()) fail(what, ": model.vocab['", it.key(), "'] must be an integer id");
      const auto id = it.value().get<int64_t>();
      if (id < 0 || static_cast<size_t>(id) >= vocab.size() || seen[static_cast<size_t>(id)])
        fail(what, ": model.vocab ids must be 0..", vocab.size() - 1, " without gaps or repeats (bad id ", id, ")");
      seen[static_cast<size_t>(id)] = 1;
      spec.entries[static_cast<size_t>(id)].piece = it.key();
    }
    std::unordered_map<std::string, int32_t> ids;
    for (size_t i = 0; i < spec.entries.size(); ++i) ids.emplace(spec.entries[i].piece, static_cast<int32_t>(i));
    unk_token = json_optional<std::string>(model, "unk_token", "", what + ": model");
    spec.unk_id = -1;
    if (!unk_token.empty()) {
      auto it = ids.find(unk_token);
      if (it == ids.end()) fail(what, ": model.unk_token '", unk_token, "' is not in the vocabulary");
      spec.unk_id = it->second;
      spec.entries[static_cast<size_t>(spec.unk_id)].kind = TokenKind::kUnknown;
    }
    // Merges define the scores: the piece produced by the merge of rank r scores -r, as
    // SentencePiece ranks BPE pieces (higher score merges first).
    const Json merges = json_optional<Json>(model, "merges", Json::array(), what + ": model");
    if (!merges.is_array()) fail(what, ": model.merges must be an array");
    spec.has_merge_list = true;
    std::vector<uint8_t> scored(spec.entries.size());
    for (size_t r = 0; r < merges.size(); ++r) {
      std::string a, b;
      const Json& m = merges[r];
      if (m.is_string()) {
        const std::string s = m.get<std::string>();
        const size_t sp = s.find(' ');
        if (sp == std::string::npos || s.find(' ', sp + 1) != std::string::npos)
          fail(what, ": model.merges[", r, "] '", s, "' must be two pieces separated by one space");
        a = s.substr(0, sp);
        b = s.substr(sp + 1);
      } else if (m.is_array() && m.size() == 2 && m[0].is_string() && m[1].is_string()) {
        a = m[0].get<std::string>();
        b = m[1].get<std::string>();
      } else {
        fail(what, ": model.merges[", r, "] must be \"a b\" or [\"a\", \"b\"]");
      }
      auto ia = ids.find(a), ib = ids.find(b), iab = ids.find(a + b);
      if (ia == ids.end() || ib == ids.end() || iab == ids.end())
        fail(what, ": model.merges[", r, "] ('", a, "', '", b, "') uses a piece missing from the vocabulary");
      spec.merges.emplace_back(ia->second, ib->second);
      if (!scored[static_cast<size_t>(iab->second)]) {
        scored[static_cast<size_t>(iab->second)] = 1;
        spec.entries[static_cast<size_t>(iab->second)].score = -static_cast<float>(r);
      }
    }
    // Pieces no merge produces (characters, specials) rank after every merged piece.
    for (size_t i = 0; i < spec.entries.size(); ++i)
      if (!scored[i]) spec.entries[i].score = -static_cast<float>(merges.size() + i);
  } else {
    fail(what, ": model.type '", type, "' is not supported (gemba reads SentencePiece-style BPE and Unigram)");
  }

  // Added tokens: special ones are control tokens, others user-defined symbols.
  const Json added = json_optional<Json>(json, "added_tokens", Json::array(), what);
  for (size_t i = 0; i < added.size(); ++i) {
    const Json& t = added[i];
    const std::string field = cat(what, ": added_tokens[", i, "]");
    const auto id = json_require<int64_t>(t, "id", field);
    const auto content = json_require<std::string>(t, "content", field);
    if (id < 0) fail(field, ": negative id");
    if (static_cast<size_t>(id) >= spec.entries.size()) {
      // An added token beyond the model's vocabulary is appended (ids must stay contiguous).
      if (static_cast<size_t>(id) != spec.entries.size())
        fail(field, ": id ", id, " leaves a gap after the vocabulary (", spec.entries.size(), " entries)");
      spec.entries.push_back({content, 0.0f, kind_of_added(t, field)});
      continue;
    }
    auto& e = spec.entries[static_cast<size_t>(id)];
    if (e.piece != content) fail(field, ": content '", content, "' differs from vocabulary piece '", e.piece, "'");
    if (e.kind != TokenKind::kUnknown) e.kind = kind_of_added(t, field);
  }
  if (spec.unk_id < 0) fail(what, ": the model has no unknown token (model.unk_id / model.unk_token)");
  if (spec.byte_fallback)
    for (auto& e : spec.entries)
      if (e.kind == TokenKind::kNormal && parse_byte_piece(e.piece) >= 0) e.kind = TokenKind::kByte;

  NormalizerFlags f;
  read_normalizer(json.value("normalizer", Json()), f, what);
  read_pre_tokenizer(json.value("pre_tokenizer", Json()), f, what);
  spec.add_dummy_prefix = f.prepend;
  spec.escape_whitespaces = f.replace_space;
  spec.remove_extra_whitespaces = f.strip || f.collapse;

  // Special ids by their usual pieces (a tokenizer_config.json may name others; callers
  // needing those read it).
  spec.bos_id = spec.eos_id = spec.pad_id = -1;
  for (size_t i = 0; i < spec.entries.size(); ++i) {
    const auto& e = spec.entries[i];
    if (e.kind != TokenKind::kControl) continue;
    if (e.piece == "<s>" || e.piece == "<|begin_of_text|>") spec.bos_id = static_cast<int32_t>(i);
    if (e.piece == "</s>" || e.piece == "<|end_of_text|>") spec.eos_id = static_cast<int32_t>(i);
    if (e.piece == "<pad>" || e.piece == "<PAD>") spec.pad_id = static_cast<int32_t>(i);
  }
  validate_spec(spec, what);
  return spec;
}

Json hf_tokenizer_json(const TokenizerSpec& spec) {
  Json j;
  j["version"] = "1.0";
  j["truncation"] = nullptr;
  j["padding"] = nullptr;
  Json added = Json::array();
  for (size_t i = 0; i < spec.entries.size(); ++i) {
    const auto& e = spec.entries[i];
    if (e.kind != TokenKind::kControl && e.kind != TokenKind::kUnknown && e.kind != TokenKind::kUserDefined) continue;
    added.push_back({{"id", i}, {"content", e.piece}, {"single_word", false}, {"lstrip", false}, {"rstrip", false},
                     {"normalized", false}, {"special", e.kind != TokenKind::kUserDefined}});
  }
  j["added_tokens"] = added;

  Json norms = Json::array();
  if (spec.remove_extra_whitespaces) {
    norms.push_back({{"type", "Strip"}, {"strip_left", true}, {"strip_right", true}});
    norms.push_back({{"type", "Replace"}, {"pattern", {{"Regex", " {2,}"}}}, {"content", " "}});
  }
  if (spec.add_dummy_prefix) norms.push_back({{"type", "Prepend"}, {"prepend", kSpaceSymbol}});
  if (spec.escape_whitespaces) norms.push_back({{"type", "Replace"}, {"pattern", {{"String", " "}}}, {"content", kSpaceSymbol}});
  j["normalizer"] = norms.empty() ? Json() : Json{{"type", "Sequence"}, {"normalizers", norms}};
  j["pre_tokenizer"] = nullptr;

  if (spec.bos_id >= 0) {
    const std::string bos = spec.entries[static_cast<size_t>(spec.bos_id)].piece;
    Json special = {{"SpecialToken", {{"id", bos}, {"type_id", 0}}}};
    j["post_processor"] = {
        {"type", "TemplateProcessing"},
        {"single", {special, {{"Sequence", {{"id", "A"}, {"type_id", 0}}}}}},
        {"pair", {special, {{"Sequence", {{"id", "A"}, {"type_id", 0}}}}, special, {{"Sequence", {{"id", "B"}, {"type_id", 1}}}}}},
        {"special_tokens", {{bos, {{"id", bos}, {"ids", {spec.bos_id}}, {"tokens", {bos}}}}}}};
  } else {
    j["post_processor"] = nullptr;
  }
  Json decoders = Json::array();
  if (spec.escape_whitespaces) decoders.push_back({{"type", "Replace"}, {"pattern", {{"String", kSpaceSymbol}}}, {"content", " "}});
  if (spec.byte_fallback) decoders.push_back({{"type", "ByteFallback"}});
  decoders.push_back({{"type", "Fuse"}});
  if (spec.add_dummy_prefix) decoders.push_back({{"type", "Strip"}, {"content", " "}, {"start", 1}, {"stop", 0}});
  j["decoder"] = {{"type", "Sequence"}, {"decoders", decoders}};

  Json model;
  if (spec.type == TokenizerType::kUnigram) {
    model["type"] = "Unigram";
    model["unk_id"] = spec.unk_id;
    Json vocab = Json::array();
    for (const auto& e : spec.entries) vocab.push_back({e.piece, e.score});
    model["vocab"] = vocab;
    model["byte_fallback"] = spec.byte_fallback;
  } else {
    model["type"] = "BPE";
    model["dropout"] = nullptr;
    model["unk_token"] = spec.entries[static_cast<size_t>(spec.unk_id)].piece;
    model["continuing_subword_prefix"] = nullptr;
    model["end_of_word_suffix"] = nullptr;
    model["fuse_unk"] = true;
    model["byte_fallback"] = spec.byte_fallback;
    model["ignore_merges"] = false;
    Json vocab = Json::object();
    std::unordered_map<std::string, int32_t> ids;
    for (size_t i = 0; i < spec.entries.size(); ++i) {
      vocab[spec.entries[i].piece] = i;
      const auto k = spec.entries[i].kind;
      if (k == TokenKind::kNormal || k == TokenKind::kUserDefined || k == TokenKind::kUnused)
        ids.emplace(spec.entries[i].piece, static_cast<int32_t>(i));
    }
    model["vocab"] = vocab;
    // Merges: every split (at character boundaries) of a piece into two pieces, ordered by
    // the merged piece's score (SentencePiece's merge priority), highest first.
    std::vector<std::tuple<float, int32_t, int32_t, int32_t>> merges;  // -score, merged, left, right
    if (spec.has_merge_list) {
      for (const auto& [l, r] : spec.merges) {
        auto it = ids.find(spec.entries[static_cast<size_t>(l)].piece + spec.entries[static_cast<size_t>(r)].piece);
        if (it != ids.end()) merges.emplace_back(-spec.entries[static_cast<size_t>(it->second)].score, it->second, l, r);
      }
    } else {
      for (const auto& [piece, id] : ids) {
        if (spec.entries[static_cast<size_t>(id)].kind != TokenKind::kNormal) continue;
        for (size_t cut = 0; cut < piece.size();) {
          cut += sp_char_length_of(piece, cut);
          if (cut >= piece.size()) break;
          auto l = ids.find(piece.substr(0, cut)), r = ids.find(piece.substr(cut));
          if (l != ids.end() && r != ids.end())
            merges.emplace_back(-spec.entries[static_cast<size_t>(id)].score, id, l->second, r->second);
        }
      }
    }
    std::stable_sort(merges.begin(), merges.end());
    bool pieces_have_space = false;
    for (const auto& e : spec.entries) pieces_have_space |= e.piece.find(' ') != std::string::npos;
    Json list = Json::array();
    for (const auto& [neg, merged, l, r] : merges) {
      const auto& a = spec.entries[static_cast<size_t>(l)].piece;
      const auto& b = spec.entries[static_cast<size_t>(r)].piece;
      if (pieces_have_space)
        list.push_back({a, b});
      else
        list.push_back(a + " " + b);
    }
    model["merges"] = list;
  }
  j["model"] = model;
  return j;
}

Json hf_tokenizer_config_json(const TokenizerSpec& spec) {
  auto piece = [&](int32_t id) { return id >= 0 ? Json(spec.entries[static_cast<size_t>(id)].piece) : Json(); };
  Json c;
  c["tokenizer_class"] = "PreTrainedTokenizerFast";
  c["bos_token"] = piece(spec.bos_id);
  c["eos_token"] = piece(spec.eos_id);
  c["unk_token"] = piece(spec.unk_id);
  c["pad_token"] = piece(spec.pad_id);
  c["add_bos_token"] = spec.bos_id >= 0;
  c["add_eos_token"] = false;
  c["clean_up_tokenization_spaces"] = false;
  c["model_max_length"] = 4096;
  // gemba's own tokenizers are trained on with gemba's plain template (sft's default), and
  // transformers' apply_chat_template reads it from here.
  c["chat_template"] = chat_template_jinja(ChatTemplate::kGembaPlain);
  return c;
}

Tokenizer Tokenizer::from_hf_json_file(const std::string& path) {
  return Tokenizer(std::make_unique<Impl>(parse_hf_tokenizer_json(read_json_file(path), path)));
}

void Tokenizer::write_hf_json(const std::string& path) const {
  write_file_atomic(path, hf_tokenizer_json(impl_->spec).dump(1) + "\n");
}

void Tokenizer::write_hf_config(const std::string& path) const { write_json_file(path, hf_tokenizer_config_json(impl_->spec)); }

}  // namespace gemba::tokenizer
