// FAQ files: JSONL ({"question", "answer"} with configurable field names, or OpenAI/TRL
// chat records {"messages": [{"role": "user", ...}, {"role": "assistant", ...}]}) and CSV
// (RFC 4180 with a header row; column names configurable).
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "data/document.h"

namespace gemba::data {

struct FaqReadOptions {
  std::string question_column = "question";
  std::string answer_column = "answer";
};

struct FaqFile {
  std::vector<FaqPair> pairs;          // text as in the file (not yet normalized)
  std::vector<std::string> warnings;   // one per skipped record ("faq.jsonl:12: ...")
  size_t records_skipped = 0;
};

// Parses FAQ content; `path` names the file in messages and pair ids, its extension (.jsonl,
// .json lines, .csv) picks the format. A record with a missing/empty field or malformed JSON
// is skipped with a warning; a file without any usable record throws BadInput
// ("malformed-faq") naming the file and the fix.
FaqFile parse_faq(std::string_view content, const std::string& path, const FaqReadOptions& options);

// Reads and parses every file in order (the CLI verbs' FAQ inputs): warnings go to stderr, a
// file with no usable record throws gemba::Error naming it.
std::vector<FaqPair> read_faq_files(const std::vector<std::string>& paths, const FaqReadOptions& options);

}  // namespace gemba::data
