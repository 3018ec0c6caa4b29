#include "data/document-text.h"

namespace gemba::data {

const char* block_kind_name(BlockKind kind) {
  switch (kind) {
    case BlockKind::kHeading: return "heading";
    case BlockKind::kParagraph: return "paragraph";
    case BlockKind::kListItem: return "list-item";
    case BlockKind::kTableRow: return "table-row";
    case BlockKind::kCode: return "code";
    case BlockKind::kNote: return "note";
  }
  return "paragraph";
}

std::string table_row_text(const std::vector<std::string>& header, const std::vector<std::string>& cells) {
  std::string out;
  for (size_t i = 0; i < cells.size(); ++i) {
    if (cells[i].empty()) continue;
    if (!out.empty()) out += "; ";
    if (i < header.size() && !header[i].empty() && header[i] != cells[i]) out += header[i] + ": ";
    out += cells[i];
  }
  return out;
}

std::string block_training_text(const Block& block) {
  switch (block.kind) {
    case BlockKind::kListItem: return std::string(2 * static_cast<size_t>(block.level > 1 ? block.level - 1 : 0), ' ') + "- " + block.text;
    case BlockKind::kNote: return block.label.empty() ? block.text : block.label + ": " + block.text;
    default: return block.text;
  }
}

std::string document_text(const std::vector<Block>& blocks) {
  std::string out;
  const Block* previous = nullptr;
  for (const auto& b : blocks) {
    if (previous) {
      // Lists and tables read as one unit: their lines are not separated by a blank line.
      bool same_run = (b.kind == BlockKind::kListItem && previous->kind == BlockKind::kListItem) ||
                      (b.kind == BlockKind::kTableRow && previous->kind == BlockKind::kTableRow && b.header == previous->header);
      out += same_run ? "\n" : "\n\n";
    }
    out += block_training_text(b);
    previous = &b;
  }
  return out;
}

std::string document_title(const std::vector<Block>& blocks) {
  const Block* first = nullptr;
  for (const auto& b : blocks) {
    if (b.kind != BlockKind::kHeading) continue;
    if (b.level <= 1) return b.text;
    if (!first) first = &b;
  }
  return first ? first->text : "";
}

}  // namespace gemba::data
