// `gemba pipeline init`: a recipe sized to a user's own manuals and FAQ and to a time budget on
// this machine, its reasoning written into it as comments. How a user starts with their own data.
//
// Sizing, from measured figures (bench/RESULTS.md): a demo-deep model (8 x 192) trains at about
// 2,800 tokens/s per core in f32 at 128 tokens a row (bf16 on AMX CPUs is ~2x faster, so the
// plan then finishes early); rows of 512 tokens cost about 1.4x per token. The budget minus the
// fixed stages (prepare, index, rows, evaluations, exports: measured ~25% of a 20-minute demo) is
// split between pre-training on the manuals (base + CPT: the model learns the manuals' language
// and facts) and teaching it to answer (SFT on the FAQ and mined statements, then RAG-SFT: reading
// retrieved excerpts, which carries the accuracy on manuals that state facts once).
#pragma once
#include <string>
#include <vector>

namespace gemba::pipeline {

struct CorpusMeasure {
  std::vector<std::string> manuals, exclude, faq, tests, general;
  size_t documents = 0;
  size_t chars = 0, japanese_chars = 0;   // code points of the manuals' clean text
  size_t faq_pairs = 0;
  size_t faq_p90_chars = 0;               // 90th percentile of question + answer, in code points
  size_t faq_max_chars = 0;
  size_t passages = 0;
  std::vector<std::pair<std::string, size_t>> top_entities;  // name, mentions
};

struct InitOptions {
  std::string name = "my-manuals";
  double minutes = 20;  // wall-clock budget of the whole pipeline on this machine
  int cores = 2;
};

// The recipe as YAML text with comments.
std::string init_recipe(const CorpusMeasure& corpus, const InitOptions& options);

// Estimated tokens of a text of `chars` code points of which `japanese` are Japanese (a small
// Unigram vocabulary: ~4 Latin characters or ~1.5 Japanese characters per token).
double estimated_tokens(double chars, double japanese);

}  // namespace gemba::pipeline
