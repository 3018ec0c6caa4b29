// Reads the verdict off a recall answer ("The manual says: <sentence>", data/truefalse-format.h):
// the statement is judged true when the sentence the model recalled names the same values.
// A small model learns to write the manual's sentence with the value it remembers; it does not
// learn to turn that into a True/False token (docs/knowledge-experiments.md). So the model
// recalls and this rule compares, as a judge model would read "The manual says: ... 16k steps"
// as "false" for a statement saying 64k steps.
//
// Documented rule, on NFKC text:
//  * value tokens (data/value-tokens.h): maximal runs of ASCII letters and digits, joined by
//    . , - / : between two of them, that contain a digit ("64k", "RS-232C", "0.35", "P0-02",
//    "x1") or are two or more capital letters ("MENU");
//  * quoted phrases: the text inside 「」, 『』 or "".
//  * with claim contrasts (data/claim-contrasts.h, `gemba data statements --contrasts-output`):
//    values written as words, in sets of phrases that fill the same slot for different products
//    ("overload" / "overspeed" / "ground fault").
// The texts agree when both have the same multiset of value tokens, every quoted phrase of
// either occurs (spaces ignored) in the other, and the statement names no phrase of a contrast
// set when the recall names another phrase of that set instead. Without contrasts, values
// written as plain words outside quotes are not compared: "AL.66 means overspeed" reads as
// agreeing with a recall of "AL.66 for overload".
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "data/claim-contrasts.h"
#include "data/value-tokens.h"

namespace gemba::eval {

struct RecallComparison {
  bool agrees = true;
  std::vector<std::string> only_in_statement;  // value tokens / quoted phrases the recall lacks
  std::vector<std::string> only_in_recall;     // ... and the other way round
};

RecallComparison compare_recall(const std::string& recalled, const std::string& statement,
                                const data::ClaimContrasts& contrasts = {});

// The stricter reading, for a test item that has a reference answer ("False. Correct statement:
// The program capacity of the ZCP-110 is 8k steps."): does the recall name every value token and
// quoted phrase of the reference? The verdict alone gives credit for any recall that differs from
// a false statement, including one about another attribute ("ZCP-110 P0-02 default: 20 ms" for a
// question on I/O points); a judge with the reference would not. nullopt when the reference names
// no values ("False."): then only the verdict can be graded.
std::optional<bool> recall_names_reference(const std::string& recalled, const std::string& reference,
                                           const data::ClaimContrasts& contrasts = {});

// The value tokens of a text (the first rule above), in order.
using data::value_tokens;

}  // namespace gemba::eval
