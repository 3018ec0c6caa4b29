// Passages: the units of the manuals that retrieval finds and an answer cites. Built from the
// document model (data/document.h), each with its source (file, heading path, line or page):
//  * a paragraph or note: one passage (a long one is cut at sentence ends into parts of at most
//    `max_chars`);
//  * a list: its consecutive items, with the paragraph that introduces it when that ends in
//    ':' ("The choices are:"), up to `max_chars`;
//  * a table row: one passage, its cells bound to the header ("Model: ZHP-310; Resolution: ...");
//  * a code or config listing: one entry per key line ("#baud: 250000" with the comment lines
//    under it), or parts of at most `max_chars` lines for other code;
//  * a FAQ pair: its question and answer.
// Headings are not passages; they are every passage's section path.
// Written by `gemba data prepare` as DATA_DIR/passages.jsonl, read by `gemba index build`.
#pragma once
#include <string>
#include <vector>

#include "data/document.h"
#include "index/passage.h"

namespace gemba::data {

using index::Passage;

struct PassageOptions {
  size_t max_chars = 600;  // code points per passage, before a paragraph, list or listing is cut
};

std::vector<Passage> document_passages(const Document& document, const PassageOptions& options = {});

// One passage per FAQ pair: "Q: <question>\nA: <answer>", section "FAQ".
Passage faq_passage(const FaqPair& pair, const std::string& file, int line);

}  // namespace gemba::data
