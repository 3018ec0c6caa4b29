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

// The same formats as Jinja, for tokenizer.chat_template (GGUF) and tokenizer_config.json, so
// llama.cpp (--jinja), ollama and transformers prompt a gemba model as gemba does. Written in
// a small Jinja subset (for, if/elif, ==, !=, and, +, subscripts, loop.index0) that every
// engine renders alike; tests/tokenizer/test-chat-template.cpp renders them against
// chat_segments(). The strings use Jinja's '\n' escapes, so they are raw C++ strings.
namespace {

// llm-jp-3's own template (its tokenizer_config.json) in this form: the system message's
// content is ignored for the fixed sentence, as the model was instructed.
constexpr const char* kLlmJp3Jinja =
    R"({{ bos_token }}{% for message in messages %})"
    R"({% if message['role'] == 'system' %}{{ '以下は、タスクを説明する指示です。要求を適切に満たす応答を書きなさい。' }})"
    R"({% elif message['role'] == 'user' %}{{ '\n\n### 指示:\n' + message['content'] }})"
    R"({% elif message['role'] == 'assistant' %}{{ '\n\n### 応答:\n' + message['content'] + eos_token }})"
    R"({% endif %}{% endfor %}{% if add_generation_prompt %}{{ '\n\n### 応答:\n' }}{% endif %})";

// The system text goes into the first user turn, as Llama-2 chat does; messages[0] is the
// system message exactly when the first user turn is at index 1.
constexpr const char* kLlama2Jinja =
    R"({% for message in messages %}{% if message['role'] == 'user' %}{{ bos_token + '[INST] ' }})"
    R"({% if loop.index0 == 1 and messages[0]['role'] == 'system' and messages[0]['content'] != '' %})"
    R"({{ '<<SYS>>\n' + messages[0]['content'] + '\n<</SYS>>\n\n' }}{% endif %})"
    R"({{ message['content'] + ' [/INST]' }})"
    R"({% elif message['role'] == 'assistant' %}{{ ' ' + message['content'] + ' ' + eos_token }})"
    R"({% endif %}{% endfor %})";

constexpr const char* kPlainJinja =
    R"({{ bos_token }}{% for message in messages %})"
    R"({% if message['role'] == 'system' %}{% if message['content'] != '' %}{{ message['content'] + '\n' }}{% endif %})"
    R"({% elif message['role'] == 'user' %}{{ '### Question:\n' + message['content'] + '\n### Answer:\n' }})"
    R"({% elif message['role'] == 'assistant' %}{{ message['content'] + eos_token }})"
    R"({% endif %}{% endfor %})";

}  // namespace

std::string chat_template_jinja(ChatTemplate t) {
  switch (t) {
    case ChatTemplate::kLlmJp3: return kLlmJp3Jinja;
    case ChatTemplate::kLlama2: return kLlama2Jinja;
    case ChatTemplate::kGembaPlain: return kPlainJinja;
  }
  fail("chat template: unknown template");
}

namespace {

void check_role(const ChatMessage& m, size_t i) {
  if (m.role != "system" && m.role != "user" && m.role != "assistant")
    fail("chat message ", i, ": role '", m.role, "' must be system, user or assistant");
}

// Collects the segments; adjacent prompt text merges into one segment, as it is tokenized.
class Segments {
 public:
  void text(const std::string& s) {
    if (s.empty()) return;
    if (!out_.empty() && out_.back().kind == ChatSegment::kText)
      out_.back().text += s;
    else
      out_.push_back({ChatSegment::kText, s});
  }
  void bos() { out_.push_back({ChatSegment::kBos, ""}); }
  void eos() { out_.push_back({ChatSegment::kEos, ""}); }
  void assistant(const std::string& s) { out_.push_back({ChatSegment::kAssistant, s}); }
  std::vector<ChatSegment> finish() { return std::move(out_); }

