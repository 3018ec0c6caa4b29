// Runs the true/false test on a model with the engine.
//  * loglik: the chat-templated question, then the log-probability of each answer
//    ("正しい"/"誤り", "True"/"False"), summed over its tokens incl. the closing EOS; the
//    likelier answer is the prediction. No sampling: deterministic.
//  * recall: the model says what the manual says (greedy, one line; trained with
//    `gemba data statements --answer recall`); the statement is judged true when the recalled
//    sentence names the same values (eval/recall-grader.h). Deterministic. With an index the
//    model reads retrieved excerpts first (grounded) and quotes one: judged by eval/claim-check.h.
//  * generate: the model answers freely (greedy); a judge (OpenAI-compatible endpoint) or
//    the rule grader (eval/rule-grader.h) decides whether the answer is right.
// recall and generate answer many items at once (engine/batch-generator.h).
#pragma once
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "engine/model-bundle.h"
#include "data/claim-contrasts.h"
#include "eval/accuracy-report.h"
#include "eval/judge-client.h"
#include "eval/truefalse-set.h"
#include "index/grounded-prompt.h"
#include "index/passage-index.h"
#include "tokenizer/chat-template.h"

namespace gemba::eval {

struct TrueFalseOptions {
  std::string mode = "loglik";                 // loglik | recall | generate
  tokenizer::ChatTemplate chat_template = tokenizer::ChatTemplate::kGembaPlain;
  std::string system_prompt;                   // optional system message
  int64_t max_answer_tokens = 64;              // generate and recall modes
  int64_t n_parallel = 16;                     // generate and recall modes: items answered together
  std::optional<JudgeConfig> judge;            // generate mode; none: rule grader
  data::ClaimContrasts claim_contrasts;        // recall mode: values written as words (eval/recall-grader.h)
  // Grounded (recall mode with an index): each statement is asked with the manual excerpts
  // retrieval finds (index/grounded-prompt.h); the model quotes one and cites it, and the claim
  // checker (eval/claim-check.h) reads the statement against the quote.
  const index::PassageIndex* index = nullptr;
  index::GroundingOptions grounding;
};

struct TrueFalseRun {
  std::vector<ItemResult> results;
  std::vector<Json> judge_log;  // generate mode: prompt, raw reply, parse failures
  uint64_t unparsed = 0;        // answers neither grader could read (scored wrong)
};

// progress(done, n): after each scored item (loglik) or answered item (recall, generate).
TrueFalseRun run_truefalse(engine::ModelBundle& bundle, const std::vector<TrueFalseItem>& items,
                           const TrueFalseOptions& options, const std::function<void(size_t, size_t)>& progress = {});

// Sum of log-probabilities of `answer` as the assistant's reply to `question`.
double answer_logprob(engine::ModelBundle& bundle, tokenizer::ChatTemplate chat_template, const std::string& system_prompt,
                      const std::string& question, const std::string& answer);

}  // namespace gemba::eval
