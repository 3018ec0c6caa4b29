// DPO pairs from the model's own mistakes (on-policy negatives).
//
// The SFT model answers its own training prompts greedily, exactly as it answers at test time.
// Where its answer names other values than the training answer (numbers, codes, quoted
// phrases: eval/recall-grader.h), the pair (prompt, chosen = the training answer, rejected =
// what it said) goes to DPO. The mined pairs (an FAQ's most similar other answer, a statement
// with another product's value) are negatives the model mostly ranks right already; DPO on them
// lowered the demo's test accuracy. These pairs are the errors the model makes: on the demo
// (docs/knowledge-experiments.md, session 12) they were 561 of 8038 training statements,
// mostly a false statement's value copied back instead of the manual's.
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "data/chat-data.h"
#include "engine/model-bundle.h"
#include "tokenizer/chat-template.h"

namespace gemba::eval {

struct MistakeMiningOptions {
  tokenizer::ChatTemplate chat_template = tokenizer::ChatTemplate::kGembaPlain;
  int64_t max_answer_tokens = 160;  // a recalled manual sentence fits
  size_t max_prompts = 0;           // 0: ask every prompt; else a sample of this many, drawn by `seed`
  uint64_t seed = 0;
  int64_t n_parallel = 16;          // prompts answered together (engine/batch-generator.h)
};

struct MistakePair {
  std::string id;        // the conversation's "<file>:<line>"
  std::string prompt;    // the user turn
  std::string chosen;    // the training answer
  std::string rejected;  // the model's greedy answer
  std::vector<std::string> differences;  // "-v": a value only the training answer names; "+v": only the model's
};

struct MistakeMiningResult {
  std::vector<MistakePair> pairs;
  size_t asked = 0;           // prompts the model answered
  size_t agreed = 0;          // ... naming the training answer's values
  size_t cut_short = 0;       // stopped by the length cap before naming them all, naming no other: no pair
  size_t empty_answers = 0;   // mistakes with nothing to reject (the model said nothing)
  size_t not_single_turn = 0; // conversations skipped: not exactly one user and one assistant turn
};

// How one answer to a training prompt counts.
enum class AnswerCheck {
  kAgrees,    // names the training answer's values (eval/recall-grader.h)
  kCutShort,  // stopped by the length cap before naming them all, naming no other value
  kEmpty,     // nothing but white space: nothing to reject
  kMistake,   // names other values, or misses some and stopped by itself
};
AnswerCheck check_answer(const std::string& answer, const std::string& reference, bool stopped_by_length_cap);

// progress(done, total) after each answered prompt.
MistakeMiningResult mine_mistake_pairs(engine::ModelBundle& bundle, const std::vector<data::Conversation>& conversations,
                                       const MistakeMiningOptions& options,
                                       const std::function<void(size_t, size_t)>& progress = {});

// TRL's DPO format, one JSON object per line: prompt, chosen, rejected (+ id, differences).
std::string mistake_pairs_to_jsonl(const std::vector<MistakePair>& pairs);

}  // namespace gemba::eval
