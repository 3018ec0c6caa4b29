// serve: OpenAI request parsing and validation (every bad field is a 400 naming it).
#include <gtest/gtest.h>

#include "serve/api-error.h"
#include "serve/request.h"

using namespace gemba;
using namespace gemba::serve;

namespace {

// The ApiError a chat body raises (status 0 when it parses).
ApiError chat_error(const std::string& body) {
  try {
    parse_chat_request(parse_request_body(body));
  } catch (const ApiError& e) {
    return e;
  }
  return ApiError(0, "", "parsed");
}

ApiError completion_error(const std::string& body) {
  try {
    parse_completion_request(parse_request_body(body));
  } catch (const ApiError& e) {
    return e;
  }
  return ApiError(0, "", "parsed");
}

}  // namespace

TEST(Request, ParsesEveryChatField) {
  auto r = parse_chat_request(parse_request_body(R"({
    "model": "m", "stream": true, "stream_options": {"include_usage": true},
    "messages": [{"role": "system", "content": "be brief"},
                 {"role": "user", "content": [{"type": "text", "text": "E-21 "}, {"type": "text", "text": "what now?"}]}],
    "temperature": 0, "top_p": 0.5, "max_tokens": 7, "stop": ["\n\n", "###"], "seed": 42,
    "presence_penalty": 0.5, "frequency_penalty": -1.5, "user": "ignored", "n": 1})"));
  EXPECT_EQ(r.endpoint, Endpoint::kChat);
  EXPECT_EQ(r.model, "m");
  EXPECT_TRUE(r.stream);
  EXPECT_TRUE(r.include_usage);
  ASSERT_EQ(r.messages.size(), 2u);
  EXPECT_EQ(r.messages[0].role, "system");
  EXPECT_EQ(r.messages[1].content, "E-21 what now?");
  EXPECT_EQ(r.sampling.temperature, 0.0f);
  EXPECT_EQ(r.sampling.top_p, 0.5f);
  EXPECT_EQ(r.max_tokens.value(), 7);
  EXPECT_EQ(r.stop, (std::vector<std::string>{"\n\n", "###"}));
  EXPECT_TRUE(r.has_seed);
  EXPECT_EQ(r.sampling.seed, 42u);
  EXPECT_EQ(r.sampling.presence_penalty, 0.5f);
  EXPECT_EQ(r.sampling.frequency_penalty, -1.5f);
}

TEST(Request, DefaultsAndAlternativeSpellings) {
  auto r = parse_chat_request(parse_request_body(
      R"({"model": "m", "messages": [{"role": "developer", "content": "x"}], "max_completion_tokens": 3, "stop": "END"})"));
  EXPECT_FALSE(r.stream);
  EXPECT_EQ(r.messages[0].role, "system");
  EXPECT_EQ(r.max_tokens.value(), 3);
  EXPECT_EQ(r.stop, std::vector<std::string>{"END"});
  EXPECT_FALSE(r.has_seed);
  EXPECT_EQ(r.sampling.temperature, 1.0f);

  auto c = parse_completion_request(parse_request_body(R"({"model": "m", "prompt": ["Hello"]})"));
  EXPECT_EQ(c.endpoint, Endpoint::kCompletion);
  EXPECT_EQ(c.prompt, "Hello");
  EXPECT_FALSE(c.max_tokens.has_value());
}

TEST(Request, MalformedJsonIs400) {
  for (const char* body : {"", "{", "{\"model\": }", "[1, 2]", "\"text\"", "{\"a\": 1} trailing"}) {
    ApiError e = chat_error(body);
    EXPECT_EQ(e.status(), 400) << body;
    EXPECT_EQ(e.code(), "invalid_json") << body;
  }
  // Invalid UTF-8 inside a JSON string is malformed JSON too.
  EXPECT_EQ(chat_error("{\"model\": \"m\", \"messages\": [{\"role\": \"user\", \"content\": \"\xC3(\"}]}").status(), 400);
}

