#include "serve/openai-json.h"

#include <chrono>
#include <cstdio>
#include <random>

namespace gemba::serve {

Json error_json(const ApiError& error) {
  Json e = {{"message", error.what()}, {"type", error.type()}, {"param", nullptr}, {"code", nullptr}};
  if (!error.param().empty()) e["param"] = error.param();
  if (!error.code().empty()) e["code"] = error.code();
  return Json{{"error", e}};
}

Json usage_json(const Usage& usage) {
  return {{"prompt_tokens", usage.prompt_tokens},
          {"completion_tokens", usage.completion_tokens},
          {"total_tokens", usage.prompt_tokens + usage.completion_tokens}};
}

std::string new_response_id(const std::string& prefix) {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  char hex[32];
  std::snprintf(hex, sizeof hex, "%016llx%08llx", static_cast<unsigned long long>(rng()),
                static_cast<unsigned long long>(rng() & 0xFFFFFFFFull));
  return prefix + "-" + hex;
}

int64_t unix_time_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

static Json finish_value(const std::string& finish_reason) {
  return finish_reason.empty() ? Json(nullptr) : Json(finish_reason);
}

Json chat_completion_json(const std::string& id, const std::string& model, int64_t created, const std::string& text,
                          const std::string& finish_reason, const Usage& usage) {
  Json choice = {{"index", 0},
                 {"message", {{"role", "assistant"}, {"content", text}}},
                 {"logprobs", nullptr},
                 {"finish_reason", finish_value(finish_reason)}};
  return {{"id", id},          {"object", "chat.completion"},   {"created", created},
          {"model", model},    {"choices", Json::array({choice})}, {"usage", usage_json(usage)},
          {"system_fingerprint", "gemba"}};
}

Json text_completion_json(const std::string& id, const std::string& model, int64_t created, const std::string& text,
                          const std::string& finish_reason, const Usage& usage) {
  Json choice = {{"index", 0}, {"text", text}, {"logprobs", nullptr}, {"finish_reason", finish_value(finish_reason)}};
  return {{"id", id},       {"object", "text_completion"},     {"created", created},
          {"model", model}, {"choices", Json::array({choice})}, {"usage", usage_json(usage)},
          {"system_fingerprint", "gemba"}};
}

Json chat_chunk_json(const std::string& id, const std::string& model, int64_t created, const Json& delta,
                     const std::string& finish_reason) {
  Json choice = {{"index", 0}, {"delta", delta}, {"logprobs", nullptr}, {"finish_reason", finish_value(finish_reason)}};
  return {{"id", id},       {"object", "chat.completion.chunk"}, {"created", created},
          {"model", model}, {"choices", Json::array({choice})},   {"system_fingerprint", "gemba"}};
}

Json text_chunk_json(const std::string& id, const std::string& model, int64_t created, const std::string& text,
                     const std::string& finish_reason) {
  Json choice = {{"index", 0}, {"text", text}, {"logprobs", nullptr}, {"finish_reason", finish_value(finish_reason)}};
  return {{"id", id},       {"object", "text_completion"},      {"created", created},
          {"model", model}, {"choices", Json::array({choice})}, {"system_fingerprint", "gemba"}};
}

Json usage_chunk_json(const std::string& id, const std::string& object, const std::string& model, int64_t created,
                      const Usage& usage) {
  return {{"id", id},       {"object", object},          {"created", created},
          {"model", model}, {"choices", Json::array()}, {"usage", usage_json(usage)}};
}

std::string dump_json(const Json& value) { return value.dump(-1, ' ', false, Json::error_handler_t::replace); }

std::string sse_event(const Json& payload) { return "data: " + dump_json(payload) + "\n\n"; }

Json models_json(const std::vector<ModelEntry>& models, int64_t created) {
  Json data = Json::array();
  for (const auto& m : models) {
    Json entry = {{"id", m.id}, {"object", "model"}, {"created", created}, {"owned_by", "gemba"}};
    if (m.adapter) entry["parent"] = models.front().id;
    data.push_back(entry);
  }
  return {{"object", "list"}, {"data", data}};
}

}  // namespace gemba::serve
