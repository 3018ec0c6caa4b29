#include "tokenizer/chat-template.h"

#include "core/error.h"
#include "core/nfkc.h"

namespace gemba::tokenizer {

ChatTemplate parse_chat_template(const std::string& name) {
  if (name == "llm-jp-3" || name == "llmjp3" || name == "llm-jp") return ChatTemplate::kLlmJp3;
  if (name == "llama-2" || name == "llama2") return ChatTemplate::kLlama2;
  if (name == "plain" || name == "gemba") return ChatTemplate::kGembaPlain;
  fail("unknown chat template '", name, "' (use llm-jp-3, llama-2 or plain)");
}

std::string chat_template_name(ChatTemplate t) {
  switch (t) {
    case ChatTemplate::kLlmJp3: return "llm-jp-3";
    case ChatTemplate::kLlama2: return "llama-2";
    case ChatTemplate::kGembaPlain: return "plain";
  }
  return "unknown";
}

namespace {

// Accumulates the token sequence: pending prompt text is flushed as one segment before any
// special token or assistant content.
class ChatBuilder {
 public:
  explicit ChatBuilder(const Tokenizer& tok) : tok_(tok) {}

  void text(const std::string& s) { pending_ += s; }
  void special(int32_t id, bool target, const char* name) {
    flush();
    if (id < 0) fail("chat template: the tokenizer has no ", name, " token");
    out_.ids.push_back(id);
    out_.is_target.push_back(target ? 1 : 0);
    after_special_ = true;
  }
  void assistant(const std::string& content) {
    flush();
    append(content, true);
  }
  ChatTokens finish() {
    flush();
    return std::move(out_);
  }

 private:
  void flush() {
    if (pending_.empty()) return;
    append(pending_, false);
    pending_.clear();
  }
  void append(const std::string& s, bool target) {
    if (s.empty()) return;
    const auto ids = tok_.encode(s, false, after_special_);
    out_.ids.insert(out_.ids.end(), ids.begin(), ids.end());
    out_.is_target.insert(out_.is_target.end(), ids.size(), target ? 1 : 0);
    after_special_ = false;
  }

  const Tokenizer& tok_;
  ChatTokens out_;
  std::string pending_;
  bool after_special_ = true;
};

void check_role(const ChatMessage& m, size_t i) {
  if (m.role != "system" && m.role != "user" && m.role != "assistant")
    fail("chat message ", i, ": role '", m.role, "' must be system, user or assistant");
}

ChatTokens encode_llm_jp3(const Tokenizer& tok, const std::vector<ChatMessage>& messages, bool add_generation_prompt) {
  ChatBuilder b(tok);
  b.special(tok.bos_id(), false, "bos");
  for (size_t i = 0; i < messages.size(); ++i) {
    const auto& m = messages[i];
    check_role(m, i);
    if (m.role == "system") {
      b.text("以下は、タスクを説明する指示です。要求を適切に満たす応答を書きなさい。");
    } else if (m.role == "user") {
      b.text("\n\n### 指示:\n" + m.content);
    } else {
      b.text("\n\n### 応答:\n");
      b.assistant(m.content);
      b.special(tok.eos_id(), true, "eos");
    }
  }
  if (add_generation_prompt) b.text("\n\n### 応答:\n");
  return b.finish();
}

// Splits off an optional leading system message and checks user/assistant alternation.
std::string leading_system(const std::vector<ChatMessage>& messages, size_t& first) {
  first = 0;
  std::string system;
  if (!messages.empty() && messages[0].role == "system") {
    system = messages[0].content;
    first = 1;
  }
  for (size_t i = first; i < messages.size(); ++i) {
    check_role(messages[i], i);
    const char* want = (i - first) % 2 == 0 ? "user" : "assistant";
    if (messages[i].role != want)
      fail("chat message ", i, ": expected a ", want, " message (after an optional system message, user and assistant "
           "turns alternate)");
  }
  return system;
}

ChatTokens encode_llama2(const Tokenizer& tok, const std::vector<ChatMessage>& messages, bool add_generation_prompt) {
  size_t first;
  const std::string system = leading_system(messages, first);
  ChatBuilder b(tok);
  for (size_t i = first; i < messages.size(); ++i) {
    const auto& m = messages[i];
    if (m.role == "user") {
      b.special(tok.bos_id(), false, "bos");
      std::string user = m.content;
      if (i == first && !system.empty()) user = "<<SYS>>\n" + system + "\n<</SYS>>\n\n" + user;
      b.text("[INST] " + user + " [/INST]");
    } else {
      b.assistant(" " + m.content + " ");
      b.special(tok.eos_id(), true, "eos");
    }
  }
  (void)add_generation_prompt;  // the prompt already ends with [/INST]
  return b.finish();
}

ChatTokens encode_plain(const Tokenizer& tok, const std::vector<ChatMessage>& messages, bool add_generation_prompt) {
  size_t first;
  const std::string system = leading_system(messages, first);
  ChatBuilder b(tok);
  b.special(tok.bos_id(), false, "bos");
  if (!system.empty()) b.text(system + "\n");
  for (size_t i = first; i < messages.size(); ++i) {
    const auto& m = messages[i];
    if (m.role == "user") {
      b.text("### Question:\n" + m.content + "\n### Answer:\n");
    } else {
      b.assistant(m.content);
      b.special(tok.eos_id(), true, "eos");
    }
  }
  (void)add_generation_prompt;  // the prompt already ends with "### Answer:\n"
  return b.finish();
}

}  // namespace

ChatTokens encode_chat(const Tokenizer& tok, ChatTemplate t, const std::vector<ChatMessage>& raw_messages,
                       bool add_generation_prompt) {
  // Message text in gemba's one form (core/nfkc.h), in training and at inference alike.
  std::vector<ChatMessage> messages = raw_messages;
  for (auto& m : messages) m.content = nfkc(m.content, "chat message (" + m.role + ")");
  switch (t) {
    case ChatTemplate::kLlmJp3: return encode_llm_jp3(tok, messages, add_generation_prompt);
    case ChatTemplate::kLlama2: return encode_llama2(tok, messages, add_generation_prompt);
    case ChatTemplate::kGembaPlain: return encode_plain(tok, messages, add_generation_prompt);
  }
  fail("chat template: unknown template");
}

}  // namespace gemba::tokenizer
