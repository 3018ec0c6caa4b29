// A judge model behind any OpenAI-compatible chat endpoint (a cloud model where that is
// allowed, or a larger local model behind `gemba serve`) decides whether a free-form answer
// to a true/false statement is correct, given the reference answer.
#pragma once
#include <optional>
#include <string>

namespace gemba::eval {

struct JudgeConfig {
  std::string url;                        // e.g. http://127.0.0.1:8080/v1
  std::string model;                      // the judge's model name
  std::string api_key_env = "OPENAI_API_KEY";  // read from the environment, never a flag
  double timeout_s = 60;
};

struct JudgeVerdict {
  std::optional<bool> correct;  // nullopt: the judge's reply could not be parsed
  std::string prompt;           // what was sent (saved for audit)
  std::string raw_reply;        // what came back
  std::string error;            // transport/HTTP error, if any
};

class JudgeClient {
 public:
  explicit JudgeClient(JudgeConfig config);
  JudgeVerdict judge(const std::string& statement, bool label, const std::string& reference_answer,
                     const std::string& model_answer) const;

  // The prompt text for one item (exposed for tests and for the saved audit trail).
  static std::string build_prompt(const std::string& statement, bool label, const std::string& reference_answer,
                                  const std::string& model_answer);
  // Reads "CORRECT" / "INCORRECT" from the judge's reply.
  static std::optional<bool> parse_reply(const std::string& reply);

 private:
  JudgeConfig config_;
};

}  // namespace gemba::eval
