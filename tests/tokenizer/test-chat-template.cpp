// Chat templates: special tokens as ids, the loss mask, and the training/inference identity
// (a generation prompt over the history is exactly a prefix of the full training sequence).
#include <gtest/gtest.h>

#include "core/error.h"
#include "mini-jinja.h"
#include "tokenizer-fixture.h"
#include "tokenizer/chat-template.h"
#include "tokenizer/tokenizer.h"

namespace gemba::tokenizer {
namespace {

const Tokenizer& tok() {
  static Tokenizer t = Tokenizer::load(test::TrainedModels::get().dir(TokenizerType::kUnigram));
  return t;
}

std::vector<ChatMessage> conversation() {
  return {{"system", "ignored by llm-jp-3"},
          {"user", "E-21 が出ました。"},
          {"assistant", "エンコーダ異常です。ケーブルを確認してください。"},
          {"user", "Still E-21 after that?"},
          {"assistant", "Replace the encoder cable."}};
}

TEST(ChatTemplate, Names) {
  for (auto t : {ChatTemplate::kLlmJp3, ChatTemplate::kLlama2, ChatTemplate::kGembaPlain})
    EXPECT_EQ(parse_chat_template(chat_template_name(t)), t);
  EXPECT_THROW(parse_chat_template("chatml"), gemba::Error);
}

TEST(ChatTemplate, LlmJp3Layout) {
  const auto msgs = conversation();
  const auto c = encode_chat(tok(), ChatTemplate::kLlmJp3, msgs, false);
  ASSERT_EQ(c.ids.size(), c.is_target.size());
  EXPECT_EQ(c.ids.front(), tok().bos_id());
  EXPECT_EQ(c.ids.back(), tok().eos_id());
  EXPECT_EQ(c.is_target.back(), 1);
  // Exactly the documented text, with <s>/</s> as ids.
  const std::string want = "以下は、タスクを説明する指示です。要求を適切に満たす応答を書きなさい。"
                           "\n\n### 指示:\nE-21 が出ました。\n\n### 応答:\nエンコーダ異常です。ケーブルを確認してください。"
                           "\n\n### 指示:\nStill E-21 after that?\n\n### 応答:\nReplace the encoder cable.";
  std::string text;
  for (auto id : c.ids) text += id == tok().eos_id() ? "" : tok().token_bytes(id);
  // token_bytes keeps dummy-prefix spaces (one after <s>, one after the first </s>).
  std::string without_prefix_spaces = text;
  ASSERT_EQ(without_prefix_spaces.substr(0, 1), " ");
  without_prefix_spaces.erase(0, 1);
  const auto pos = without_prefix_spaces.find(" \n\n### 指示:\nStill");
  ASSERT_NE(pos, std::string::npos) << text;
  without_prefix_spaces.erase(pos, 1);
  EXPECT_EQ(without_prefix_spaces, want);
  // Special tokens are never produced from text: exactly one <s> and two </s>.
  EXPECT_EQ(std::count(c.ids.begin(), c.ids.end(), tok().bos_id()), 1);
  EXPECT_EQ(std::count(c.ids.begin(), c.ids.end(), tok().eos_id()), 2);
  // The targets decode to the assistant answers (+ EOS).
  std::vector<int32_t> targets;
  for (size_t i = 0; i < c.ids.size(); ++i)
    if (c.is_target[i]) targets.push_back(c.ids[i]);
  EXPECT_EQ(tok().decode(targets), "エンコーダ異常です。ケーブルを確認してください。Replace the encoder cable.");
}

TEST(ChatTemplate, SpecialTextIsNotASpecialToken) {
  const auto c = encode_chat(tok(), ChatTemplate::kLlmJp3, {{"user", "<s></s>"}}, true);
  EXPECT_EQ(std::count(c.ids.begin(), c.ids.end(), tok().bos_id()), 1);
  EXPECT_EQ(std::count(c.ids.begin(), c.ids.end(), tok().eos_id()), 0);
}

TEST(ChatTemplate, GenerationPromptIsAPrefixOfTheTrainingSequence) {
  const auto msgs = conversation();
  for (auto t : {ChatTemplate::kLlmJp3, ChatTemplate::kLlama2, ChatTemplate::kGembaPlain}) {
    const auto full = encode_chat(tok(), t, msgs, false);
    for (size_t turn = 2; turn < msgs.size(); turn += 2) {  // history ends with a user turn
      std::vector<ChatMessage> history(msgs.begin(), msgs.begin() + static_cast<std::ptrdiff_t>(turn));
      const auto prompt = encode_chat(tok(), t, history, true);
      ASSERT_LT(prompt.ids.size(), full.ids.size()) << chat_template_name(t);
      EXPECT_TRUE(std::equal(prompt.ids.begin(), prompt.ids.end(), full.ids.begin()))
          << chat_template_name(t) << " turn " << turn;
      // The prompt's mask matches the training sequence's (earlier answers are targets, the
      // prompt text is not); the full sequence continues with the answer's targets.
      EXPECT_TRUE(std::equal(prompt.is_target.begin(), prompt.is_target.end(), full.is_target.begin()))
          << chat_template_name(t);
      EXPECT_EQ(prompt.is_target.back(), 0) << chat_template_name(t);
      EXPECT_EQ(full.is_target[prompt.ids.size()], 1) << chat_template_name(t);
      // And the answer decodes back from exactly the tokens that follow the prompt.
      std::vector<int32_t> answer;
      for (size_t i = prompt.ids.size(); i < full.ids.size() && full.is_target[i]; ++i) answer.push_back(full.ids[i]);
      // (llama-2 answers are " {answer} "; decode drops the leading space as a dummy prefix.)
      const std::string want = t == ChatTemplate::kLlama2 ? msgs[turn].content + " " : msgs[turn].content;
      EXPECT_EQ(tok().decode(answer), want) << chat_template_name(t);
    }
  }
}

TEST(ChatTemplate, Llama2AndPlainRejectBadOrder) {
  EXPECT_THROW(encode_chat(tok(), ChatTemplate::kLlama2, {{"assistant", "x"}}, false), gemba::Error);
  EXPECT_THROW(encode_chat(tok(), ChatTemplate::kGembaPlain, {{"user", "a"}, {"user", "b"}}, false), gemba::Error);
  EXPECT_THROW(encode_chat(tok(), ChatTemplate::kLlmJp3, {{"robot", "a"}}, false), gemba::Error);
}

TEST(ChatTemplate, Llama2Layout) {
  const auto c = encode_chat(tok(), ChatTemplate::kLlama2, {{"system", "S"}, {"user", "U"}, {"assistant", "A"}}, false);
  std::string text;
  for (auto id : c.ids) {
    if (id == tok().bos_id()) text += "<s>";
    else if (id == tok().eos_id()) text += "</s>";
    else text += tok().token_bytes(id);
  }
  EXPECT_EQ(text, "<s> [INST] <<SYS>>\nS\n<</SYS>>\n\nU [/INST] A </s>");
}

// The data pipeline trains on NFKC text; the chat encoder must hand the model the same form,
// or full-width characters arrive as byte-fallback tokens the model never saw in training.
TEST(ChatTemplate, MessagesAreNfkcNormalized) {
  for (auto t : {ChatTemplate::kGembaPlain, ChatTemplate::kLlmJp3, ChatTemplate::kLlama2}) {
    auto wide = encode_chat(tok(), t, {{"user", "内部消費電流（ＤＣ５Ｖ）は？ ｶﾀｶﾅ"}, {"assistant", "０．４１ Ａ"}}, false).ids;
    auto plain = encode_chat(tok(), t, {{"user", "内部消費電流(DC5V)は? カタカナ"}, {"assistant", "0.41 A"}}, false).ids;
    EXPECT_EQ(wide, plain) << chat_template_name(t);
  }
  EXPECT_THROW(encode_chat(tok(), ChatTemplate::kGembaPlain, {{"user", std::string("\xff\xfe", 2)}}, true), gemba::Error);
}


// ---- The Jinja templates written into every GGUF (tokenizer.chat_template) ----

constexpr ChatTemplate kAllTemplates[] = {ChatTemplate::kLlmJp3, ChatTemplate::kLlama2, ChatTemplate::kGembaPlain};

std::string render_jinja(ChatTemplate t, const std::vector<ChatMessage>& messages, bool add_generation_prompt) {
  using test::jinja::Value;
  Value list;
  list.type = Value::kList;
  for (const auto& m : messages) {
    Value v;
    v.type = Value::kObject;
    v.object = {{"role", Value::str(m.role)}, {"content", Value::str(m.content)}};
    list.list.push_back(v);
  }
  return test::jinja::Template(chat_template_jinja(t))
      .render({{"messages", list},
               {"add_generation_prompt", Value::boolean(add_generation_prompt)},
               {"bos_token", Value::str(tok().entry(tok().bos_id()).piece)},
               {"eos_token", Value::str(tok().entry(tok().eos_id()).piece)}});
}

// Conversations gemba accepts for every template: with and without a system message (also an
// empty one), one and several turns, ending on a user turn (a prompt) or an assistant turn.
std::vector<std::vector<ChatMessage>> conversations() {
  const std::vector<ChatMessage> sys = {{"system", "あなたは FA 機器のサポート担当です。"}};
  const std::vector<ChatMessage> turns = {{"user", "ZCP-110の最大入出力点数は?"},
                                          {"assistant", "256点です。"},
                                          {"user", "What does AL.16 mean?"},
                                          {"assistant", "Encoder error: check the cable."}};
  std::vector<std::vector<ChatMessage>> out;
  for (size_t n = 0; n <= turns.size(); ++n) {
    std::vector<ChatMessage> c(turns.begin(), turns.begin() + static_cast<std::ptrdiff_t>(n));
    out.push_back(c);
    c.insert(c.begin(), sys.begin(), sys.end());
    out.push_back(c);
    c[0].content = "";
    out.push_back(c);
  }
  return out;
}

TEST(ChatTemplateJinja, RendersExactlyAsGembaFormats) {
  for (auto t : kAllTemplates)
    for (const auto& c : conversations())
      for (bool gen : {false, true}) {
        const std::string want = render_chat(tok(), t, c, gen);
        EXPECT_EQ(render_jinja(t, c, gen), want) << chat_template_name(t) << ", " << c.size() << " messages, gen " << gen;
      }
  // The documented layouts, spelled out once.
  const std::vector<ChatMessage> c = {{"system", "S"}, {"user", "U"}};
  EXPECT_EQ(render_chat(tok(), ChatTemplate::kLlmJp3, c, true),
            "<s>以下は、タスクを説明する指示です。要求を適切に満たす応答を書きなさい。\n\n### 指示:\nU\n\n### 応答:\n");
  EXPECT_EQ(render_chat(tok(), ChatTemplate::kGembaPlain, c, true), "<s>S\n### Question:\nU\n### Answer:\n");
  EXPECT_EQ(render_chat(tok(), ChatTemplate::kLlama2, c, true), "<s>[INST] <<SYS>>\nS\n<</SYS>>\n\nU [/INST]");
}

// What llama.cpp does with a rendered prompt (common/chat.cpp, src/llama-vocab.cpp): drop a
// leading BOS string (it adds BOS itself), then tokenize with special tokens parsed: control
// pieces in the text become their ids, and each text fragment gets the dummy-prefix space.
std::vector<int32_t> tokenize_like_llama_cpp(const std::string& rendered) {
  const std::string& bos = tok().entry(tok().bos_id()).piece;
  const std::string& eos = tok().entry(tok().eos_id()).piece;
  std::string text = rendered.rfind(bos, 0) == 0 ? rendered.substr(bos.size()) : rendered;
  std::vector<int32_t> ids = {tok().bos_id()};
  size_t pos = 0;
  while (pos < text.size()) {
    const size_t b = text.find(bos, pos), e = text.find(eos, pos);
    const size_t next = std::min(b, e);
    if (next > pos) {
      const auto frag = tok().encode(text.substr(pos, std::min(next, text.size()) - pos), false, true);
      ids.insert(ids.end(), frag.begin(), frag.end());
    }
    if (next == std::string::npos) break;
    ids.push_back(next == b ? tok().bos_id() : tok().eos_id());
    pos = next + (next == b ? bos.size() : eos.size());
  }
  return ids;
}

TEST(ChatTemplateJinja, PromptTokensMatchWhatLlamaCppFeedsTheModel) {
  for (auto t : kAllTemplates)
    for (const auto& c : conversations()) {
      if (c.empty() || c.back().role != "user") continue;  // a generation prompt
      const auto want = encode_chat(tok(), t, c, true).ids;
      const auto got = tokenize_like_llama_cpp(render_jinja(t, c, true));
      const bool history_has_answers = c.size() > 2;
      if (!history_has_answers) {
        EXPECT_EQ(got, want) << chat_template_name(t) << ", " << c.size() << " messages";
      } else {
        // gemba encodes an earlier answer apart from the prompt text before it (so training and
        // inference agree); llama.cpp encodes them as one text. Same text, and on these strings
        // the same tokens.
        EXPECT_EQ(tok().decode(got), tok().decode(want)) << chat_template_name(t);
        EXPECT_EQ(got, want) << chat_template_name(t) << ", " << c.size() << " messages";
      }
    }
}

// Where the template and gemba cannot agree: gemba NFKC-normalizes message text, the template
// passes it through (docs/llama-cpp-compat.md).
TEST(ChatTemplateJinja, NfkcIsGembaSideOnly) {
  const std::vector<ChatMessage> c = {{"user", "ＺＣＰ－１１０の点数は？"}};
  EXPECT_EQ(render_chat(tok(), ChatTemplate::kGembaPlain, c, true), "<s>### Question:\nZCP-110の点数は?\n### Answer:\n");
  EXPECT_EQ(render_jinja(ChatTemplate::kGembaPlain, c, true), "<s>### Question:\nＺＣＰ－１１０の点数は？\n### Answer:\n");
}

TEST(ChatTemplateJinja, MiniRendererRejectsWhatItDoesNotKnow) {
  using test::jinja::Template;
  EXPECT_THROW(Template("{% set x = 1 %}"), std::runtime_error);
  EXPECT_THROW(Template("{{ messages | length }}").render({}), std::runtime_error);
  EXPECT_THROW(Template("{% if x %}"), std::runtime_error);
}

}  // namespace
}  // namespace gemba::tokenizer
