// --index / --excerpts for the verbs that answer questions (run, chat): each question is asked with
// the manual excerpts retrieval finds for it (index/grounded-prompt.h, the format grounded
// training uses), and the sources the answer cites are printed after it.
#pragma once
#include <CLI/CLI.hpp>
#include <cstdio>
#include <optional>
#include <string>

#include "index/grounded-prompt.h"
#include "index/passage-index.h"

namespace gemba::cli {

struct GroundingFlags {
  std::string index;
  size_t excerpts = 4;  // not --top-k: that is the sampler's (llama.cpp's spelling)

  void add_to(CLI::App& app) {
    app.add_option("--index", index,
                   "answer from the manuals: each question is asked with the best excerpts of this passage index "
                   "(gemba index build), and the sources the answer cites are printed after it")
        ->check(CLI::ExistingFile);
    app.add_option("--excerpts", excerpts, "with --index: manual excerpts per question")->check(CLI::Range(1, 20))->capture_default_str();
  }

  std::optional<index::PassageIndex> open() const {
    if (index.empty()) return std::nullopt;
    return index::PassageIndex::open(index);
  }

  index::GroundingOptions options() const {
    index::GroundingOptions o;
    o.passages = excerpts;
    return o;
  }
};

// "[1] Config_Reference.md §... , lines 35-40": the excerpts the answer cites, or every excerpt
// shown when it cites none (so the engineer can always check the manual).
inline void print_sources(std::FILE* out, const std::string& answer, const index::Grounding& grounding) {
  std::vector<size_t> cited = index::cited_excerpts(answer, grounding.excerpts.size());
  if (grounding.excerpts.empty()) {
    std::fputs("(no excerpt of the manuals matched the question)\n", out);
    return;
  }
  if (cited.empty())
    for (size_t k = 1; k <= grounding.excerpts.size(); ++k) cited.push_back(k);
  std::fputs(cited.size() == grounding.excerpts.size() && index::cited_excerpts(answer, grounding.excerpts.size()).empty()
                 ? "Excerpts shown:\n"
                 : "Sources:\n",
             out);
  for (size_t k : cited) std::fprintf(out, "[%zu] %s\n", k, grounding.excerpts[k - 1].citation.c_str());
}

}  // namespace gemba::cli
