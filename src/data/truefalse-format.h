// How a true/false knowledge question is put to a model, in ONE place: the evaluator asks
// it this way, and training data that teaches the answer format (built from FAQ pairs only,
// never from the test set) uses the same words.
#pragma once
#include <string>

namespace gemba::data {

struct TrueFalseWording {
  std::string question_suffix;  // appended on a new line after the statement
  std::string answer_true;      // the assistant's answer when the statement is true
  std::string answer_false;
  // A recall answer (truefalse_recall_answer) starts with this and then says what the manual
  // says, in one sentence.
  std::string recall_lead;      // "The manual says: "
};

// "ja" or "en"; any other language code, or "", is guessed from the statement's script.
TrueFalseWording truefalse_wording(const std::string& lang, const std::string& statement);

// The user message for a statement: "<statement>\n<question_suffix>".
std::string truefalse_question(const std::string& statement, const TrueFalseWording& wording);

// "<recall_lead><recalled>": the answer that states the fact instead of a verdict. A small
// model learns to write out the manual's sentence (a copy of the statement with the value it
// remembers), where it does not learn to turn a remembered value into a True/False token (see
// docs/knowledge-experiments.md, "Recall instead of a verdict"); eval/recall-grader.h reads the
// verdict off the recalled values.
std::string truefalse_recall_answer(const TrueFalseWording& wording, const std::string& recalled);

}  // namespace gemba::data
