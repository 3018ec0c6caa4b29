// True/false statements from any manual, without templates: every evidence piece that states a
// value (index/claim-values.h) is a true statement as written, and the same piece with one value
// replaced by another value of the same kind from a similar place of the same manual is a false
// one — the "similar but different" negative, mined from the text itself. A number is replaced
// by another number with the same unit from the same section (else the same document), an
// identifier by another identifier of the same shape (dotted, underscored, with digits) from the
// same section or document, a quoted phrase by another quoted phrase.
//
// The statement miner (statement-mining.h) finds contrasts between sibling sentences; real
// manuals state most facts once, so there are few of those (Klipper: 140 statements from 1 MB).
// Every sentence with a value gives statements here (Klipper: thousands), which is what the
// grounded rows (grounded-rows.h) need: a statement and the piece that decides it.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "index/passage.h"

namespace gemba::data {

struct ValueSwapOptions {
  uint64_t seed = 1;
  size_t max_statements = 8000;  // true + false, sampled by the seed when there are more
  size_t min_chars = 20;         // shorter pieces say too little to be a statement
  size_t max_chars = 280;        // longer ones are rarely one fact
};

struct SwapStatement {
  std::string statement;
  bool label = true;
  std::string evidence;    // the piece as the manual writes it (true statements: the statement)
  std::string passage_id;  // the passage the piece comes from
  std::string swapped;     // false statements: "<value in the manual> -> <value put in>"
  std::string lang;
};

std::vector<SwapStatement> value_swap_statements(const std::vector<index::Passage>& passages, const ValueSwapOptions& options);

// Reads DATA_DIR/passages.jsonl (data prepare); gemba::Error names the file and line.
std::vector<index::Passage> read_passages_file(const std::string& path);

}  // namespace gemba::data
