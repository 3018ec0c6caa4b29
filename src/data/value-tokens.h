// The values a sentence states, read the same way wherever gemba compares facts: the recall
// grader (eval/recall-grader.h) and the statement miner's search for other phrasings of a fact
// (data/statement-mining.h).
//
// Rule, on NFKC text: maximal runs of ASCII letters and digits, joined by . , - / : between
// two of them, that contain a digit ("64k", "RS-232C", "0.35", "P0-02", "x1") or are two or
// more capital letters ("MENU").
#pragma once
#include <string>
#include <vector>

namespace gemba::data {

// The value tokens of a text, in order. `what` names the text in the error for invalid UTF-8.
std::vector<std::string> value_tokens(const std::string& text, const std::string& what = "text");

}  // namespace gemba::data
