// serve: the HTTP server end to end over loopback with the fake backend: every endpoint, the
// streaming format, each error status, queue overload, client disconnects, timeouts, metrics.
#include <gtest/gtest.h>
#include <httplib.h>

#include <chrono>
#include <thread>

#include "core/json.h"
#include "serve/fake-backend.h"
#include "serve/server.h"

using namespace gemba;
using namespace gemba::serve;
using namespace std::chrono_literals;

namespace {

// A server on a free loopback port, stopped and joined when the fixture ends.
class RunningServer {
 public:
  RunningServer(FakeBackendOptions fake, ServerOptions options) : backend(fake) {
    options.host = "127.0.0.1";
    options.port = 0;
    server = std::make_unique<Server>(backend, options);
    port = server->bind();
    thread = std::thread([this] { server->run(); });
  }
  ~RunningServer() {
    server->stop();
    thread.join();
  }
  httplib::Client client() const {
    httplib::Client c("127.0.0.1", port);
    c.set_read_timeout(20, 0);
    return c;
  }

  FakeBackend backend;
  std::unique_ptr<Server> server;
  int port = 0;
  std::thread thread;
};

const char* kJson = "application/json";

Json chat_body(const std::string& content, const std::string& model = "fake") {
  return {{"model", model}, {"temperature", 0}, {"messages", {{{"role", "user"}, {"content", content}}}}};
}

std::string expected_chat(FakeBackend& b, const std::string& content, bool upper = false) {
  return b.greedy_answer(b.encode_chat({{"user", content}}), upper);
}

// The JSON payloads of an SSE body; `done` tells whether it ended with data: [DONE].
std::vector<Json> sse_payloads(const std::string& body, bool& done) {
  std::vector<Json> out;
  done = false;
  size_t pos = 0;
  while (pos < body.size()) {
    size_t end = body.find("\n\n", pos);
    EXPECT_NE(end, std::string::npos) << "unterminated event";
    if (end == std::string::npos) break;
    std::string event = body.substr(pos, end - pos);
    pos = end + 2;
    EXPECT_EQ(event.rfind("data: ", 0), 0u) << event;
    std::string data = event.substr(6);
    if (data == "[DONE]") {
      done = true;
      EXPECT_EQ(pos, body.size()) << "data after [DONE]";
      break;
    }
    out.push_back(Json::parse(data));
  }
  return out;
}

}  // namespace

TEST(Server, HealthModelsAndChat) {
  RunningServer s({}, {});
  auto c = s.client();
  auto health = c.Get("/health");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
  EXPECT_EQ(Json::parse(health->body)["status"], "ok");

  auto models = c.Get("/v1/models");
  ASSERT_TRUE(models);
  Json m = Json::parse(models->body);
  ASSERT_EQ(m["data"].size(), 2u);
  EXPECT_EQ(m["data"][0]["id"], "fake");
  EXPECT_EQ(m["data"][1]["id"], "fake-upper");

  auto res = c.Post("/v1/chat/completions", chat_body("E-21 on the servo amplifier?").dump(), kJson);
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  Json r = Json::parse(res->body);
  std::string expected = expected_chat(s.backend, "E-21 on the servo amplifier?");
  EXPECT_EQ(r["object"], "chat.completion");
  EXPECT_EQ(r["model"], "fake");
  EXPECT_EQ(r["choices"][0]["message"]["content"], expected);
  EXPECT_EQ(r["choices"][0]["finish_reason"], "stop");
  EXPECT_EQ(r["usage"]["completion_tokens"], static_cast<int>(expected.size()));
  EXPECT_EQ(r["usage"]["prompt_tokens"], static_cast<int>(s.backend.encode_chat({{"user", "E-21 on the servo amplifier?"}}).size()));

  // The adapter is chosen per request.
  res = c.Post("/v1/chat/completions", chat_body("E-21 on the servo amplifier?", "fake-upper").dump(), kJson);
  ASSERT_TRUE(res);
  EXPECT_EQ(Json::parse(res->body)["choices"][0]["message"]["content"],
            expected_chat(s.backend, "E-21 on the servo amplifier?", true));

  // max_tokens gives finish_reason "length".
  Json body = chat_body("x");
  body["max_tokens"] = 4;
  res = c.Post("/v1/chat/completions", body.dump(), kJson);
  ASSERT_TRUE(res);
  r = Json::parse(res->body);
  EXPECT_EQ(r["choices"][0]["finish_reason"], "length");
  EXPECT_EQ(r["usage"]["completion_tokens"], 4);
}

