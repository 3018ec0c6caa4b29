#include "pipeline/recipe-init.h"

#include <algorithm>
#include <cmath>
#include <sstream>

namespace gemba::pipeline {
namespace {

constexpr double kTokensPerCoreF32 = 2800;  // demo-deep, 128-token rows, f32 (bench/RESULTS.md)
constexpr double kLongRowCost = 1.4;        // 512-token rows: attention makes each token dearer
constexpr double kFixedShare = 0.25;        // prepare, index, rows, evaluations, exports
constexpr int kBatch = 16;

int round_to(double v, int step) { return std::max(step, static_cast<int>(std::lround(v / step)) * step); }

std::string yaml_list(const std::vector<std::string>& items) {
  std::string out = "[";
  for (size_t i = 0; i < items.size(); ++i) out += (i ? ", " : "") + items[i];
  return out + "]";
}

}  // namespace

double estimated_tokens(double chars, double japanese) { return (chars - japanese) / 4.0 + japanese / 1.5; }

std::string init_recipe(const CorpusMeasure& c, const InitOptions& o) {
  std::ostringstream y;
  const double manual_tokens = estimated_tokens(double(c.chars), double(c.japanese_chars));
  const double japanese_share = c.chars ? double(c.japanese_chars) / double(c.chars) : 0;
  const double rate = kTokensPerCoreF32 * std::max(1, o.cores);
  const double train_seconds = o.minutes * 60 * (1 - kFixedShare);
  // Base: pre-training on the manuals (and the general text, when given); a third of the time.
  const double base_tokens = rate * train_seconds * 0.35;
  const int base_steps = round_to(base_tokens / (kBatch * 128), 50);
  const double passes = manual_tokens > 0 ? base_tokens / manual_tokens : 0;
  // SFT rows: long enough for the FAQ's longest common answers (90th percentile), whole answers
  // beyond that are cut into parts by the trainer's --long-rows split.
  const double faq_tokens = estimated_tokens(double(c.faq_p90_chars), double(c.faq_p90_chars) * japanese_share) + 24;
  const int sft_seq = faq_tokens <= 128 ? 128 : faq_tokens <= 256 ? 256 : 512;
  const int sft_steps = c.faq_pairs == 0 ? 0 : round_to(rate * train_seconds * 0.15 / (kBatch * sft_seq * 0.6), 50);
  // RAG-SFT: grounded rows (4 excerpts, a question, a quoted answer) of ~400 tokens.
  const int rag_steps = round_to(rate * train_seconds * 0.5 / (kBatch * 400 * kLongRowCost), 25);
  const int vocab = c.chars > 400000 ? 8000 : 4000;
  char buf[128];

  y << "# A recipe made by `gemba pipeline init` for " << c.documents << " manual documents (";
  std::snprintf(buf, sizeof buf, "%.2f M characters, ~%.0fk tokens, %.0f%% Japanese", c.chars / 1e6, manual_tokens / 1e3,
                100 * japanese_share);
  y << buf << ") and " << c.faq_pairs << " FAQ pairs,\n";
  y << "# sized for about " << o.minutes << " minutes on this machine (" << o.cores << " cores). Run it with\n";
  y << "#   gemba pipeline THIS_FILE       -> runs/" << o.name << "/report.md\n";
  y << "# Every key of a stage is a flag of that stage's verb (`seq_len: 256` -> --seq-len 256; `gemba VERB --help`).\n";
  y << "name: " << o.name << "\n";
  y << "threads: " << o.cores << "\n";
  if (o.cores >= 2) y << "ranks: 2   # training as 2 data-parallel processes: faster than 2 threads for a model this small\n";
  y << "inputs:\n";
  y << "  manuals: " << yaml_list(c.manuals) << "\n";
  if (!c.exclude.empty()) y << "  exclude: " << yaml_list(c.exclude) << "   # manual files left out (e.g. the FAQ's own source)\n";
  if (!c.faq.empty()) y << "  faq: " << yaml_list(c.faq) << "\n";
  if (!c.general.empty()) y << "  general: " << yaml_list(c.general) << "   # general text of the domain for the base model\n";
  if (!c.tests.empty()) {
    y << "  test: " << yaml_list(c.tests) << "   # true/false tests (the first fills the main table)\n";
  } else {
    y << "  # test: [my-test.jsonl]   # a true/false test ({statement, label, split}) to measure the stages; without one\n";
    y << "  #                          # the eval stages are skipped\n";
  }
  y << "# The discovered entities (what the facts are about; data prepare lists them in report.json):\n#  ";
  for (size_t i = 0; i < c.top_entities.size() && i < 12; ++i) y << " " << c.top_entities[i].first << " (" << c.top_entities[i].second << ")";
  y << "\n# The statement miner uses them; set stages.statements.entity_pattern to a regular expression of\n";
  y << "# your product codes instead if they are what the facts are about.\n";
  y << "stages:\n";
  y << "  prepare: {vocab_size: " << vocab << ", seed: 1}   # a smaller vocabulary for a smaller corpus\n";
  std::snprintf(buf, sizeof buf, "%.1f", passes);
  y << "  # base: a small model pre-trained from scratch; " << base_steps << " steps of " << kBatch << " x 128 tokens are ~" << buf
    << " passes\n";
  y << "  # over the manuals" << (c.general.empty() ? " (no general text given: the manuals are its whole pre-training text)" : "")
    << ". With a real base model (e.g. llm-jp-3) write `base: {model: HF_DIR}` and add\n";
  y << "  # `cpt: {steps: N, seq_len: 512, lr: 0.0001}` for continual pre-training instead.\n";
  y << "  base: {config: demo-deep, steps: " << base_steps << ", batch: " << kBatch
    << ", seq_len: 128, lr: 0.003, warmup: 20, save_every: 200, seed: 1, dtype: auto}\n";
  y << "  # True/false statements mined from the manuals (sibling sentences that differ in one value).\n";
  y << "  statements: {seed: 1, answer: recall}\n";
  if (sft_steps > 0) {
    y << "  # SFT on the FAQ and the statements; rows of " << sft_seq << " tokens hold 90% of the FAQ answers whole\n";
    y << "  # (their 90th percentile is ~" << static_cast<int>(faq_tokens) << " tokens); longer answers are split with their question.\n";
    y << "  sft: {steps: " << sft_steps << ", batch: " << kBatch << ", seq_len: " << sft_seq
      << ", lr: 0.001, save_every: 200, seed: 1, dtype: auto, group_by_length: true}\n";
  }
  y << "  # The grounded path, which carries the accuracy on manuals that state facts once: the passages\n";
  y << "  # in a full-text index, rows that teach the model to answer from retrieved excerpts and cite\n";
  y << "  # them (statements made by swapping a value for a similar one, and the FAQ), then RAG-SFT.\n";
  y << "  index: {}\n";
  y << "  grounded: {swaps: 6000, seed: 1}\n";
  y << "  rag-sft: {steps: " << rag_steps << ", batch: " << kBatch
    << ", seq_len: 512, lr: 0.001, save_every: 100, seed: 1, dtype: auto, group_by_length: true}\n";
  if (!c.tests.empty()) y << "  eval: {mode: recall}\n";
  y << "  export: {types: [q4_0]}\n";
  y << "  bench: {p: 64, n: 32, r: 3}\n";
  return y.str();
}

}  // namespace gemba::pipeline
