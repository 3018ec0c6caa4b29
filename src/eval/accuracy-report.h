// Aggregates per-item true/false results into accuracy rows (overall, per split, per
// category, per language) with Wilson intervals and a binomial test against chance.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "core/json.h"
#include "eval/statistics.h"
#include "eval/truefalse-set.h"

namespace gemba::eval {

struct ItemResult {
  TrueFalseItem item;
  bool predicted = false;
  bool correct = false;
  double logp_true = 0, logp_false = 0;  // loglik mode
  std::string answer;                    // generate mode: the model's answer
  std::string verdict;                   // generate and recall modes: grader/judge verdict text
  // recall mode: does the recall name the reference answer's values (eval/recall-grader.h)?
  // nullopt where the reference names none, or in the other modes.
  std::optional<bool> names_reference;
  // With retrieval, where the item names its source: was that passage among the retrieved ones?
  std::optional<bool> source_retrieved;
  // Right verdict and, where the reference can tell, the right value recalled.
  bool strict_correct() const { return correct && names_reference.value_or(true); }
};

struct AccuracyRow {
  // "all", "split=faq", "category=error", ...; in recall mode also "strict", "strict split=faq"
  // and "strict split=manual", counting ItemResult::strict_correct.
  std::string group;
  uint64_t correct = 0, n = 0;
  double accuracy() const { return n ? double(correct) / n : 0.0; }
  Interval ci;
  double p_vs_chance = 1.0;  // one-sided exact binomial, H0: accuracy = 0.5
};

std::vector<AccuracyRow> accuracy_rows(const std::vector<ItemResult>& results);
Json accuracy_rows_json(const std::vector<AccuracyRow>& rows);
// A plain-text table for the terminal.
std::string format_accuracy_table(const std::vector<AccuracyRow>& rows);
// One JSON object per item (for the per-item JSONL file).
Json item_result_json(const ItemResult& r);

}  // namespace gemba::eval