TEST(Request, WrongTypesNameTheField) {
  const std::string msgs = R"("messages": [{"role": "user", "content": "hi"}])";
  struct Case {
    std::string body, param;
  } cases[] = {
      {R"({"messages": [{"role": "user", "content": "hi"}]})", "model"},
      {R"({"model": 3, )" + msgs + "}", "model"},
      {R"({"model": "m"})", "messages"},
      {R"({"model": "m", "messages": "hi"})", "messages"},
      {R"({"model": "m", "messages": []})", "messages"},
      {R"({"model": "m", "messages": [3]})", "messages[0]"},
      {R"({"model": "m", "messages": [{"content": "x"}]})", "messages[0].role"},
      {R"({"model": "m", "messages": [{"role": "robot", "content": "x"}]})", "messages[0].role"},
      {R"({"model": "m", "messages": [{"role": "user"}]})", "messages[0].content"},
      {R"({"model": "m", "messages": [{"role": "user", "content": 5}]})", "messages[0].content"},
      {R"({"model": "m", "messages": [{"role": "user", "content": [{"type": "image_url"}]}]})", "messages[0].content[0].type"},
      {R"({"model": "m", "temperature": "hot", )" + msgs + "}", "temperature"},
      {R"({"model": "m", "temperature": 3, )" + msgs + "}", "temperature"},
      {R"({"model": "m", "top_p": 0, )" + msgs + "}", "top_p"},
      {R"({"model": "m", "max_tokens": 1.5, )" + msgs + "}", "max_tokens"},
      {R"({"model": "m", "max_tokens": 0, )" + msgs + "}", "max_tokens"},
      {R"({"model": "m", "max_tokens": "10", )" + msgs + "}", "max_tokens"},
      {R"({"model": "m", "stop": 5, )" + msgs + "}", "stop"},
      {R"({"model": "m", "stop": ["a", 1], )" + msgs + "}", "stop"},
      {R"({"model": "m", "stop": ["a", "b", "c", "d", "e"], )" + msgs + "}", "stop"},
      {R"({"model": "m", "seed": "x", )" + msgs + "}", "seed"},
      {R"({"model": "m", "stream": "yes", )" + msgs + "}", "stream"},
      {R"({"model": "m", "presence_penalty": 2.5, )" + msgs + "}", "presence_penalty"},
      {R"({"model": "m", "frequency_penalty": true, )" + msgs + "}", "frequency_penalty"},
      {R"({"model": "m", "n": 2, )" + msgs + "}", "n"},
      {R"({"model": "m", "logprobs": true, )" + msgs + "}", "logprobs"},
  };
  for (const auto& c : cases) {
    ApiError e = chat_error(c.body);
    EXPECT_EQ(e.status(), 400) << c.body;
    EXPECT_EQ(e.type(), "invalid_request_error") << c.body;
    EXPECT_EQ(e.param(), c.param) << c.body << " -> " << e.what();
    EXPECT_NE(std::string(e.what()).find(c.param.substr(0, c.param.find('['))), std::string::npos) << e.what();
  }
}

TEST(Request, CompletionFields) {
  EXPECT_EQ(completion_error(R"({"model": "m"})").param(), "prompt");
  EXPECT_EQ(completion_error(R"({"model": "m", "prompt": [1, 2, 3]})").param(), "prompt");
  EXPECT_EQ(completion_error(R"({"model": "m", "prompt": {"a": 1}})").param(), "prompt");
  EXPECT_EQ(completion_error(R"({"model": "m", "prompt": "x", "echo": true})").param(), "echo");
  EXPECT_EQ(completion_error(R"({"model": "m", "prompt": "x", "max_tokens": -1})").param(), "max_tokens");
  EXPECT_EQ(completion_error(R"({"model": "m", "prompt": "x", "max_tokens": 4})").status(), 0);
}
