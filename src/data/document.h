// The records data preparation passes between its stages.
#pragma once
#include <string>
#include <vector>

#include "core/error.h"

namespace gemba::data {

// One manual document after text extraction (not yet normalized).
struct Document {
  std::string id;      // "<path relative to its --manuals root>" or "...#<k>" for a multi-document .txt
  std::string source;  // the file it came from, as given on disk
  std::string type;    // "txt", "md", "html", "pdf"
  std::string text;
};

// One FAQ entry.
struct FaqPair {
  std::string id;      // "<file>:<line or record>"
  std::string question;
  std::string answer;
};

// An input file that was skipped, and why. `reason` is a short code counted in the report
// (unreadable, binary, invalid-utf8, empty, encrypted-pdf, broken-pdf, no-text,
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
