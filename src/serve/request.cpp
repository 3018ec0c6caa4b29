#include "serve/request.h"

#include <cmath>

#include "core/utf8.h"
#include "serve/api-error.h"

namespace gemba::serve {
namespace {

// A short rendering of a wrong value for messages: "a string", "an array", ...
std::string describe(const Json& v) {
  switch (v.type()) {
    case Json::value_t::string: return "a string";
    case Json::value_t::boolean: return "a boolean";
    case Json::value_t::array: return "an array";
    case Json::value_t::object: return "an object";
    case Json::value_t::null: return "null";
    default: return "the number " + v.dump();
  }
}

const Json* field(const Json& body, const char* key) {
  auto it = body.find(key);
  if (it == body.end() || it->is_null()) return nullptr;
  return &*it;
}

std::optional<double> number_field(const Json& body, const char* key, double lo, double hi) {
  const Json* v = field(body, key);
  if (!v) return std::nullopt;
  if (!v->is_number())
    bad_request(key, cat("'", key, "' must be a number between ", lo, " and ", hi, ", not ", describe(*v)));
  double x = v->get<double>();
  if (!std::isfinite(x) || x < lo || x > hi)
    bad_request(key, cat("'", key, "' must be between ", lo, " and ", hi, " (got ", v->dump(), ")"));
  return x;
}

std::optional<int64_t> integer_field(const Json& body, const char* key, int64_t lo, int64_t hi) {
  const Json* v = field(body, key);
  if (!v) return std::nullopt;
  bool integral = v->is_number_integer() || (v->is_number_float() && std::floor(v->get<double>()) == v->get<double>());
  if (!integral) bad_request(key, cat("'", key, "' must be an integer, not ", describe(*v)));
  if (v->is_number_unsigned() && v->get<uint64_t>() > static_cast<uint64_t>(hi))
    bad_request(key, cat("'", key, "' must be between ", lo, " and ", hi, " (got ", v->dump(), ")"));
  double x = v->get<double>();
  if (x < static_cast<double>(lo) || x > static_cast<double>(hi))
    bad_request(key, cat("'", key, "' must be between ", lo, " and ", hi, " (got ", v->dump(), ")"));
  return v->is_number_unsigned() ? static_cast<int64_t>(v->get<uint64_t>()) : static_cast<int64_t>(x);
}

bool bool_field(const Json& body, const char* key, bool fallback) {
  const Json* v = field(body, key);
  if (!v) return fallback;
  if (!v->is_boolean()) bad_request(key, cat("'", key, "' must be a boolean, not ", describe(*v)));
  return v->get<bool>();
}

std::string text_value(const Json& v, const std::string& param) {
  std::string s = v.get<std::string>();
  if (!utf8_valid(s)) bad_request(param, cat("'", param, "' is not valid UTF-8"));
  return s;
}

// Fields shared by both endpoints.
void parse_common(const Json& body, CompletionRequest& r) {
  const Json* model = field(body, "model");
  if (!model) bad_request("model", "'model' is required: name the model or adapter (GET /v1/models lists them)");
  if (!model->is_string()) bad_request("model", cat("'model' must be a string, not ", describe(*model)));
  r.model = text_value(*model, "model");

  r.stream = bool_field(body, "stream", false);
  if (const Json* so = field(body, "stream_options")) {
    if (!so->is_object()) bad_request("stream_options", "'stream_options' must be an object");
    r.include_usage = bool_field(*so, "include_usage", false);
  }

  auto max_tokens = integer_field(body, "max_tokens", 1, 1 << 30);
  auto max_completion = integer_field(body, "max_completion_tokens", 1, 1 << 30);
  if (max_completion) max_tokens = max_completion;
  if (max_tokens) r.max_tokens = static_cast<int>(*max_tokens);

  if (auto t = number_field(body, "temperature", 0, 2)) r.sampling.temperature = static_cast<float>(*t);
  if (auto p = number_field(body, "top_p", 0, 1)) {
    if (*p <= 0) bad_request("top_p", "'top_p' must be greater than 0 and at most 1");
    r.sampling.top_p = static_cast<float>(*p);
  }
  if (auto p = number_field(body, "presence_penalty", -2, 2)) r.sampling.presence_penalty = static_cast<float>(*p);
  if (auto p = number_field(body, "frequency_penalty", -2, 2)) r.sampling.frequency_penalty = static_cast<float>(*p);
  if (const Json* seed = field(body, "seed")) {
    if (!seed->is_number_integer()) bad_request("seed", cat("'seed' must be an integer, not ", describe(*seed)));
    r.sampling.seed = seed->is_number_unsigned() ? seed->get<uint64_t>() : static_cast<uint64_t>(seed->get<int64_t>());
    r.has_seed = true;
  }

  if (auto n = integer_field(body, "n", 1, 128); n && *n != 1)
    bad_request("n", "only 'n': 1 is supported (send several requests for several choices)");
  if (const Json* lp = field(body, "logprobs")) {
    if (!lp->is_boolean() && !lp->is_number_integer())
      bad_request("logprobs", cat("'logprobs' must be a boolean or an integer, not ", describe(*lp)));
    bool wanted = lp->is_boolean() ? lp->get<bool>() : lp->get<double>() != 0;
    if (wanted) bad_request("logprobs", "'logprobs' is not supported by gemba serve; leave it out");
  }

  if (const Json* stop = field(body, "stop")) {
    if (stop->is_string()) {
      r.stop.push_back(text_value(*stop, "stop"));
    } else if (stop->is_array()) {
      if (stop->size() > 4) bad_request("stop", "'stop' may hold at most 4 strings");
      for (const auto& s : *stop) {
        if (!s.is_string()) bad_request("stop", cat("'stop' must be a string or an array of strings; it holds ", describe(s)));
        r.stop.push_back(text_value(s, "stop"));
      }
    } else {
      bad_request("stop", cat("'stop' must be a string or an array of strings, not ", describe(*stop)));
    }
    for (const auto& s : r.stop)
      if (s.empty()) bad_request("stop", "'stop' strings must not be empty");
  }
}

// A message's content: a string, or an array of {"type": "text", "text": ...} parts.
std::string message_content(const Json& content, const std::string& param) {
  if (content.is_string()) return text_value(content, param);
  if (!content.is_array()) bad_request(param, cat("'", param, "' must be a string or an array of text parts, not ", describe(content)));
  std::string text;
  for (size_t i = 0; i < content.size(); ++i) {
    const Json& part = content[i];
    std::string where = cat(param, "[", i, "]");
    if (!part.is_object()) bad_request(where, cat("'", where, "' must be an object"));
    auto type = part.find("type");
    if (type == part.end() || !type->is_string() || type->get<std::string>() != "text")
      bad_request(where + ".type", cat("'", where, ".type' must be \"text\" (gemba serves text models only)"));
    auto t = part.find("text");
    if (t == part.end() || !t->is_string()) bad_request(where + ".text", cat("'", where, ".text' must be a string"));
    text += text_value(*t, where + ".text");
  }
  return text;
}

}  // namespace

Json parse_request_body(std::string_view body) {
  Json j;
  try {
    j = Json::parse(body.begin(), body.end());
  } catch (const nlohmann::json::exception& e) {
    throw ApiError(400, "invalid_request_error",
                   cat("the request body is not valid JSON (", e.what(), "); send a JSON object"), "", "invalid_json");
  }
  if (!j.is_object()) throw ApiError(400, "invalid_request_error", "the request body must be a JSON object", "", "invalid_json");
  return j;
}

CompletionRequest parse_chat_request(const Json& body) {
  CompletionRequest r;
  r.endpoint = Endpoint::kChat;
  parse_common(body, r);
  const Json* messages = field(body, "messages");
  if (!messages) bad_request("messages", "'messages' is required: an array of {\"role\", \"content\"} objects");
  if (!messages->is_array()) bad_request("messages", cat("'messages' must be an array, not ", describe(*messages)));
  if (messages->empty()) bad_request("messages", "'messages' must hold at least one message");
  for (size_t i = 0; i < messages->size(); ++i) {
    const Json& m = (*messages)[i];
    std::string where = cat("messages[", i, "]");
    if (!m.is_object()) bad_request(where, cat("'", where, "' must be an object, not ", describe(m)));
    auto role = m.find("role");
    if (role == m.end() || !role->is_string())
      bad_request(where + ".role", cat("'", where, ".role' must be a string: system, user or assistant"));
    std::string r_name = role->get<std::string>();
    if (r_name == "developer") r_name = "system";
    if (r_name != "system" && r_name != "user" && r_name != "assistant")
      bad_request(where + ".role", cat("'", where, ".role' is '", r_name, "'; it must be system, user or assistant"));
    auto content = m.find("content");
    if (content == m.end() || content->is_null()) bad_request(where + ".content", cat("'", where, ".content' is required"));
    r.messages.push_back({r_name, message_content(*content, where + ".content")});
  }
  return r;
}

CompletionRequest parse_completion_request(const Json& body) {
  CompletionRequest r;
  r.endpoint = Endpoint::kCompletion;
  parse_common(body, r);
  const Json* prompt = field(body, "prompt");
  if (!prompt) bad_request("prompt", "'prompt' is required: a string");
  if (prompt->is_array() && prompt->size() == 1 && (*prompt)[0].is_string()) prompt = &(*prompt)[0];
  if (!prompt->is_string())
    bad_request("prompt", cat("'prompt' must be a string (or an array of one string), not ", describe(*prompt)));
  r.prompt = text_value(*prompt, "prompt");
  if (bool_field(body, "echo", false)) bad_request("echo", "'echo' is not supported by gemba serve; leave it out");
  if (const Json* suffix = field(body, "suffix"))
    if (!suffix->is_string() || !suffix->get<std::string>().empty())
      bad_request("suffix", "'suffix' is not supported by gemba serve; leave it out");
  return r;
}

}  // namespace gemba::serve
