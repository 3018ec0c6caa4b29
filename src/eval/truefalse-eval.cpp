#include "eval/truefalse-eval.h"

#include <algorithm>
#include <cmath>

#include "core/error.h"
#include "data/truefalse-format.h"
#include "engine/batch-generator.h"
#include "eval/claim-check.h"
#include "eval/recall-grader.h"
#include "eval/retrieval-rule.h"
#include "eval/rule-grader.h"
#include "eval/token-logprob.h"

namespace gemba::eval {
namespace {

using tokenizer::ChatMessage;

std::vector<ChatMessage> question_messages(const std::string& system_prompt, const std::string& question) {
  std::vector<ChatMessage> messages;
  if (!system_prompt.empty()) messages.push_back({"system", system_prompt});
  messages.push_back({"user", question});
  return messages;
}

// Scores answers after one shared prompt: the prompt (but its last token) is run once; each
// answer then runs [last prompt token, answer tokens...] on the truncated cache, so the
// logits that predict every answer token come out of one pass.
class AnswerScorer {
 public:
  AnswerScorer(engine::ModelBundle& bundle, int64_t n_ctx) : bundle_(bundle), cache_(bundle.model->new_cache(n_ctx)) {}

  std::vector<double> score(tokenizer::ChatTemplate t, const std::vector<ChatMessage>& prompt_messages,
                            const std::vector<std::string>& answers) {
    const auto& tok = *bundle_.tokenizer;
    auto prompt = tokenizer::encode_chat(tok, t, prompt_messages, /*add_generation_prompt=*/true).ids;
    if (prompt.empty()) fail("true/false eval: the chat template produced an empty prompt");
    const size_t keep = prompt.size() - 1;
    // Items share the template's opening tokens: keep what the cache already holds of it.
    const int64_t reuse = std::min<int64_t>(cache_.common_prefix(prompt), static_cast<int64_t>(keep));
    cache_.truncate(reuse);
    if (static_cast<int64_t>(keep) > reuse)
      bundle_.model->forward(cache_, std::span<const int32_t>(prompt.data() + reuse, keep - reuse));
    std::vector<double> scores;
    for (const auto& answer : answers) {
      auto messages = prompt_messages;
      messages.push_back({"assistant", answer});
      auto full = tokenizer::encode_chat(tok, t, messages, /*add_generation_prompt=*/false).ids;
      if (full.size() <= prompt.size() || !std::equal(prompt.begin(), prompt.end(), full.begin()))
        fail("true/false eval: the chat template's training sequence does not extend its generation prompt; "
             "use another --template");
      cache_.truncate(static_cast<int64_t>(keep));
      std::span<const int32_t> run(full.data() + keep, full.size() - keep);
      if (cache_.n_past() + static_cast<int64_t>(run.size()) > cache_.capacity())
        fail("true/false eval: a question of ", full.size(), " tokens exceeds the context (", cache_.capacity(), ")");
      auto logits = bundle_.model->forward(cache_, run, /*all_logits=*/true);
      const int64_t vocab = bundle_.model->vocab_size();
      double total = 0;
      for (size_t j = 0; j + 1 < run.size(); ++j) total += log_prob_of(logits.data() + j * vocab, vocab, run[j + 1]);
      scores.push_back(total);
    }
    cache_.truncate(static_cast<int64_t>(keep));
    return scores;
  }

