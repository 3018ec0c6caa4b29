#include "eval/mistake-pairs.h"

#include "core/json.h"
#include "core/shuffle.h"
#include "engine/batch-generator.h"
#include "eval/recall-grader.h"

namespace gemba::eval {

namespace {

AnswerCheck check_compared_answer(const RecallComparison& comparison, const std::string& answer, bool stopped_by_length_cap) {
  if (comparison.agrees) return AnswerCheck::kAgrees;
  if (stopped_by_length_cap && comparison.only_in_recall.empty()) return AnswerCheck::kCutShort;
  if (answer.find_first_not_of(" \t\n") == std::string::npos) return AnswerCheck::kEmpty;
  return AnswerCheck::kMistake;
}

}  // namespace

AnswerCheck check_answer(const std::string& answer, const std::string& reference, bool stopped_by_length_cap) {
  return check_compared_answer(compare_recall(answer, reference), answer, stopped_by_length_cap);
}

MistakeMiningResult mine_mistake_pairs(engine::ModelBundle& bundle, const std::vector<data::Conversation>& conversations,
                                       const MistakeMiningOptions& options,
                                       const std::function<void(size_t, size_t)>& progress) {
  MistakeMiningResult result;
  std::vector<const data::Conversation*> asked;
  for (const auto& c : conversations) {
    const bool single_turn = c.messages.size() == 2 && c.messages[0].role == "user" && c.messages[1].role == "assistant";
    if (single_turn) asked.push_back(&c);
    else ++result.not_single_turn;
  }
  if (options.max_prompts > 0 && asked.size() > options.max_prompts) {
    std::vector<const data::Conversation*> sample;
    for (uint64_t i : shuffled_indices(asked.size(), options.seed)) {
      sample.push_back(asked[i]);
      if (sample.size() == options.max_prompts) break;
    }
    asked = std::move(sample);
  }

  // Every prompt as a request, answered greedily as at test time, many at once.
  std::vector<engine::GenerationRequest> requests(asked.size());
  for (size_t i = 0; i < asked.size(); ++i) {
    const auto& c = *asked[i];
    auto& r = requests[i];
    r.prompt = tokenizer::encode_chat(*bundle.tokenizer, options.chat_template, {{"user", c.messages[0].content}}, true).ids;
    r.options.max_new_tokens = options.max_answer_tokens;
    r.options.sampling.temperature = 0;  // the answer the model gives at test time
    if (c.messages[1].content.find('\n') == std::string::npos) r.options.stop = {"\n"};
  }
  const auto answers = engine::generate_batch(*bundle.model, *bundle.tokenizer, requests, {options.n_parallel}, progress);

  for (size_t i = 0; i < asked.size(); ++i) {
    const auto& c = *asked[i];
    const std::string& prompt = c.messages[0].content;
    const std::string& reference = c.messages[1].content;
    const std::string& answer = answers[i].text;
    ++result.asked;
    const RecallComparison comparison = compare_recall(answer, reference);
    switch (check_compared_answer(comparison, answer, answers[i].finish == engine::FinishReason::kLength)) {
      case AnswerCheck::kAgrees: ++result.agreed; break;
      case AnswerCheck::kCutShort: ++result.cut_short; break;
      case AnswerCheck::kEmpty: ++result.empty_answers; break;
      case AnswerCheck::kMistake: {
        MistakePair pair{c.id, prompt, reference, answer, {}};
        for (const auto& v : comparison.only_in_recall) pair.differences.push_back("+" + v);
        for (const auto& v : comparison.only_in_statement) pair.differences.push_back("-" + v);
        result.pairs.push_back(std::move(pair));
        break;
      }
    }
  }
  return result;
}

std::string mistake_pairs_to_jsonl(const std::vector<MistakePair>& pairs) {
  std::string out;
  for (const auto& p : pairs)
    out += Json{{"prompt", p.prompt}, {"chosen", p.chosen}, {"rejected", p.rejected}, {"id", p.id}, {"differences", p.differences}}
               .dump() +
           "\n";
  return out;
}

}  // namespace gemba::eval
