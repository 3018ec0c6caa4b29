// How a model gemba writes should be prompted and sampled, carried inside the model files so
// llama.cpp, ollama and transformers run it as gemba does (docs/llama-cpp-compat.md):
//   GGUF: tokenizer.chat_template (Jinja), gemba.chat_template (gemba's name for it) and
//         general.sampling.* (llama.cpp reads these as its defaults when no flag is given);
//   HF:   generation_config.json (do_sample false);
//   ollama: a Modelfile beside an export (TEMPLATE in ollama's Go syntax, PARAMETERs).
// gemba recommends greedy decoding: an FAQ answer should be the trained answer, not a sample
// of it (issue 31 found sampled answers at temperature 1.0 corrupted).
#pragma once
#include <optional>
#include <string>

#include "core/json.h"
#include "tokenizer/chat-template.h"

namespace gemba::format {
class GgufFile;
class GgufWriter;
struct ModelConfig;
}  // namespace gemba::format

namespace gemba::engine {

struct RecommendedSampling {
  float temperature = 0.0f;     // greedy
  float repeat_penalty = 1.0f;  // off, as gemba's sampler defaults (ollama's default is 1.1)
};
inline constexpr RecommendedSampling kRecommendedSampling{};

// The chat template a model file carries.
struct ChatTemplateChoice {
  std::optional<tokenizer::ChatTemplate> gemba;  // set when gemba implements it
  std::string jinja;                              // tokenizer.chat_template
};
ChatTemplateChoice chat_template_choice(tokenizer::ChatTemplate t);

// The template an HF model directory was trained with, by the rule sft applies: its
// tokenizer_config.json's chat_template (gemba's own Jinja when it is a template gemba
// implements, copied verbatim when not), else gemba's plain template.
ChatTemplateChoice chat_template_of_hf_dir(const std::string& dir);

// Writes tokenizer.chat_template, gemba.chat_template (when gemba implements it) and the
// recommended general.sampling.* keys into a GGUF being written.
void write_serving_metadata(format::GgufWriter& writer, const ChatTemplateChoice& chat);

// For GGUF -> GGUF writers (quantize, merge) that copy `in`'s metadata: adds the keys above
// that `in` lacks, with the template gemba itself would use for `in` (gemba.chat_template,
// else a recognized tokenizer.chat_template, else plain). Existing keys are kept as they are.
void add_missing_serving_metadata(format::GgufWriter& writer, const format::GgufFile& in);

// generation_config.json for an HF model directory: special ids and greedy decoding.
Json generation_config_json(const format::ModelConfig& config);

}  // namespace gemba::engine
