// The knowledge probe: does the language model itself know the facts of the manuals?
// For pairs of sentences that differ only in a value — a manual sentence as written, and the
// same sentence with another product's value (mined by `gemba data statements --pairs-output`)
// — it counts how often the model gives the true sentence the higher log-probability, as
// plain text after BOS (no chat template, no question). 50% means the model has not bound
// values to products; a model that knows the facts prefers the true sentence.
// Why it exists: the true/false test needs two things, the fact in the weights and a readout
// of it in the chat format. This probe isolates the first, so a failing test can be traced
// to continual pre-training (facts not learned) or to fine-tuning (facts not read out).
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/json.h"
#include "engine/model-bundle.h"
#include "eval/statistics.h"

namespace gemba::eval {

struct KnowledgePair {
  std::string true_text;   // as written in the corpus
  std::string false_text;  // one value swapped for another product's
  std::string source;      // where the true sentence is ("manuals/ja/zcp-110.md:12")
};

// JSONL {"true": ..., "false": ..., "source": ...} ("source" optional). Lines that are not
// JSON objects or lack a field are an error naming file and line; an empty file too.
std::vector<KnowledgePair> read_knowledge_pairs(const std::string& path);

struct KnowledgeProbeResult {
  uint64_t n = 0;
  uint64_t prefer_true = 0;   // log P(true) > log P(false)
  double mean_margin = 0;     // mean of log P(true) - log P(false), nats
  Interval ci;                // Wilson 95% of prefer_true / n
  double accuracy() const { return n ? double(prefer_true) / double(n) : 0.0; }
  Json to_json() const;
  std::string summary() const;  // "prefers the true sentence 61.0% [56.7, 65.2] of 500 pairs, ..."
};

// Scores the first `limit` pairs (0: all). progress(i, n) after each pair.
KnowledgeProbeResult probe_knowledge(engine::ModelBundle& bundle, const std::vector<KnowledgePair>& pairs, size_t limit,
                                     const std::function<void(size_t, size_t)>& progress = {});

// read_knowledge_pairs + probe_knowledge with a progress bar on stderr: what the CLI verbs run.
KnowledgeProbeResult probe_knowledge_file(engine::ModelBundle& bundle, const std::string& pairs_path, size_t limit);

}  // namespace gemba::eval
