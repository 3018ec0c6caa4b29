// SentencePiece's .model file (a serialized ModelProto, protobuf 2), read by decoding the
// protobuf wire format by hand so the engine needs neither libprotobuf nor libsentencepiece.
// Fields used (sentencepiece_model.proto):
//   ModelProto      1 pieces (repeated SentencePiece), 2 trainer_spec, 3 normalizer_spec
//   SentencePiece   1 piece (string), 2 score (float), 3 type (enum, NORMAL=1 … BYTE=6)
//   TrainerSpec     3 model_type (UNIGRAM=1, BPE=2, WORD=3, CHAR=4), 24 treat_whitespace_as_suffix,
//                   35 byte_fallback, 40 unk_id, 41 bos_id, 42 eos_id, 43 pad_id, 44 unk_surface
//   NormalizerSpec  1 name, 2 precompiled_charsmap, 3 add_dummy_prefix, 4 remove_extra_whitespaces,
//                   5 escape_whitespaces
#pragma once
#include <string>
#include <string_view>

#include "tokenizer/tokenizer-spec.h"

namespace gemba::tokenizer {

// Parses a serialized ModelProto; `what` (the file path) names the source in errors.
// A model whose normalizer applies a character map (e.g. nmt_nfkc) is rejected: gemba's
// encoder implements the identity rule only (normalize to NFKC before tokenizing instead).
TokenizerSpec parse_sentencepiece_model(std::string_view bytes, const std::string& what);

}  // namespace gemba::tokenizer
