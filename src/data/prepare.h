// `gemba data prepare`: manuals + FAQ -> a data directory the trainer reads.
//
//   DATA_DIR/train.tok, val.tok        token shards (token-shard.h): per document BOS, text, EOS;
//                                      train.tok then holds the --shuffled-copies (shuffled-units.h);
//                                      val.tok the held-out documents (if any) and FAQ val pairs
//   DATA_DIR/manuals-train.txt, -val.txt  the clean training text (data/document-text.h) of the
//                                      documents, separated by two blank lines
//   DATA_DIR/passages.jsonl            the passages the index serves (data/passages.h)
//   DATA_DIR/entities.jsonl            what the facts are about, ranked (data/entities.h)
//   DATA_DIR/faq-train.jsonl, -val.jsonl  {"id", "question", "answer"} per line, normalized
//   DATA_DIR/tokenizer/                 tokenizer.model + tokenizer.json, when trained here (not with --tokenizer)
//   DATA_DIR/manifest.json             every document and FAQ pair with its split or why it was dropped
//   DATA_DIR/report.json               counts: files by type, bytes, documents, paragraphs,
//                                      tokens, duplicates, skipped files, split sizes
// The directory is built under a temporary name and renamed into place when complete.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "core/json.h"
#include "data/dedupe.h"

namespace gemba::data {

struct PrepareOptions {
  std::vector<std::string> manuals;  // directories (recursive) or files
  std::vector<std::string> exclude;  // shell patterns of manual files to leave out ("FAQ.md")
  std::vector<std::string> faq;      // .jsonl / .csv files
  std::string output;                // DATA_DIR
  std::string tokenizer;             // existing tokenizer (dir with tokenizer.model, or .model); empty: train one
  std::string tokenizer_type = "unigram";
  int vocab_size = 8000;
  std::string keep_whole;  // regex of domain terms made single tokens (domain-terms.h); empty: none
  double val_fraction = 0.05;   // FAQ pairs held out (SFT validation; their text is val.tok)
  double val_documents = 0;     // whole documents held out (off: manuals state most facts once)
  int shuffled_copies = 0;  // augmented copies of the training manuals appended to train.tok
  std::string shuffle_scope = "document";  // shuffled-units.h: "document" or "corpus"
  uint64_t seed = 1234;
  std::string faq_question_column = "question";
  std::string faq_answer_column = "answer";
  DedupeOptions dedupe;
  int threads = 2;
};

// Runs the whole preparation; returns the report (also written as report.json). Bad input
// files are skipped and listed; wrong options or an unusable result (no text at all) are a
// gemba::Error.
Json prepare_data(const PrepareOptions& options);

// The report as a human-readable table (what the CLI prints).
std::string format_report_table(const Json& report);

}  // namespace gemba::data
