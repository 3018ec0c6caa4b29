// Hugging Face tokenizer.json for SentencePiece-style tokenizers, read and written.
// Read: model.type "BPE" (vocab {piece: id}, merges as "a b" strings or [a, b] pairs,
// byte_fallback, unk_token) or "Unigram" (vocab [[piece, score], ...], unk_id, byte_fallback);
// normalizer null / Prepend("▁") / Replace(" " -> "▁") / Sequence of those (+ Strip and
// Replace(" {2,}") for remove_extra_whitespaces), or a Metaspace pre_tokenizer; added_tokens:
// special -> control (or unknown), non-special -> user-defined.
// Written: the form transformers' LlamaConverter produces (Prepend + Replace normalizer,
// Replace/ByteFallback/Fuse/Strip decoder, TemplateProcessing adding <s>).
#pragma once
#include <string>

#include "core/json.h"
#include "tokenizer/tokenizer-spec.h"

namespace gemba::tokenizer {

TokenizerSpec parse_hf_tokenizer_json(const Json& json, const std::string& what);
Json hf_tokenizer_json(const TokenizerSpec& spec);
Json hf_tokenizer_config_json(const TokenizerSpec& spec);

}  // namespace gemba::tokenizer
