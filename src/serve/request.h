// Request -> task: OpenAI JSON bodies parsed and validated into a typed request. Every
// problem is an ApiError 400 naming the field (OpenAI's "param") and what is allowed.
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/json.h"
#include "serve/backend.h"

namespace gemba::serve {

enum class Endpoint { kChat, kCompletion };

struct CompletionRequest {
  Endpoint endpoint = Endpoint::kChat;
  std::string model;
  std::vector<ChatMessage> messages;  // kChat
  std::string prompt;                 // kCompletion
  bool stream = false;
  bool include_usage = false;         // stream_options.include_usage
  std::optional<int> max_tokens;      // max_tokens or max_completion_tokens
  SamplingParams sampling;
  bool has_seed = false;
  std::vector<std::string> stop;      // up to 4 strings
};

// The body as JSON; malformed JSON or a non-object is a 400 invalid_request_error.
Json parse_request_body(std::string_view body);

// POST /v1/chat/completions and POST /v1/completions.
CompletionRequest parse_chat_request(const Json& body);
CompletionRequest parse_completion_request(const Json& body);

}  // namespace gemba::serve
