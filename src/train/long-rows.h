// Long conversations trained whole: a row longer than --seq-len is split into several rows that
// each keep the question (everything before the first answer token) and carry on the answer
// where the previous row stopped, with the answer tokens just before as context (no loss on
// them). Before, such rows were cut, and the rest of a long FAQ answer was never trained (19 of
// 34 real Klipper FAQ answers exceed 128 tokens). No libtorch here.
#pragma once
#include <cstdint>
#include <vector>

#include "train/sft-data.h"

namespace gemba::train {

// The rows that cover `row`'s answer within max_tokens each. A row that fits comes back as it is;
// one whose question alone leaves less than a quarter of max_tokens for the answer is cut, as
// before (returns one row). `context_share`: the part of each continuation row's answer budget
// given to the preceding answer tokens.
std::vector<SftRow> split_long_row(const SftRow& row, int64_t max_tokens, double context_share = 0.25);

}  // namespace gemba::train
