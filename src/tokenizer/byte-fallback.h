// Byte fallback (SentencePiece, Llama-2): a character with no vocabulary piece is written as
// the pieces "<0xXX>" of its UTF-8 bytes instead of <unk>.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

namespace gemba::tokenizer {

// "<0x41>" for 0x41 (upper-case hex, as SentencePiece writes it).
std::string byte_piece(uint8_t byte);
// The byte of a "<0xXX>" piece, or -1 if `piece` is not one.
int parse_byte_piece(std::string_view piece);

}  // namespace gemba::tokenizer