 private:
  engine::ModelBundle& bundle_;
  engine::KvCache cache_;
};

int64_t eval_context(const engine::ModelBundle& bundle) { return std::min<int64_t>(bundle.model->config().max_position, 2048); }

// A grounded answer: "<recall lead><quote> [k]", or that the excerpts do not say. The statement
// is true when the quote supports it; identifiers may stand in the cited excerpt's passage.
void grade_grounded(const std::string& answer, const TrueFalseItem& item, const data::TrueFalseWording& wording,
                    const index::Grounding& grounding, const TrueFalseOptions& options, ItemResult& r) {
  r.answer = answer;
  std::string quote = index::strip_citations(answer);
  if (quote.rfind(wording.recall_lead, 0) == 0) quote = quote.substr(wording.recall_lead.size());
  std::string context;
  for (size_t k : index::cited_excerpts(answer, grounding.excerpts.size())) {
    const index::Passage& p = grounding.excerpts[k - 1].passage;
    context += index::section_path_text(p.section) + "\n" + p.text + "\n";
  }
  ClaimCheck check = check_claim(item.statement, quote, options.claim_contrasts, context);
  r.predicted = check.supported;
  r.correct = r.predicted == item.label;
  r.verdict = check.supported ? "supported" : "not supported:";
  for (const auto& m : check.missing) r.verdict += " -" + m;
  for (const auto& c : check.contradicted) r.verdict += " !" + c;
  if (!item.reference_answer.empty()) {
    ClaimCheck names = check_claim(item.reference_answer, quote, options.claim_contrasts, context);
    if (names.claim_values > 0) r.names_reference = names.missing.empty();
  }
  std::vector<index::SearchHit> hits;
  for (const auto& e : grounding.excerpts) hits.push_back({e.passage, 0});
  r.source_retrieved = source_retrieved(hits, item.source);
}

}  // namespace

double answer_logprob(engine::ModelBundle& bundle, tokenizer::ChatTemplate chat_template, const std::string& system_prompt,
                      const std::string& question, const std::string& answer) {
  AnswerScorer scorer(bundle, eval_context(bundle));
  return scorer.score(chat_template, question_messages(system_prompt, question), {answer})[0];
}

TrueFalseRun run_truefalse(engine::ModelBundle& bundle, const std::vector<TrueFalseItem>& items,
                           const TrueFalseOptions& options, const std::function<void(size_t, size_t)>& progress) {
  if (options.mode != "loglik" && options.mode != "generate" && options.mode != "recall")
    fail("--mode ", options.mode, ": use loglik, recall or generate");
  if (options.index && options.mode != "recall") fail("an index grounds recall answers: use --mode recall with --index (got ", options.mode, ")");
  std::vector<data::TrueFalseWording> wordings;
  std::vector<std::vector<ChatMessage>> questions;
  std::vector<index::Grounding> groundings(items.size());
  for (size_t i = 0; i < items.size(); ++i) {
    const auto& item = items[i];
    wordings.push_back(data::truefalse_wording(item.lang, item.statement));
    std::string question = data::truefalse_question(item.statement, wordings.back());
    if (options.index) {
      groundings[i] = index::ground(question, *options.index, options.grounding);
      question = index::grounded_user_message(question, groundings[i]);
    }
    questions.push_back(question_messages(options.system_prompt, question));
  }

  // recall and generate: every item's answer first, greedy (deterministic), many at once.
  std::vector<engine::GenerateResult> answers;
  if (options.mode != "loglik") {
    std::vector<engine::GenerationRequest> requests(items.size());
    for (size_t i = 0; i < items.size(); ++i) {
      requests[i].prompt = tokenizer::encode_chat(*bundle.tokenizer, options.chat_template, questions[i], true).ids;
      requests[i].options.max_new_tokens = options.max_answer_tokens;
      requests[i].options.sampling.temperature = 0;
      if (options.mode == "recall") requests[i].options.stop = {"\n"};  // one recalled line
    }
    answers = engine::generate_batch(*bundle.model, *bundle.tokenizer, requests, {options.n_parallel}, progress);
  }

  TrueFalseRun run;
  std::optional<AnswerScorer> scorer;
  if (options.mode == "loglik") scorer.emplace(bundle, eval_context(bundle));
  std::optional<JudgeClient> judge;
  if (options.judge) judge.emplace(*options.judge);
  for (size_t i = 0; i < items.size(); ++i) {
    const auto& item = items[i];
    const auto& wording = wordings[i];
    ItemResult r;
    r.item = item;
    if (options.mode == "loglik") {
      auto scores = scorer->score(options.chat_template, questions[i], {wording.answer_true, wording.answer_false});
      r.logp_true = scores[0];
      r.logp_false = scores[1];
      r.predicted = r.logp_true > r.logp_false;
      r.correct = r.predicted == item.label;
      if (progress) progress(i + 1, items.size());
    } else if (options.mode == "recall" && options.index) {
      grade_grounded(answers[i].text, item, wording, groundings[i], options, r);
    } else if (options.mode == "recall") {
      // The model said what the manual says, in one line; the verdict is read off the values
      // it recalls (eval/recall-grader.h). A model that never learned to recall writes
      // something else, which mostly disagrees: "false" for every item, ~50% on a balanced set.
      r.answer = answers[i].text;
      std::string recalled = r.answer;
      if (recalled.rfind(wording.recall_lead, 0) == 0) recalled = recalled.substr(wording.recall_lead.size());
      auto comparison = compare_recall(recalled, item.statement, options.claim_contrasts);
      r.predicted = comparison.agrees;
      r.correct = r.predicted == item.label;
      r.verdict = comparison.agrees ? "agrees" : "differs:";
      for (const auto& v : comparison.only_in_statement) r.verdict += " -" + v;
      for (const auto& v : comparison.only_in_recall) r.verdict += " +" + v;
      r.names_reference = recall_names_reference(recalled, item.reference_answer, options.claim_contrasts);
    } else {
      r.answer = answers[i].text;
      if (judge) {
        auto v = judge->judge(item.statement, item.label, item.reference_answer, r.answer);
        run.judge_log.push_back({{"id", item.id}, {"prompt", v.prompt}, {"reply", v.raw_reply}, {"error", v.error},
                                 {"parsed", v.correct.has_value()}});
        r.verdict = v.correct ? (*v.correct ? "CORRECT" : "INCORRECT") : "UNPARSED";
        r.correct = v.correct.value_or(false);
        r.predicted = r.correct ? item.label : !item.label;
        if (!v.correct) ++run.unparsed;
      } else {
        const std::optional<bool> verdict = grade_answer_by_rule(r.answer);
        r.verdict = verdict ? (*verdict ? "says true" : "says false") : "unparsed";
        r.predicted = verdict.value_or(!item.label);
        r.correct = verdict.has_value() && *verdict == item.label;
        if (!verdict) ++run.unparsed;
      }
    }
    run.results.push_back(std::move(r));
  }
  return run;
}

}  // namespace gemba::eval
