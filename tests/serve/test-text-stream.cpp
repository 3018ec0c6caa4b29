// serve: incremental detokenization (UTF-8 hold-back, stop strings) and OpenAI JSON/SSE shapes.
#include <gtest/gtest.h>

#include "serve/openai-json.h"
#include "serve/text-stream.h"

using namespace gemba;
using namespace gemba::serve;

namespace {
std::string feed(TextStream& s, const std::vector<std::string>& pieces) {
  std::string out;
  for (const auto& p : pieces) out += s.push(p);
  return out;
}
}  // namespace

TEST(TextStream, HoldsBackSplitUtf8) {
  TextStream s;
  std::string ja = "日本";  // E6 97 A5 E6 9C AC
  EXPECT_EQ(s.push(ja.substr(0, 1)), "");
  EXPECT_EQ(s.push(ja.substr(1, 1)), "");
  EXPECT_EQ(s.push(ja.substr(2, 2)), "日");
  EXPECT_EQ(s.push(ja.substr(4)), "本");
  EXPECT_EQ(s.finish(), "");
}

TEST(TextStream, IncompleteTailAndBadBytesBecomeReplacement) {
  TextStream s;
  EXPECT_EQ(s.push("a\xFF" "b"), "a\xEF\xBF\xBD" "b");
  EXPECT_EQ(s.push("\xE6\x97"), "");
  EXPECT_EQ(s.finish(), "\xEF\xBF\xBD\xEF\xBF\xBD");
}

TEST(TextStream, StopStringAcrossTokensIsCut) {
  TextStream s({"###", "\n\n"});
  std::string out = feed(s, {"Reset the ", "alarm.", "#", "#"});
  EXPECT_EQ(out, "Reset the alarm.");  // the "##" is held: it may start "###"
  EXPECT_FALSE(s.stopped());
  out += s.push("# next");
  EXPECT_TRUE(s.stopped());
  EXPECT_EQ(out, "Reset the alarm.");
  EXPECT_EQ(s.push("more"), "");
  EXPECT_EQ(s.finish(), "");
}

TEST(TextStream, FalseStartIsReleased) {
  TextStream s({"###"});
  EXPECT_EQ(feed(s, {"a#", "#b"}), "a##b");
  EXPECT_EQ(s.push("#"), "");
  EXPECT_EQ(s.finish(), "#");
  EXPECT_FALSE(s.stopped());
}

TEST(TextStream, EarliestStopWins) {
  TextStream s({"fox", "quick"});
  EXPECT_EQ(s.push("the quick brown fox"), "the ");
  EXPECT_TRUE(s.stopped());
}

TEST(OpenAiJson, ErrorShape) {
  Json e = error_json(ApiError(404, "invalid_request_error", "no such model", "model", "model_not_found"));
  EXPECT_EQ(e["error"]["message"], "no such model");
  EXPECT_EQ(e["error"]["type"], "invalid_request_error");
  EXPECT_EQ(e["error"]["param"], "model");
  EXPECT_EQ(e["error"]["code"], "model_not_found");
  Json bare = error_json(ApiError(500, "server_error", "x"));
  EXPECT_TRUE(bare["error"]["param"].is_null());
  EXPECT_TRUE(bare["error"]["code"].is_null());
}

TEST(OpenAiJson, ChatResponseAndChunks) {
  Json r = chat_completion_json("chatcmpl-1", "m", 7, "hi", "length", {3, 4});
  EXPECT_EQ(r["object"], "chat.completion");
  EXPECT_EQ(r["choices"][0]["message"]["role"], "assistant");
  EXPECT_EQ(r["choices"][0]["message"]["content"], "hi");
  EXPECT_EQ(r["choices"][0]["finish_reason"], "length");
  EXPECT_EQ(r["usage"]["total_tokens"], 7);

  Json c = chat_chunk_json("chatcmpl-1", "m", 7, {{"content", "h"}}, "");
  EXPECT_EQ(c["object"], "chat.completion.chunk");
  EXPECT_TRUE(c["choices"][0]["finish_reason"].is_null());
  EXPECT_EQ(c["choices"][0]["delta"]["content"], "h");

  std::string event = sse_event(c);
  EXPECT_EQ(event.rfind("data: {", 0), 0u);
  EXPECT_EQ(event.substr(event.size() - 2), "\n\n");
  EXPECT_EQ(event.find('\n'), event.size() - 2);  // one line: compact JSON
  EXPECT_EQ(Json::parse(event.substr(6)), c);
  EXPECT_EQ(std::string(kSseDone), "data: [DONE]\n\n");

  Json t = text_completion_json("cmpl-1", "m", 7, "x", "stop", {1, 1});
  EXPECT_EQ(t["object"], "text_completion");
  EXPECT_EQ(t["choices"][0]["text"], "x");
  Json u = usage_chunk_json("cmpl-1", "text_completion", "m", 7, {2, 5});
  EXPECT_TRUE(u["choices"].empty());
  EXPECT_EQ(u["usage"]["completion_tokens"], 5);
}

TEST(OpenAiJson, ModelsAndIds) {
  Json m = models_json({{"base", false}, {"base-faq", true}}, 1);
  EXPECT_EQ(m["object"], "list");
  ASSERT_EQ(m["data"].size(), 2u);
  EXPECT_EQ(m["data"][1]["id"], "base-faq");
  EXPECT_EQ(m["data"][1]["parent"], "base");
  std::string a = new_response_id("chatcmpl"), b = new_response_id("chatcmpl");
  EXPECT_EQ(a.rfind("chatcmpl-", 0), 0u);
  EXPECT_NE(a, b);
  // Invalid UTF-8 in generated text never makes dumping throw.
  EXPECT_NO_THROW(sse_event(Json{{"t", std::string("\xFF")}}));
}
