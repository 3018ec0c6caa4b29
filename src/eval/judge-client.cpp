#include "eval/judge-client.h"

#include <httplib.h>

#include <cstdlib>

#include "core/error.h"
#include "core/json.h"

namespace gemba::eval {
namespace {

struct ParsedUrl {
  std::string scheme_host_port;  // "http://127.0.0.1:8080"
  std::string base_path;         // "/v1"
};

ParsedUrl split_url(const std::string& url) {
  auto scheme_end = url.find("://");
  if (scheme_end == std::string::npos) fail("--judge-url ", url, ": expected http://host:port/v1");
  auto path_start = url.find('/', scheme_end + 3);
  ParsedUrl out;
  out.scheme_host_port = url.substr(0, path_start);
  out.base_path = path_start == std::string::npos ? "" : url.substr(path_start);
  while (!out.base_path.empty() && out.base_path.back() == '/') out.base_path.pop_back();
  return out;
}

}  // namespace

JudgeClient::JudgeClient(JudgeConfig config) : config_(std::move(config)) {
  if (config_.url.empty()) fail("judge: --judge-url is required");
  if (config_.model.empty()) fail("judge: --judge-model is required");
  split_url(config_.url);  // validate early
}

std::string JudgeClient::build_prompt(const std::string& statement, bool label, const std::string& reference_answer,
                                      const std::string& model_answer) {
  return cat("You grade answers to a true/false question about industrial equipment.\n",
             "Statement: ", statement, "\n", "The statement is ", label ? "TRUE" : "FALSE", ".\n",
             reference_answer.empty() ? "" : cat("Reference answer: ", reference_answer, "\n"),
             "Model's answer: ", model_answer, "\n\n",
             "Is the model's answer correct, i.e. does it judge the statement's truth correctly ",
             "without contradicting the reference? Reply with exactly one word: CORRECT or INCORRECT.");
}

std::optional<bool> JudgeClient::parse_reply(const std::string& reply) {
  std::string upper;
  for (char c : reply) upper += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  auto incorrect = upper.find("INCORRECT");
  auto correct = upper.find("CORRECT");
  if (incorrect != std::string::npos && incorrect <= correct) return false;
  if (correct != std::string::npos) return true;
  return std::nullopt;
}

JudgeVerdict JudgeClient::judge(const std::string& statement, bool label, const std::string& reference_answer,
                                const std::string& model_answer) const {
  JudgeVerdict verdict;
  verdict.prompt = build_prompt(statement, label, reference_answer, model_answer);
  auto url = split_url(config_.url);
  httplib::Client client(url.scheme_host_port);
  client.set_read_timeout(static_cast<time_t>(config_.timeout_s), 0);
  client.set_connection_timeout(10, 0);
  httplib::Headers headers;
  if (const char* key = std::getenv(config_.api_key_env.c_str()); key && *key)
    headers.emplace("Authorization", std::string("Bearer ") + key);
  Json body = {{"model", config_.model},
               {"temperature", 0},
               {"max_tokens", 8},
               {"messages", Json::array({{{"role", "user"}, {"content", verdict.prompt}}})}};
  auto res = client.Post(url.base_path + "/chat/completions", headers, body.dump(), "application/json");
  if (!res) {
    verdict.error = cat("judge request failed: ", httplib::to_string(res.error()));
    return verdict;
  }
  if (res->status != 200) {
    verdict.error = cat("judge answered HTTP ", res->status, ": ", res->body.substr(0, 300));
    return verdict;
  }
  try {
    Json reply = Json::parse(res->body);
    verdict.raw_reply = reply.at("choices").at(0).at("message").at("content").get<std::string>();
  } catch (const std::exception& e) {
    verdict.error = cat("judge reply is not an OpenAI chat completion: ", e.what());
    return verdict;
  }
  verdict.correct = parse_reply(verdict.raw_reply);
  return verdict;
}

}  // namespace gemba::eval
