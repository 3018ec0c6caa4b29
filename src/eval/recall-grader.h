// Reads the verdict off a recall answer ("The manual says: <sentence>", data/truefalse-format.h):
// the statement is judged true when the sentence the model recalled names the same values.
// A small model learns to write the manual's sentence with the value it remembers; it does not
// learn to turn that into a True/False token (docs/knowledge-experiments.md). So the model
// recalls and this rule compares, as a judge model would read "The manual says: ... 16k steps"
// as "false" for a statement saying 64k steps.
//
// Documented rule, on NFKC text:
//  * value tokens: maximal runs of ASCII letters and digits, joined by . , - / : between two of
//    them, that contain a digit ("64k", "RS-232C", "0.35", "P0-02", "x1") or are two or more
//    capital letters ("MENU");
//  * quoted phrases: the text inside 「」, 『』 or "".
// The texts agree when both have the same multiset of value tokens and every quoted phrase of
// either occurs (spaces ignored) in the other. Values written as plain words outside quotes
// ("momentary power failure") are not compared: a swap between two such values reads as agreeing.
#pragma once
#include <string>
#include <vector>

namespace gemba::eval {

struct RecallComparison {
  bool agrees = true;
  std::vector<std::string> only_in_statement;  // value tokens / quoted phrases the recall lacks
  std::vector<std::string> only_in_recall;     // ... and the other way round
};

RecallComparison compare_recall(const std::string& recalled, const std::string& statement);

// The value tokens of a text (the first rule above), in order; exposed for tests.
std::vector<std::string> value_tokens(const std::string& text);

}  // namespace gemba::eval
