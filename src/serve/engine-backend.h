// The real model behind the server: gemba's engine (mmap'd GGUF/HF weights, batched decode)
// with its tokenizer, chat template and seeded sampler. Every sequence owns a KV cache of
// --ctx tokens; one decode() call runs all active sequences through LlamaModel::decode_batch,
// i.e. one pass over the weights per step for the whole batch.
// Adapters (--lora NAME=FILE[:scale]): each is listed as its own model id next to the base;
// a request's "model" picks one, and sequences of different adapters still decode in one
// batched pass (engine::LoraRouter applies each row's adapter unmerged).
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "serve/backend.h"

namespace gemba::serve {

struct EngineBackendOptions {
  std::string model_path;          // .gguf file or HF directory (with tokenizer.json)
  std::string tokenizer_path;      // empty: from the model
  std::string chat_template;       // "llm-jp-3", "llama-2", "plain"; empty: the model's, else plain
  std::string model_id;            // empty: the model file's name without extension
  int context_length = 0;          // <= 0: the model's
  int threads = 0;                 // <= 0: all hardware threads
  std::vector<std::string> loras;  // "NAME=FILE[:scale]": adapter NAME over the base model
};

class EngineBackend : public Backend {
 public:
  // Loads the model; throws gemba::Error naming the file on a bad model or tokenizer.
  explicit EngineBackend(const EngineBackendOptions& options);
  ~EngineBackend() override;

  std::vector<ModelEntry> models() const override;
  int context_length() const override;
  std::vector<int32_t> encode_chat(const std::vector<ChatMessage>& messages) const override;
  std::vector<int32_t> encode_prompt(const std::string& text) const override;
  std::unique_ptr<Sequence> prefill(const std::string& model, const std::vector<int32_t>& prompt,
                                    const SamplingParams& params) override;
  void decode(const std::vector<Sequence*>& batch, std::vector<int32_t>& next_tokens) override;
  bool is_end(int32_t token) const override;
  std::string token_bytes(int32_t token, bool first) const override;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace gemba::serve
