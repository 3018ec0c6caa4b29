// The retrieval-only baseline: no language model. A statement is judged true when the piece of
// the retrieved passages that is most about it (index/evidence.h) supports it (eval/claim-check.h).
// What a grounded model must beat: it reads the same passages and has to add what this rule
// cannot (a paraphrase, a value written in other words, the right one of two similar sentences).
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "data/claim-contrasts.h"
#include "eval/accuracy-report.h"
#include "eval/claim-check.h"
#include "eval/truefalse-set.h"
#include "index/passage-index.h"

namespace gemba::eval {

struct RuleOptions {
  size_t top_k = 5;            // passages retrieved
  size_t pieces_checked = 1;   // the best N pieces; true when any of them supports the statement
};

struct RuleVerdict {
  bool verdict = false;
  std::string evidence;   // the piece that decided (the best one when none supports)
  std::string citation;   // its passage's source (index/passage.h)
  ClaimCheck check;
  std::vector<index::SearchHit> hits;
};

RuleVerdict retrieval_rule(const std::string& statement, const index::PassageIndex& index, const RuleOptions& options,
                           const data::ClaimContrasts& contrasts = {});

// Did retrieval find the passage a test item names as its source ("raw/en/FAQ.md:86")? The
// passage's file must end with the item's file and its lines cover the item's line. nullopt when
// the item names no source.
std::optional<bool> source_retrieved(const std::vector<index::SearchHit>& hits, const std::string& item_source);

// The rule on every item of a test.
std::vector<ItemResult> run_truefalse_rule(const index::PassageIndex& index, const std::vector<TrueFalseItem>& items,
                                           const RuleOptions& options, const data::ClaimContrasts& contrasts = {});

}  // namespace gemba::eval