TEST(Server, CompletionsAndStopString) {
  RunningServer s({}, {});
  auto c = s.client();
  Json body = {{"model", "fake"}, {"prompt", "Alarm 21 means"}, {"temperature", 0}, {"stop", {"brown"}}};
  auto res = c.Post("/v1/completions", body.dump(), kJson);
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  Json r = Json::parse(res->body);
  std::string full = s.backend.greedy_answer(s.backend.encode_prompt("Alarm 21 means"), false);
  EXPECT_EQ(r["object"], "text_completion");
  EXPECT_EQ(r["choices"][0]["text"], full.substr(0, full.find("brown")));
  EXPECT_EQ(r["choices"][0]["finish_reason"], "stop");
}

TEST(Server, StreamingChatAndCompletions) {
  RunningServer s({}, {});
  auto c = s.client();
  Json body = chat_body("stream me");
  body["stream"] = true;
  auto res = c.Post("/v1/chat/completions", body.dump(), kJson);
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200);
  EXPECT_EQ(res->get_header_value("Content-Type").rfind("text/event-stream", 0), 0u);
  bool done = false;
  auto events = sse_payloads(res->body, done);
  EXPECT_TRUE(done);
  ASSERT_GE(events.size(), 3u);
  EXPECT_EQ(events.front()["choices"][0]["delta"]["role"], "assistant");
  std::string text;
  for (size_t i = 0; i + 1 < events.size(); ++i) {
    EXPECT_EQ(events[i]["object"], "chat.completion.chunk");
    EXPECT_EQ(events[i]["id"], events[0]["id"]);
    EXPECT_TRUE(events[i]["choices"][0]["finish_reason"].is_null());
    text += events[i]["choices"][0]["delta"].value("content", "");
  }
  EXPECT_EQ(text, expected_chat(s.backend, "stream me"));
  EXPECT_EQ(events.back()["choices"][0]["finish_reason"], "stop");
  EXPECT_TRUE(events.back()["choices"][0]["delta"].empty());

  Json cbody = {{"model", "fake"}, {"prompt", "p"}, {"stream", true}, {"max_tokens", 6},
                {"stream_options", {{"include_usage", true}}}};
  res = c.Post("/v1/completions", cbody.dump(), kJson);
  ASSERT_TRUE(res);
  events = sse_payloads(res->body, done);
  EXPECT_TRUE(done);
  ASSERT_GE(events.size(), 2u);
  std::string ctext;
  for (auto& e : events)
    if (!e["choices"].empty()) ctext += e["choices"][0]["text"].get<std::string>();
  EXPECT_EQ(ctext.size(), 6u);  // sampled (temperature 1), but exactly max_tokens bytes
  EXPECT_EQ(events[events.size() - 2]["choices"][0]["finish_reason"], "length");
  EXPECT_EQ(events.back()["usage"]["completion_tokens"], 6);
}

TEST(Server, ErrorStatuses) {
  RunningServer s({"fake", 64, 0}, {.max_body_bytes = 4096});
  auto c = s.client();
  auto expect_error = [&](const std::string& path, const std::string& body, int status, const std::string& param) {
    auto res = c.Post(path, body, kJson);
    ASSERT_TRUE(res) << body;
    EXPECT_EQ(res->status, status) << body << " -> " << res->body;
    Json e = Json::parse(res->body);
    ASSERT_TRUE(e.contains("error")) << res->body;
    EXPECT_TRUE(e["error"]["message"].is_string());
    EXPECT_TRUE(e["error"]["type"].is_string());
    if (!param.empty()) EXPECT_EQ(e["error"]["param"], param) << res->body;
  };
  expect_error("/v1/chat/completions", "{not json", 400, "");
  expect_error("/v1/chat/completions", R"({"model": "fake", "messages": [{"role": "user", "content": "x"}], "temperature": "hot"})", 400, "temperature");
  expect_error("/v1/completions", R"({"model": "fake", "prompt": 12})", 400, "prompt");
  expect_error("/v1/chat/completions", chat_body("x", "gpt-4o").dump(), 404, "model");
  expect_error("/v1/chat/completions", chat_body(std::string(200, 'a')).dump(), 400, "messages");
  expect_error("/v1/completions", Json{{"model", "fake"}, {"prompt", std::string(5000, 'a')}}.dump(), 413, "");
  expect_error("/v1/nothing", "{}", 404, "");

  auto res = c.Post("/v1/chat/completions", chat_body(std::string(200, 'a')).dump(), kJson);
  ASSERT_TRUE(res);
  EXPECT_EQ(Json::parse(res->body)["error"]["code"], "context_length_exceeded");
  // Still healthy, and still answering.
  res = c.Post("/v1/chat/completions", chat_body("ok?").dump(), kJson);
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
}

