// An OpenAI-compatible chat endpoint in the test process, standing in for a judge model:
// POST /v1/chat/completions answers with a set reply and records what it was sent.
#pragma once
#include <httplib.h>

#include <chrono>
#include <mutex>
#include <string>
#include <thread>

#include "core/json.h"

namespace gemba::test {

class FakeJudge {
 public:
  FakeJudge() {
    server_.Post("/v1/chat/completions", [this](const httplib::Request& req, httplib::Response& res) {
      std::lock_guard<std::mutex> lock(mutex_);
      last_body = req.body;
      last_authorization = req.get_header_value("Authorization");
      ++requests;
      res.status = status;
      res.set_content(reply_body, "application/json");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    // stop() only stops a server that is already running.
    while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ~FakeJudge() {
    server_.stop();
    thread_.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/v1"; }
  void reply_with(const std::string& content) {
    reply_body = gemba::Json{{"choices", gemba::Json::array({{{"message", {{"role", "assistant"}, {"content", content}}}}})}}.dump();
  }

  // Set before a request is made; read after it has been answered.
  int status = 200;
  std::string reply_body;
  int requests = 0;
  std::string last_body, last_authorization;

 private:
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
  std::mutex mutex_;
};

}  // namespace gemba::test
