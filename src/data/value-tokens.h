// The values a sentence states, read the same way wherever gemba compares facts: the recall
// grader (eval/recall-grader.h), the statement miner's search for other phrasings of a fact
// (data/statement-mining.h) and the plain-word claims beside the values (data/claim-contrasts.h).
//
// Rule, on NFKC text: maximal runs of ASCII letters and digits, joined by . , - / : between
// two of them, that contain a digit ("64k", "RS-232C", "0.35", "P0-02", "x1") or are two or
// more capital letters ("MENU").
#pragma once
#include <cstddef>
#include <string>
#include <utility>
#include <vector>

namespace gemba::data {

// The value tokens of a text, in order. `what` names the text in the error for invalid UTF-8.
std::vector<std::string> value_tokens(const std::string& text, const std::string& what = "text");

// Where the value tokens of an already NFKC-normalized text are: [begin, end) byte ranges, in order.
std::vector<std::pair<size_t, size_t>> value_token_spans(const std::string& nfkc_text);

}  // namespace gemba::data