TEST(Server, ApiKey) {
  RunningServer s({}, {.api_key = "sekrit"});
  auto c = s.client();
  auto res = c.Post("/v1/chat/completions", chat_body("x").dump(), kJson);
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 401);
  EXPECT_EQ(Json::parse(res->body)["error"]["code"], "invalid_api_key");
  res = c.Get("/v1/models", {{"Authorization", "Bearer wrong"}});
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 401);
  res = c.Post("/v1/chat/completions", {{"Authorization", "Bearer sekrit"}}, chat_body("x").dump(), kJson);
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(c.Get("/health")->status, 200);  // the health check needs no key
}

TEST(Server, QueueFullGives503WithRetryAfter) {
  RunningServer s({"fake", 256, 40}, {.parallel = 1, .queue = 0});
  std::thread busy([&] {
    auto c = s.client();
    c.Post("/v1/chat/completions", chat_body("slow").dump(), kJson);
  });
  // Wait until the slot is taken.
  for (int i = 0; i < 200 && s.backend.live_sequences() == 0; ++i) std::this_thread::sleep_for(10ms);
  auto c = s.client();
  auto res = c.Post("/v1/chat/completions", chat_body("one more").dump(), kJson);
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 503);
  EXPECT_EQ(res->get_header_value("Retry-After"), "1");
  EXPECT_EQ(Json::parse(res->body)["error"]["code"], "queue_full");
  busy.join();
  EXPECT_EQ(c.Get("/health")->status, 200);
}

TEST(Server, DisconnectCancelsGeneration) {
  RunningServer s({"fake", 256, 100}, {.parallel = 2});
  // Streaming: read the first chunk, then hang up.
  {
    auto c = s.client();
    Json body = chat_body("stream then leave");
    body["stream"] = true;
    httplib::Request req;
    req.method = "POST";
    req.path = "/v1/chat/completions";
    req.body = body.dump();
    req.set_header("Content-Type", kJson);
    int chunks = 0;
    req.content_receiver = [&](const char*, size_t, uint64_t, uint64_t) { return ++chunks < 2; };
    c.send(req);
    EXPECT_EQ(chunks, 2);
  }
  auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < 300 && s.backend.live_sequences() > 0; ++i) std::this_thread::sleep_for(10ms);
  EXPECT_EQ(s.backend.live_sequences(), 0);
  // A full answer takes ~3 s (31 steps of 100 ms); the cancel came well before.
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 1500ms);

  // Non-streaming: the client gives up waiting (read timeout) and closes the connection.
  {
    httplib::Client c("127.0.0.1", s.port);
    c.set_read_timeout(0, 300 * 1000);
    auto res = c.Post("/v1/chat/completions", chat_body("wait then leave").dump(), kJson);
    EXPECT_FALSE(res);
  }
  t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < 300 && s.backend.live_sequences() > 0; ++i) std::this_thread::sleep_for(10ms);
  EXPECT_EQ(s.backend.live_sequences(), 0);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 1500ms);
  std::this_thread::sleep_for(100ms);
  EXPECT_EQ(s.server->metrics().requests("/v1/chat/completions", 499), 2);
}

TEST(Server, TimeoutGives504) {
  RunningServer s({"fake", 256, 50}, {.timeout_s = 0.2});
  auto c = s.client();
  auto res = c.Post("/v1/chat/completions", chat_body("too slow").dump(), kJson);
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 504);
  EXPECT_EQ(Json::parse(res->body)["error"]["code"], "timeout");
}

TEST(Server, MetricsCountRequestsAndTokens) {
  RunningServer s({}, {});
  auto c = s.client();
  ASSERT_EQ(c.Post("/v1/chat/completions", chat_body("a").dump(), kJson)->status, 200);
  ASSERT_EQ(c.Post("/v1/chat/completions", "{", kJson)->status, 400);
  auto res = c.Get("/metrics");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  const std::string& m = res->body;
  EXPECT_NE(m.find("gemba_requests_total{endpoint=\"/v1/chat/completions\",status=\"200\"} 1\n"), std::string::npos) << m;
  EXPECT_NE(m.find("gemba_requests_total{endpoint=\"/v1/chat/completions\",status=\"400\"} 1\n"), std::string::npos) << m;
  std::string answer = expected_chat(s.backend, "a");
  EXPECT_NE(m.find("gemba_completion_tokens_total " + std::to_string(answer.size()) + "\n"), std::string::npos) << m;
  EXPECT_NE(m.find("gemba_request_duration_seconds_count 2\n"), std::string::npos) << m;
  EXPECT_NE(m.find("gemba_queue_depth 0\n"), std::string::npos);
  EXPECT_NE(m.find("gemba_slots 4\n"), std::string::npos);
}
