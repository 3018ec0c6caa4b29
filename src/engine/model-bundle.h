// Everything a verb needs to run a model file: the model (weights + thread pool), its
// tokenizer, whether prompts start with BOS, and the chat template its metadata names.
// From a .gguf file (tokenizer.ggml.* keys) or an HF directory (tokenizer.json /
// tokenizer_config.json).
#pragma once
#include <memory>
#include <optional>
#include <string>

#include "engine/llama-model.h"
#include "tokenizer/chat-template.h"
#include "tokenizer/tokenizer.h"

namespace gemba::engine {

struct ModelBundle {
  std::unique_ptr<LlamaModel> model;
  std::unique_ptr<tokenizer::Tokenizer> tokenizer;
  bool add_bos = true;
  // From GGUF "gemba.chat_template" or recognized in a Jinja chat_template; empty if unknown.
  std::optional<tokenizer::ChatTemplate> chat_template;
  // The file's recommended temperature (GGUF general.sampling.temp; HF generation_config.json:
  // 0 when do_sample is false), for verbs whose user gave none; empty if the file says nothing.
  std::optional<float> recommended_temperature;
};

// n_threads <= 0: all hardware threads.
ModelBundle load_model_bundle(const std::string& path, int n_threads);

// Recognizes the templates gemba implements in a Jinja chat_template string.
std::optional<tokenizer::ChatTemplate> guess_chat_template(const std::string& jinja);

}  // namespace gemba::engine
