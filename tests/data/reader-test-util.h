// Helpers for the manual-reader tests: find a block by its text and describe blocks in failures.
#pragma once
#include <string>
#include <vector>

#include "data/document-text.h"

namespace gemba::test {

inline std::string describe(const std::vector<data::Block>& blocks) {
  std::string out;
  for (const auto& b : blocks)
    out += std::string(data::block_kind_name(b.kind)) + " l." + std::to_string(b.line) + " [" +
           data::section_path_text(b.section) + "] " + b.text + "\n";
  return out;
}

// The first block whose text contains `needle`, or nullptr.
inline const data::Block* find_block(const std::vector<data::Block>& blocks, const std::string& needle) {
  for (const auto& b : blocks)
    if (b.text.find(needle) != std::string::npos) return &b;
  return nullptr;
}

}  // namespace gemba::test
