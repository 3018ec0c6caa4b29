// A passage of the manuals: the unit that retrieval finds, the model reads and an answer cites
// (built by data/passages.h, stored by index/passage-index.h). Here in the index layer, which
// the edge build links without the data layer's parsers.
#pragma once
#include <string>
#include <vector>

#include "core/json.h"

namespace gemba::index {

struct Passage {
  std::string id;                    // "<document id>#<n>" (n from 1, in reading order) or "<faq id>"
  std::string doc;                   // the document id, or the FAQ file
  std::string source;                // the file on disk
  std::string title;                 // the document's title
  std::vector<std::string> section;  // heading path
  std::string kind;                  // "paragraph", "list", "table-row", "code", "note", "faq"
  std::string text;
  int line = 0;                      // 1-based first line in the source (0: unknown)
  int end_line = 0;                  // its last line (0: unknown)
  int page = 0;                      // PDF page (0: not paged)
};

Json passage_to_json(const Passage& passage);
// Reads one passage; a gemba::Error names `where` and the field.
Passage passage_from_json(const Json& j, const std::string& where);

// "Installation > Configuring > [mcu]": a heading path.
std::string section_path_text(const std::vector<std::string>& section);

// "manual.md §Alarms > AL.16, line 12": where a passage comes from, for a citation.
std::string passage_citation(const Passage& passage);

}  // namespace gemba::index
