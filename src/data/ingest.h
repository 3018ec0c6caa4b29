// Manual ingestion: walks --manuals roots recursively and reads each manual through the reader
// for its type (data/readers/): .md/.markdown (cmark-gfm), .adoc/.asciidoc, .html/.htm/.xhtml
// (libxml2), .pdf (poppler, with positions), .txt/.text. Every reader produces the one document
// model (data/document.h). A bad file (unreadable, not a regular file, binary, invalid UTF-8,
// empty, encrypted or broken PDF) is skipped with one warning naming it and the reason, and
// recorded; it never stops the run. Files of other types are counted by extension.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "data/document.h"

namespace gemba::data {

struct FileTypeStats {
  uint64_t files = 0;  // read successfully
  uint64_t bytes = 0;
  uint64_t documents = 0;
};

struct IngestResult {
  std::vector<Document> documents;  // in a deterministic order (sorted paths)
  std::vector<SkippedFile> skipped;
  std::map<std::string, FileTypeStats> by_type;          // "txt", "md", "adoc", "html", "pdf"
  std::map<std::string, uint64_t> ignored_extensions;    // files of other types, by extension
  std::vector<std::string> excluded;                      // files an --exclude pattern matched
  uint64_t pdf_header_footer_lines_removed = 0;
};

// The manual type of a path by its extension ("txt", "md", "adoc", "html", "pdf"), or "".
std::string manual_type(const std::string& path);

// Checks text bytes and returns them without a UTF-8 BOM. Throws BadInput: "empty",
// "binary" (NUL bytes; UTF-16 is named), "invalid-utf8" (with the byte offset).
std::string_view checked_text(std::string_view bytes, const std::string& path);

// Reads one manual file into documents with ids "<id_base>" or "<id_base>#<k>".
// Throws BadInput for a file that must be skipped.
std::vector<Document> read_manual_file(const std::string& path, const std::string& id_base, uint64_t* pdf_lines_removed = nullptr);

// Walks every root (a directory, recursively, or a single file). Hidden files/directories
// are ignored, and so are files whose id or file name matches a shell pattern of `exclude`
// ("FAQ.md", "*/drafts/*"). A root that does not exist is a gemba::Error (a wrong flag, not a
// bad file).
IngestResult ingest_manuals(const std::vector<std::string>& roots, const std::vector<std::string>& exclude = {});

}  // namespace gemba::data
