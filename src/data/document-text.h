// The clean training text of a document (data/document.h): what continual pre-training reads.
// No markup survives: headings are plain lines, list items start with "- ", table rows bind
// each cell to its column ("Model: ZHP-310; Resolution: 480 x 272 dots"), code keeps its lines,
// notes start with their label ("Note: ..."). Blocks are separated by a blank line, except
// consecutive list items and rows of one table, which stay on consecutive lines.
#pragma once
#include <string>
#include <vector>

#include "data/document.h"
#include "index/passage.h"

namespace gemba::data {

// The text of one block as it stands in the training text (without the separating newlines).
std::string block_training_text(const Block& block);

std::string document_text(const std::vector<Block>& blocks);

// The document's title: its first level-1 heading, else its first heading, else "".
std::string document_title(const std::vector<Block>& blocks);

using index::section_path_text;  // "Installation > Configuring > [mcu]"

}  // namespace gemba::data
