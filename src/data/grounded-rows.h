// Training rows that teach a model to read: a question with the manual excerpts retrieval finds
// for it (index/grounded-prompt.h, the same format as at run time), and an answer that quotes the
// excerpt deciding it and cites its number. After RAFT (Zhang et al., 2024): the right passage
// sits among distractors at a random place, and in some rows it is missing, where the answer
// says the excerpts do not say.
//
//  * statements (true and false: data/value-swaps.h, or the statement miner's JSONL with its
//    "statement"/"evidence" fields): the true/false question of the evaluator
//    (data/truefalse-format.h) -> "The manual says: <the piece that decides it> [k]"; a true
//    statement and its false twin get the same answer, so the model learns to read the manual,
//    not to echo the question;
//  * FAQ pairs: the question -> the excerpt of the FAQ pair itself (the index holds every pair
//    as a passage) "[k]".
// Output: one chat conversation per line ({"messages": [user, assistant]}), for `gemba sft`.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "data/document.h"
#include "index/grounded-prompt.h"
#include "index/passage-index.h"

namespace gemba::data {

struct GroundedStatement {
  std::string statement;
  bool label = true;
  std::string evidence;    // the piece of the manual that decides it
  std::string passage_id;  // where it is, when known ("" : found by searching for the evidence)
  std::string lang;
};

struct GroundedRowOptions {
  index::GroundingOptions grounding;
  double without_answer = 0.15;  // share of rows whose deciding passage is left out
  uint64_t seed = 1;
};

struct GroundedRowsReport {
  size_t statement_rows = 0, faq_rows = 0;
  size_t without_answer = 0;      // rows whose answer says the excerpts do not say
  size_t evidence_not_found = 0;  // statements whose deciding passage the index lacks (skipped)
};

// The rows as JSONL, in a shuffled order fixed by the seed.
std::string grounded_rows_jsonl(const std::vector<GroundedStatement>& statements, const std::vector<FaqPair>& faq,
                                const index::PassageIndex& index, const GroundedRowOptions& options, GroundedRowsReport& report);

// Statements from the statement miner's JSONL (data statements -o): its "statement", "label" and
// "evidence" fields. gemba::Error names the file and line of a record without them.
std::vector<GroundedStatement> read_mined_statements(const std::string& path);

}  // namespace gemba::data
