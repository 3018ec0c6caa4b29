// OpenAI's wire format: chat.completion / text_completion responses, their streaming chunks
// as server-sent events (each `data: {json}\n\n`, the stream ending with `data: [DONE]`),
// the model list, and the error object.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "core/json.h"
#include "serve/api-error.h"
#include "serve/backend.h"

namespace gemba::serve {

inline constexpr const char* kSseDone = "data: [DONE]\n\n";

struct Usage {
  int prompt_tokens = 0;
  int completion_tokens = 0;
};

// {"error": {"message", "type", "param", "code"}}; empty param/code become null.
Json error_json(const ApiError& error);
Json usage_json(const Usage& usage);

// A fresh id: "chatcmpl-<24 hex>" or "cmpl-<24 hex>".
std::string new_response_id(const std::string& prefix);
int64_t unix_time_now();

// finish_reason is "stop" or "length".
Json chat_completion_json(const std::string& id, const std::string& model, int64_t created,
                          const std::string& text, const std::string& finish_reason, const Usage& usage);
Json text_completion_json(const std::string& id, const std::string& model, int64_t created,
                          const std::string& text, const std::string& finish_reason, const Usage& usage);

// Streaming chunks. A chat stream starts with a chunk whose delta is {"role": "assistant",
// "content": ""}; content chunks carry {"content": text}; the last has an empty delta and the
// finish_reason (empty finish_reason = null).
Json chat_chunk_json(const std::string& id, const std::string& model, int64_t created, const Json& delta,
                     const std::string& finish_reason);
Json text_chunk_json(const std::string& id, const std::string& model, int64_t created, const std::string& text,
                     const std::string& finish_reason);
// The final usage chunk (stream_options.include_usage): "choices": [] and "usage".
Json usage_chunk_json(const std::string& id, const std::string& object, const std::string& model, int64_t created,
                      const Usage& usage);

// "data: <compact json>\n\n" (invalid UTF-8 replaced, never thrown).
std::string sse_event(const Json& payload);
// Compact JSON text (invalid UTF-8 replaced).
std::string dump_json(const Json& value);

Json models_json(const std::vector<ModelEntry>& models, int64_t created);

}  // namespace gemba::serve
