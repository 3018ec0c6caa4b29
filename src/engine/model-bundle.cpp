#include "engine/model-bundle.h"

#include <filesystem>

#include "core/json.h"
#include "core/log.h"
#include "format/gguf.h"

namespace gemba::engine {

std::optional<tokenizer::ChatTemplate> guess_chat_template(const std::string& jinja) {
  if (jinja.find("### 指示") != std::string::npos || jinja.find("### \\u6307\\u793a") != std::string::npos)
    return tokenizer::ChatTemplate::kLlmJp3;
  if (jinja.find("[INST]") != std::string::npos) return tokenizer::ChatTemplate::kLlama2;
  if (jinja.find("### Question") != std::string::npos) return tokenizer::ChatTemplate::kGembaPlain;
  return std::nullopt;
}

ModelBundle load_model_bundle(const std::string& path, int n_threads) {
  ModelBundle b;
  ModelWeights weights = ModelWeights::load(path);
  if (const format::GgufFile* g = weights.gguf()) {
    b.tokenizer = std::make_unique<tokenizer::Tokenizer>(tokenizer::Tokenizer::from_gguf(*g));
    if (const auto* v = g->find("tokenizer.ggml.add_bos_token")) b.add_bos = v->as_bool("tokenizer.ggml.add_bos_token");
    if (const auto* v = g->find("gemba.chat_template"))
      b.chat_template = tokenizer::parse_chat_template(v->as_string("gemba.chat_template"));
    else if (const auto* j = g->find("tokenizer.chat_template"))
      b.chat_template = guess_chat_template(j->as_string("tokenizer.chat_template"));
    if (g->find("general.sampling.temp"))
      b.recommended_temperature = static_cast<float>(g->get_float("general.sampling.temp", 0.0));
  } else {
    b.tokenizer = std::make_unique<tokenizer::Tokenizer>(tokenizer::Tokenizer::load(path));
    const std::string cfg = path + "/tokenizer_config.json";
    if (std::filesystem::exists(cfg)) {
      const Json j = read_json_file(cfg);
      b.add_bos = json_optional<bool>(j, "add_bos_token", true, cfg);
      if (j.contains("chat_template") && j["chat_template"].is_string())
        b.chat_template = guess_chat_template(j["chat_template"].get<std::string>());
    }
    const std::string gen = path + "/generation_config.json";
    if (std::filesystem::exists(gen)) {
      const Json j = read_json_file(gen);
      if (j.contains("do_sample"))  // transformers: greedy unless do_sample, then its temperature (default 1)
        b.recommended_temperature = json_require<bool>(j, "do_sample", gen) ? json_optional<float>(j, "temperature", 1.0f, gen) : 0.0f;
    }
  }
  if (b.tokenizer->bos_id() < 0) b.add_bos = false;
  if (static_cast<int64_t>(b.tokenizer->vocab_size()) > weights.config.vocab_size)
    fail(path, ": the tokenizer has ", b.tokenizer->vocab_size(), " tokens but the model only ", weights.config.vocab_size,
         " embedding rows");
  b.model = std::make_unique<LlamaModel>(std::move(weights), n_threads);
  return b;
}

}  // namespace gemba::engine
