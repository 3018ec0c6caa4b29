// Every GGUF gemba writes carries how the model is prompted and sampled
// (engine/serving-defaults.h): tokenizer.chat_template (the Jinja of the template it was trained
// with), gemba.chat_template, general.sampling.temp = 0 (greedy); HF directories carry
// generation_config.json. Checked on each writer: model init (GGUF and HF), export
// (convert_hf_to_gguf, with the template read from tokenizer_config.json) and quantize (merge
// shares quantize's add_missing_serving_metadata).
#include <gtest/gtest.h>

#include "core/json.h"
#include "engine-test-util.h"
#include "engine/convert-hf-to-gguf.h"
#include "engine/model-bundle.h"
#include "engine/quantize-gguf.h"
#include "engine/random-model.h"
#include "engine/serving-defaults.h"
#include "format/gguf.h"
#include "tokenizer/chat-template.h"

namespace gemba::engine {
namespace {

using format::GgmlType;
using testing::ScratchDir;
using tokenizer::ChatTemplate;

std::string key_string(const format::GgufFile& f, const std::string& key) {
  const auto* v = f.find(key);
  return v ? v->as_string(key) : "<missing>";
}

void expect_serving_metadata(const std::string& gguf, ChatTemplate t) {
  const auto f = format::GgufFile::open(gguf);
  EXPECT_EQ(key_string(f, "tokenizer.chat_template"), tokenizer::chat_template_jinja(t)) << gguf;
  EXPECT_EQ(key_string(f, "gemba.chat_template"), tokenizer::chat_template_name(t)) << gguf;
  ASSERT_NE(f.find("general.sampling.temp"), nullptr) << gguf;
  EXPECT_EQ(f.get_float("general.sampling.temp", -1), 0.0) << gguf;
  EXPECT_EQ(f.get_float("general.sampling.penalty_repeat", -1), 1.0) << gguf;
}

void write_tokenizer_config(const std::string& dir, const std::string& chat_template) {
  Json j = {{"tokenizer_class", "PreTrainedTokenizerFast"}, {"chat_template", chat_template}};
  write_json_file(dir + "/tokenizer_config.json", j);
}

TEST(ServingDefaults, ModelInitGgufAndHfDir) {
  ScratchDir dir;
  RandomModelOptions opt;
  opt.n_threads = 1;
  write_random_model(testing::tiny_config(4, 2, false), dir / "r.gguf", opt);
  expect_serving_metadata(dir / "r.gguf", ChatTemplate::kGembaPlain);
  write_random_model(testing::tiny_config(4, 2, false), dir / "hf", opt);
  const Json g = read_json_file(dir / "hf/generation_config.json");
  EXPECT_EQ(g.at("do_sample"), false);
  EXPECT_EQ(g.at("bos_token_id"), 1);
  EXPECT_EQ(g.at("eos_token_id"), 2);
  // The bundle gemba runs it with names the same template.
  const auto b = load_model_bundle(dir / "r.gguf", 1);
  ASSERT_TRUE(b.chat_template.has_value());
  EXPECT_EQ(*b.chat_template, ChatTemplate::kGembaPlain);
  EXPECT_EQ(b.recommended_temperature, std::optional<float>(0.0f));
  EXPECT_EQ(load_model_bundle(dir / "hf", 1).recommended_temperature, std::optional<float>(0.0f));
}

TEST(ServingDefaults, ExportTakesTheTemplateOfTheModelDirectory) {
  ScratchDir dir;
  RandomModelOptions opt;
  opt.n_threads = 1;
  write_random_model(testing::tiny_config(4, 2, false), dir / "hf", opt);
  // No tokenizer_config.json: sft trained with gemba's plain template.
  convert_hf_to_gguf(dir / "hf", dir / "plain.gguf", GgmlType::F32, 1);
  expect_serving_metadata(dir / "plain.gguf", ChatTemplate::kGembaPlain);
  // llm-jp-3's own template (its tokenizer_config.json): gemba's Jinja for the format gemba uses.
  write_tokenizer_config(dir / "hf",
                         "{{bos_token}}{% for message in messages %}{% if message['role'] == 'user' %}{{ '\\n\\n### 指示:\\n' + "
                         "message['content'] }}{% endif %}{% endfor %}");
  convert_hf_to_gguf(dir / "hf", dir / "llmjp.gguf", GgmlType::Q8_0, 1);
  expect_serving_metadata(dir / "llmjp.gguf", ChatTemplate::kLlmJp3);
  // A template gemba does not implement is the model's own: copied verbatim, no gemba name.
  const std::string chatml =
      "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>\\n'}}{% endfor %}";
  write_tokenizer_config(dir / "hf", chatml);
  convert_hf_to_gguf(dir / "hf", dir / "chatml.gguf", GgmlType::F32, 1);
  const auto f = format::GgufFile::open(dir / "chatml.gguf");
  EXPECT_EQ(key_string(f, "tokenizer.chat_template"), chatml);
  EXPECT_EQ(f.find("gemba.chat_template"), nullptr);
  EXPECT_EQ(f.get_float("general.sampling.temp", -1), 0.0);
}

TEST(ServingDefaults, QuantizeKeepsOrAddsTheKeys) {
  ScratchDir dir;
  RandomModelOptions opt;
  opt.n_threads = 1;
  write_random_model(testing::tiny_config(4, 2, false), dir / "hf", opt);
  write_tokenizer_config(dir / "hf", tokenizer::chat_template_jinja(ChatTemplate::kLlama2));
  convert_hf_to_gguf(dir / "hf", dir / "f32.gguf", GgmlType::F32, 1);
  quantize_gguf(dir / "f32.gguf", dir / "q8.gguf", GgmlType::Q8_0, 1);
  expect_serving_metadata(dir / "q8.gguf", ChatTemplate::kLlama2);  // copied, not replaced

  // A GGUF without the keys (written before gemba wrote them): quantize adds what gemba runs it with.
  {
    const auto in = format::GgufFile::open(dir / "f32.gguf");
    format::GgufWriter w(in.alignment());
    for (const auto& [k, v] : in.metadata())
      if (k != "general.alignment" && k != "tokenizer.chat_template" && k != "gemba.chat_template" &&
          k.rfind("general.sampling.", 0) != 0)
        w.set(k, v);
    for (const auto& t : in.tensors()) w.add_tensor(t.name, t.dims, t.type, t.data, t.n_bytes);
    w.write(dir / "bare.gguf");
  }
  ASSERT_EQ(format::GgufFile::open(dir / "bare.gguf").find("tokenizer.chat_template"), nullptr);
  quantize_gguf(dir / "bare.gguf", dir / "bare-q8.gguf", GgmlType::Q8_0, 1);
  expect_serving_metadata(dir / "bare-q8.gguf", ChatTemplate::kGembaPlain);
}

TEST(ServingDefaults, GenerationConfigIsGreedy) {
  format::ModelConfig c = testing::tiny_config(4, 4, false);
  c.pad_id = 3;
  const Json g = generation_config_json(c);
  EXPECT_EQ(g.at("do_sample"), false);
  EXPECT_EQ(g.at("pad_token_id"), 3);
  EXPECT_EQ(g.at("repetition_penalty"), 1.0);
}

}  // namespace
}  // namespace gemba::engine
