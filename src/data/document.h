// The one document model every manual reader produces (readers/*.h) and every consumer reads:
// the training text (document-text.h), the passages of the index (passages.h), statement
// mining and the shuffled copies. A document is a list of blocks in reading order; each block
// carries its kind, its clean text (no markup), the heading path it sits under, and where it
// came from (line or page), so an answer can cite it.
#pragma once
#include <string>
#include <vector>

#include "core/error.h"

namespace gemba::data {

enum class BlockKind {
  kHeading,    // a section title; `level` 1..6
  kParagraph,  // prose
  kListItem,   // one item of a bulleted or numbered list; `level` = nesting depth (1 = top)
  kTableRow,   // one body row of a table: `cells`, bound to the table's `header` cells
  kCode,       // a code / listing / config block, verbatim (never cut into sentences)
  kNote,       // an admonition or block quote ("Note:", "Warning:", "> ...")
};

const char* block_kind_name(BlockKind kind);  // "heading", "paragraph", "list-item", ...

struct Block {
  BlockKind kind = BlockKind::kParagraph;
  std::string text;                  // clean text; a table row: its cells bound to the header
                                     // ("Model: ZHP-310; Resolution: 480 x 272 dots"); code: verbatim lines
  std::vector<std::string> section;  // the heading path above it, outermost first
  std::vector<std::string> cells;    // table rows: the row's cells
  std::vector<std::string> header;   // table rows: the header cells of the row's table (may be empty)
  std::string label;                 // notes: "Note", "Warning", ... (may be empty); code: the info string
  int level = 0;                     // headings: 1..6; list items: nesting depth
  int line = 0;                      // 1-based first line in the source file (0: unknown)
  int page = 0;                      // 1-based page of a PDF (0: not a paged source)
};

// One manual document after reading.
struct Document {
  std::string id;      // "<path relative to its --manuals root>" or "...#<k>" for a multi-document .txt
  std::string source;  // the file it came from, as given on disk
  std::string type;    // "txt", "md", "adoc", "html", "pdf"
  std::string title;   // the first top-level heading, or "" when the document has none
  std::vector<Block> blocks;
  std::string text;    // the clean training text of `blocks` (document-text.h), filled by the reader
};

// A table row's text: "header: cell" pairs joined by "; " ("Model: ZHP-310; Resolution: 480 x
// 272 dots"); a cell under an empty or missing header stands alone. Binding every value to its
// column name keeps "480 x 272" attached to "Resolution" once the table is gone.
std::string table_row_text(const std::vector<std::string>& header, const std::vector<std::string>& cells);

// One FAQ entry.
struct FaqPair {
  std::string id;      // "<file>:<line or record>"
  std::string question;
  std::string answer;
};

// An input file that was skipped, and why. `reason` is a short code counted in the report
// (unreadable, not-a-file, binary, invalid-utf8, empty, encrypted-pdf, broken-pdf, no-text,
// malformed-faq, unsupported); `detail` is the human message.
struct SkippedFile {
  std::string path;
  std::string reason;
  std::string detail;
};

// Thrown by the per-file readers for a file that must be skipped (not for a failed run).
class BadInput : public Error {
 public:
  BadInput(std::string reason, const std::string& message) : Error(message), reason_(std::move(reason)) {}
  const std::string& reason() const { return reason_; }

 private:
  std::string reason_;
};

}  // namespace gemba::data
