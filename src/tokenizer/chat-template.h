// Chat templates: ONE implementation used by the trainer (SFT/DPO data) and the engine
// (chat, serve), so training and inference see identical token sequences.
//   llm-jp-3 instruct: <s>以下は、タスクを説明する指示です。要求を適切に満たす応答を書きなさい。
//                      \n\n### 指示:\n{user}\n\n### 応答:\n{assistant}</s>
//   llama-2 chat:      <s>[INST] <<SYS>>\n{system}\n<</SYS>>\n\n{user} [/INST] {assistant} </s>
//   gemba plain:       <s>### Question:\n{user}\n### Answer:\n{assistant}</s>  (gemba's own models)
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "tokenizer/tokenizer.h"

namespace gemba::tokenizer {

enum class ChatTemplate { kLlmJp3, kLlama2, kGembaPlain };

ChatTemplate parse_chat_template(const std::string& name);  // "llm-jp-3", "llama-2", "plain"
std::string chat_template_name(ChatTemplate t);

struct ChatMessage {
  std::string role;  // "system", "user", "assistant"
  std::string content;
};

struct ChatTokens {
  std::vector<int32_t> ids;
  std::vector<uint8_t> is_target;  // 1 for assistant tokens (incl. their EOS): the SFT loss mask
};

// How text is tokenized (the same for training and inference, so a generation prompt is
// exactly a prefix of the training sequence): special tokens (<s>, </s>) are inserted as ids,
// never tokenized from text. The text between them is cut into segments at every place where
// assistant content starts; each segment is encoded on its own. A segment that follows a
// special token (or starts the sequence) gets the tokenizer's dummy-prefix space, as Hugging
// Face does for text after a special token; assistant content continues the prompt text, so
// it gets none. Segments:
//   llm-jp-3: <s> [system sentence if a system message] + "\n\n### 指示:\n{user}" ... +
//             "\n\n### 応答:\n" | {assistant} </s> | next "\n\n### 指示:\n{user}\n\n### 応答:\n" ...
//             (the system message's content is ignored, as in llm-jp-3's template)
//   llama-2:  <s> "[INST] <<SYS>>\n{system}\n<</SYS>>\n\n{user} [/INST]" | " {assistant} " </s> <s> ...
//   plain:    <s> "{system}\n" (if any) "### Question:\n{user}\n### Answer:\n" | {assistant} </s> ...
// Messages must alternate user/assistant after an optional leading system message (llama-2
// and plain); llm-jp-3 accepts any order, as its template does. With add_generation_prompt the sequence ends with the prompt
// for the next assistant turn (inference); otherwise assistant turns end with EOS.
// Message contents are NFKC-normalized first (core/nfkc.h); invalid UTF-8 is a gemba::Error.
// Tokenizes a conversation.
ChatTokens encode_chat(const Tokenizer& tok, ChatTemplate t, const std::vector<ChatMessage>& messages,
                       bool add_generation_prompt);

// The conversation as the segments above, before tokenization (contents NFKC-normalized,
// roles and order checked): what encode_chat tokenizes and render_chat prints.
struct ChatSegment {
  enum Kind { kText, kBos, kEos, kAssistant } kind;
  std::string text;  // empty for kBos / kEos
};
std::vector<ChatSegment> chat_segments(ChatTemplate t, const std::vector<ChatMessage>& messages, bool add_generation_prompt);

// The conversation as one string, <s> and </s> written as the tokenizer's pieces: exactly what
// chat_template_jinja(t) renders for the same (NFKC-normalized) messages with bos_token and
// eos_token set to those pieces.
std::string render_chat(const Tokenizer& tok, ChatTemplate t, const std::vector<ChatMessage>& messages,
                        bool add_generation_prompt);

// The template as Jinja (HF chat_template syntax), written into every GGUF gemba makes as
// tokenizer.chat_template (and into tokenizer_config.json) so llama.cpp's --jinja and
// transformers format a conversation as gemba does. Where their prompts still differ from gemba's tokens
// (docs/llama-cpp-compat.md): gemba NFKC-normalizes contents and encodes an assistant turn
// apart from the text before it; llama.cpp moves an llm-jp-3 system message into the user turn.
std::string chat_template_jinja(ChatTemplate t);

}  // namespace gemba::tokenizer
