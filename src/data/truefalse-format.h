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
};

// "ja" or "en"; any other language code, or "", is guessed from the statement's script.
TrueFalseWording truefalse_wording(const std::string& lang, const std::string& statement);

// The user message for a statement: "<statement>\n<question_suffix>".
std::string truefalse_question(const std::string& statement, const TrueFalseWording& wording);

}  // namespace gemba::data
