// DPO pairs from a model's own mistakes (eval/mistake-pairs.h): the model's greedy answer to
// each training prompt becomes the rejected answer exactly when it names other values.
#include <gtest/gtest.h>

#include "core/json.h"
#include "engine/engine-test-util.h"
#include "engine/generator.h"
#include "engine/model-bundle.h"
#include "engine/random-model.h"
#include "eval/mistake-pairs.h"

namespace {

using namespace gemba;

data::Conversation conversation(const std::string& id, std::vector<tokenizer::ChatMessage> messages) {
  return {id, std::move(messages)};
}

// What the model says to `prompt`, generated the way test-time answers are (greedy, one line).
engine::GenerateResult greedy_answer(engine::ModelBundle& bundle, const std::string& prompt, const eval::MistakeMiningOptions& o) {
  engine::Generator generator(*bundle.model, *bundle.tokenizer);
  auto cache = bundle.model->new_cache(bundle.model->config().max_position);
  auto ids = tokenizer::encode_chat(*bundle.tokenizer, o.chat_template, {{"user", prompt}}, true).ids;
  engine::GenerateOptions gen;
  gen.max_new_tokens = o.max_answer_tokens;
  gen.sampling.temperature = 0;
  gen.stop = {"\n"};
  return generator.generate(cache, ids, gen);
}

TEST(MistakePairs, WhichAnswersAreMistakes) {
  const std::string reference = "The manual says: the ZX-10 runs at 3000 rpm on 200 V.";
  using eval::AnswerCheck;
  EXPECT_EQ(eval::check_answer("ZX-10: 200 V, 3000 rpm.", reference, false), AnswerCheck::kAgrees);  // any phrasing
  EXPECT_EQ(eval::check_answer("The ZX-10 runs at 4500 rpm on 200 V.", reference, false), AnswerCheck::kMistake);
  // Stopped by the length cap: missing values alone are not a mistake, another value is.
  EXPECT_EQ(eval::check_answer("The ZX-10 runs at 3000 rpm on", reference, true), AnswerCheck::kCutShort);
  EXPECT_EQ(eval::check_answer("The ZX-10 runs at 3000 rpm on", reference, false), AnswerCheck::kMistake);
  EXPECT_EQ(eval::check_answer("The ZX-10 runs at 4500 rpm on", reference, true), AnswerCheck::kMistake);
  EXPECT_EQ(eval::check_answer(" \n", reference, false), AnswerCheck::kEmpty);
}

TEST(MistakePairs, TheModelsWrongAnswerBecomesTheRejectedOne) {
  engine::testing::ScratchDir dir;
  engine::RandomModelOptions opt;
  opt.seed = 5;
  engine::write_random_model(engine::testing::tiny_config(4, 2, false), dir / "m.gguf", opt);
  auto bundle = engine::load_model_bundle(dir / "m.gguf", 1);
  eval::MistakeMiningOptions options;  // plain template, all prompts
  options.max_answer_tokens = 200;      // beyond the tiny model's 64-token context: never "cut short"
  const std::string prompt = "XY-10: 9 N?";
  const auto generated = greedy_answer(bundle, prompt, options);
  ASSERT_NE(generated.finish, engine::FinishReason::kLength);
  const std::string said = generated.text;
  ASSERT_NE(said.find_first_not_of(" \t"), std::string::npos) << "the test needs a model that says something";
  ASSERT_EQ(said.find("4242"), std::string::npos);

  const std::vector<data::Conversation> data = {
      // Trained to say 4242, says something else: a mistake.
      conversation("d.jsonl:1", {{"user", prompt}, {"assistant", "XY-10: 4242 N."}}),
      // Trained to say what it says: no pair.
      conversation("d.jsonl:2", {{"user", prompt}, {"assistant", said}}),
      // Not a single user/assistant exchange: not asked.
      conversation("d.jsonl:3", {{"system", "s"}, {"user", prompt}, {"assistant", "x 1"}}),
  };
  auto result = eval::mine_mistake_pairs(bundle, data, options);
  EXPECT_EQ(result.asked, 2u);
  EXPECT_EQ(result.agreed, 1u);
  EXPECT_EQ(result.not_single_turn, 1u);
  ASSERT_EQ(result.pairs.size(), 1u);
  const auto& pair = result.pairs[0];
  EXPECT_EQ(pair.id, "d.jsonl:1");
  EXPECT_EQ(pair.prompt, prompt);
  EXPECT_EQ(pair.chosen, data[0].messages[1].content);
  EXPECT_EQ(pair.rejected, said);
  EXPECT_NE(std::find(pair.differences.begin(), pair.differences.end(), "-4242"), pair.differences.end());

  // One JSON object per line in TRL's DPO fields.
  auto line = Json::parse(eval::mistake_pairs_to_jsonl(result.pairs));
  EXPECT_EQ(line.at("prompt"), prompt);
  EXPECT_EQ(line.at("chosen"), pair.chosen);
  EXPECT_EQ(line.at("rejected"), said);

  // Under a short length cap the same answer is cut short unless it already names another value.
  options.max_answer_tokens = 4;
  const auto short_answer = greedy_answer(bundle, prompt, options);
  const bool cut = eval::check_answer(short_answer.text, data[0].messages[1].content,
                                      short_answer.finish == engine::FinishReason::kLength) == eval::AnswerCheck::kCutShort;
  auto capped = eval::mine_mistake_pairs(bundle, {data[0]}, options);
  EXPECT_EQ(capped.cut_short, cut ? 1u : 0u);
  EXPECT_EQ(capped.pairs.size(), cut ? 0u : 1u);

  // A sample asks only that many prompts, the same ones for the same seed.
  options.max_prompts = 1;
  options.seed = 3;
  auto sample = eval::mine_mistake_pairs(bundle, data, options);
  EXPECT_EQ(sample.asked, 1u);
  EXPECT_EQ(eval::mine_mistake_pairs(bundle, data, options).pairs.size(), sample.pairs.size());
}

}  // namespace
