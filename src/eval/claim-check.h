// Does a piece of the manual support a claim? The rule that reads a statement against the
// evidence for it — a passage's sentence that retrieval or the model picked — shared by the
// retrieval-only baseline (eval/retrieval-rule.h) and the grounded answers (the model quotes the
// manual; eval/truefalse-eval.h).
//
// Supported when every value of the claim (data/claim-values.h: numbers with compatible units,
// identifiers, quoted phrases) occurs in the evidence, and no word of the claim is contradicted
// by another word of its contrast set in the evidence: the built-in sets (enabled/disabled,
// input/output, minimum/maximum, 有効/無効, ...) and the corpus's worded values
// (data/claim-contrasts.h). Words the claim and the evidence share without such a contrast
// decide nothing: a paraphrase is not a contradiction. Asymmetric on purpose: evidence usually
// says more than the claim ("#baud: 250000 / The default is 250000" supports "the baud rate
// defaults to 250000").
#pragma once
#include <string>
#include <vector>

#include "data/claim-contrasts.h"

namespace gemba::eval {

struct ClaimCheck {
  bool supported = false;
  std::vector<std::string> missing;      // values of the claim the evidence lacks, as written
  std::vector<std::string> contradicted; // "claim word / evidence word" of a contrast set
  size_t claim_values = 0;               // how many values the claim has (0: only contrasts can decide)
};

// `context` (the passage around the evidence, its heading path) may hold the identifiers a claim
// names to say what it is about ("PROBE_ACCURACY" in a section on that command); numbers and
// quoted phrases must be in the evidence itself.
ClaimCheck check_claim(const std::string& claim, const std::string& evidence, const data::ClaimContrasts& contrasts = {},
                       const std::string& context = "");

// The built-in contrast sets (general words of technical manuals, English and Japanese).
const data::ClaimContrasts& builtin_contrasts();

}  // namespace gemba::eval