 private:
  std::vector<ChatSegment> out_;
};

std::vector<ChatSegment> segments_llm_jp3(const std::vector<ChatMessage>& messages, bool add_generation_prompt) {
  Segments b;
  b.bos();
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
      b.eos();
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

std::vector<ChatSegment> segments_llama2(const std::vector<ChatMessage>& messages) {
  size_t first;
  const std::string system = leading_system(messages, first);
  Segments b;
  for (size_t i = first; i < messages.size(); ++i) {
    const auto& m = messages[i];
    if (m.role == "user") {
      b.bos();
      std::string user = m.content;
      if (i == first && !system.empty()) user = "<<SYS>>\n" + system + "\n<</SYS>>\n\n" + user;
      b.text("[INST] " + user + " [/INST]");
    } else {
      b.assistant(" " + m.content + " ");
      b.eos();
    }
  }
  return b.finish();  // the prompt already ends with [/INST]: add_generation_prompt adds nothing
}

std::vector<ChatSegment> segments_plain(const std::vector<ChatMessage>& messages) {
  size_t first;
  const std::string system = leading_system(messages, first);
  Segments b;
  b.bos();
  if (!system.empty()) b.text(system + "\n");
  for (size_t i = first; i < messages.size(); ++i) {
    const auto& m = messages[i];
    if (m.role == "user") {
      b.text("### Question:\n" + m.content + "\n### Answer:\n");
    } else {
      b.assistant(m.content);
      b.eos();
    }
  }
  return b.finish();  // the prompt already ends with "### Answer:\n": add_generation_prompt adds nothing
}

}  // namespace

std::vector<ChatSegment> chat_segments(ChatTemplate t, const std::vector<ChatMessage>& raw_messages, bool add_generation_prompt) {
  // Message text in gemba's one form (core/nfkc.h), in training and at inference alike.
  std::vector<ChatMessage> messages = raw_messages;
  for (auto& m : messages) m.content = nfkc(m.content, "chat message (" + m.role + ")");
  switch (t) {
    case ChatTemplate::kLlmJp3: return segments_llm_jp3(messages, add_generation_prompt);
    case ChatTemplate::kLlama2: return segments_llama2(messages);
    case ChatTemplate::kGembaPlain: return segments_plain(messages);
  }
  fail("chat template: unknown template");
}

std::string render_chat(const Tokenizer& tok, ChatTemplate t, const std::vector<ChatMessage>& messages,
                        bool add_generation_prompt) {
  auto piece = [&](int32_t id, const char* name) -> const std::string& {
    if (id < 0) fail("chat template: the tokenizer has no ", name, " token");
    return tok.entry(id).piece;
  };
  std::string out;
  for (const auto& s : chat_segments(t, messages, add_generation_prompt)) {
    if (s.kind == ChatSegment::kBos)
      out += piece(tok.bos_id(), "bos");
    else if (s.kind == ChatSegment::kEos)
      out += piece(tok.eos_id(), "eos");
    else
      out += s.text;
  }
  return out;
}

ChatTokens encode_chat(const Tokenizer& tok, ChatTemplate t, const std::vector<ChatMessage>& messages,
                       bool add_generation_prompt) {
  ChatTokens out;
  bool after_special = true;  // the sequence start counts as one: its text gets the dummy prefix
  auto append = [&](const std::string& s, bool target) {
    if (s.empty()) return;  // an empty answer keeps the dummy prefix pending
    const auto ids = tok.encode(s, false, after_special);
    out.ids.insert(out.ids.end(), ids.begin(), ids.end());
    out.is_target.insert(out.is_target.end(), ids.size(), target ? 1 : 0);
    after_special = false;
  };
  auto special = [&](int32_t id, bool target, const char* name) {
    if (id < 0) fail("chat template: the tokenizer has no ", name, " token");
    out.ids.push_back(id);
    out.is_target.push_back(target ? 1 : 0);
    after_special = true;
  };
  for (const auto& s : chat_segments(t, messages, add_generation_prompt)) {
    switch (s.kind) {
      case ChatSegment::kBos: special(tok.bos_id(), false, "bos"); break;
      case ChatSegment::kEos: special(tok.eos_id(), true, "eos"); break;  // an answer's EOS is trained on
      case ChatSegment::kText: append(s.text, false); break;
      case ChatSegment::kAssistant: append(s.text, true); break;
    }
  }
  return out;
}

}  // namespace gemba::tokenizer
