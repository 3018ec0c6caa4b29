#include "engine/serving-defaults.h"

#include <filesystem>

#include "core/log.h"
#include "engine/model-bundle.h"
#include "format/gguf.h"
#include "format/model-config.h"

namespace gemba::engine {

ChatTemplateChoice chat_template_choice(tokenizer::ChatTemplate t) { return {t, tokenizer::chat_template_jinja(t)}; }

ChatTemplateChoice chat_template_of_hf_dir(const std::string& dir) {
  const std::string cfg = dir + "/tokenizer_config.json";
  if (std::filesystem::exists(cfg)) {
    const Json j = read_json_file(cfg);
    std::string jinja;
    if (j.contains("chat_template") && j["chat_template"].is_string()) {
      jinja = j["chat_template"].get<std::string>();
    } else if (j.contains("chat_template") && j["chat_template"].is_array()) {  // [{name, template}, ...]
      for (const auto& t : j["chat_template"])
        if (t.is_object() && t.value("name", "") == "default" && t.contains("template") && t["template"].is_string())
          jinja = t["template"].get<std::string>();
    }
    if (!jinja.empty()) {
      if (const auto t = guess_chat_template(jinja)) return chat_template_choice(*t);
      return {std::nullopt, jinja};
    }
  }
  return chat_template_choice(tokenizer::ChatTemplate::kGembaPlain);
}

void write_serving_metadata(format::GgufWriter& writer, const ChatTemplateChoice& chat) {
  writer.set_string("tokenizer.chat_template", chat.jinja);
  if (chat.gemba) writer.set_string("gemba.chat_template", tokenizer::chat_template_name(*chat.gemba));
  // llama.cpp (common_params_sampling defaults from general.sampling.*, 2025-11 on) reads these
  // when the user gives no flag; temp 0 is greedy there as in gemba.
  writer.set_f32("general.sampling.temp", kRecommendedSampling.temperature);
  writer.set_f32("general.sampling.penalty_repeat", kRecommendedSampling.repeat_penalty);
}

void add_missing_serving_metadata(format::GgufWriter& writer, const format::GgufFile& in) {
  // A file that carries a template was packaged deliberately (by gemba or by its author): keep it.
  if (in.find("tokenizer.chat_template")) return;
  auto t = tokenizer::ChatTemplate::kGembaPlain;
  if (const auto* v = in.find("gemba.chat_template")) t = tokenizer::parse_chat_template(v->as_string("gemba.chat_template"));
  log_info(in.path(), ": no tokenizer.chat_template; writing gemba's ", tokenizer::chat_template_name(t),
           " template and greedy sampling (what gemba runs this file with)");
  write_serving_metadata(writer, chat_template_choice(t));
}

Json generation_config_json(const format::ModelConfig& config) {
  Json j;
  if (config.bos_id >= 0) j["bos_token_id"] = config.bos_id;
  if (config.eos_id >= 0) j["eos_token_id"] = config.eos_id;
  if (config.pad_id >= 0) j["pad_token_id"] = config.pad_id;
  j["do_sample"] = kRecommendedSampling.temperature > 0;
  j["repetition_penalty"] = kRecommendedSampling.repeat_penalty;
  return j;
}

}  // namespace gemba::engine
