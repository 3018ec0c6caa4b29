// An error a client caused (or the server's state, like a full queue), answered as OpenAI's
// error JSON {"error": {"message", "type", "param", "code"}} with an HTTP status.
#pragma once
#include <string>

#include "core/error.h"

namespace gemba::serve {

class ApiError : public Error {
 public:
  ApiError(int status, std::string type, const std::string& message, std::string param = {}, std::string code = {})
      : Error(message), status_(status), type_(std::move(type)), param_(std::move(param)), code_(std::move(code)) {}

  int status() const { return status_; }
  const std::string& type() const { return type_; }    // "invalid_request_error", ...
  const std::string& param() const { return param_; }  // the offending field, or empty
  const std::string& code() const { return code_; }    // "model_not_found", ..., or empty

 private:
  int status_;
  std::string type_, param_, code_;
};

// 400 invalid_request_error naming `param`.
[[noreturn]] inline void bad_request(const std::string& param, const std::string& message,
                                     const std::string& code = {}) {
  throw ApiError(400, "invalid_request_error", message, param, code);
}

}  // namespace gemba::serve
