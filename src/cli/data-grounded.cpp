// gemba data grounded: training rows that teach a model to answer from retrieved manual
// excerpts and cite them (src/data/grounded-rows.h): true/false statements made from the manuals
// (value swaps, src/data/value-swaps.h, and/or the statement miner's output) and the FAQ, each
// asked with the excerpts the index finds for it.
#include <chrono>
#include <cstdio>
#include <memory>

#include "cli/verb.h"
#include "core/atomic-output.h"
#include "core/error.h"
#include "core/json.h"
#include "data/grounded-rows.h"
#include "data/value-swaps.h"
#include "index/passage-index.h"

namespace {

struct GroundedArgs {
  std::string index, passages, statements, faq, output;
  size_t swaps = 8000;
  uint64_t seed = 1;
  gemba::data::GroundedRowOptions rows;
};

// faq-train.jsonl of data prepare: {"id", "question", "answer"}; the ids are the index's FAQ
// passage ids.
std::vector<gemba::data::FaqPair> read_prepared_faq(const std::string& path) {
  std::vector<gemba::data::FaqPair> pairs;
  const std::string text = gemba::read_file(path);
  size_t start = 0, line = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    ++line;
    std::string_view row(text.data() + start, end - start);
    start = end + 1;
    if (row.find_first_not_of(" \t\r") == std::string_view::npos) continue;
    const std::string where = path + ":" + std::to_string(line);
    gemba::Json j = gemba::parse_json(row, where);
    pairs.push_back({gemba::json_require<std::string>(j, "id", where), gemba::json_require<std::string>(j, "question", where),
                     gemba::json_require<std::string>(j, "answer", where)});
  }
  return pairs;
}

gemba::cli::VerbRegistration data_grounded_registration{
    "data grounded",
    "Training rows for grounded answers: questions with the retrieved manual excerpts, answers that quote and cite them",
    [](CLI::App& app) {
      auto a = std::make_shared<GroundedArgs>();
      app.add_option("--index", a->index, "Passage index of the manuals (gemba index build)")->required()->check(CLI::ExistingFile);
      app.add_option("--passages", a->passages,
                     "passages.jsonl of data prepare: true/false statements are made from it by swapping values (--swaps)")
          ->check(CLI::ExistingFile);
      app.add_option("--swaps", a->swaps, "How many value-swap statements, true and false, at most")->capture_default_str();
      app.add_option("--statements", a->statements, "Also the statements of gemba data statements -o (their evidence sentences)")
          ->check(CLI::ExistingFile);
      app.add_option("--faq", a->faq, "faq-train.jsonl of data prepare: each question answered from its own FAQ passage")
          ->check(CLI::ExistingFile);
      app.add_option("-o,--output", a->output, "Output JSONL: one chat conversation per line (gemba sft --data)")->required();
      app.add_option("--excerpts", a->rows.grounding.passages, "Excerpts per question (as at run time: --top-k)")
          ->check(CLI::Range(1, 20))
          ->capture_default_str();
      app.add_option("--without-answer", a->rows.without_answer,
                     "Share of rows whose deciding passage is left out; their answer says the excerpts do not say")
          ->check(CLI::Range(0.0, 1.0))
          ->capture_default_str();
      app.add_option("--seed", a->seed, "Seed: statements sampled, places of the deciding excerpt, row order")->capture_default_str();
      return [a] {
        if (a->passages.empty() && a->statements.empty() && a->faq.empty())
          gemba::fail("give --passages, --statements and/or --faq: there is nothing to make rows from");
        auto t0 = std::chrono::steady_clock::now();
        gemba::index::PassageIndex index = gemba::index::PassageIndex::open(a->index);
        std::vector<gemba::data::GroundedStatement> statements;
        if (!a->passages.empty()) {
          gemba::data::ValueSwapOptions swap_options;
          swap_options.seed = a->seed;
          swap_options.max_statements = a->swaps;
          for (auto& s : gemba::data::value_swap_statements(gemba::data::read_passages_file(a->passages), swap_options))
            statements.push_back({s.statement, s.label, s.evidence, s.passage_id, s.lang});
        }
        if (!a->statements.empty())
          for (auto& s : gemba::data::read_mined_statements(a->statements)) statements.push_back(std::move(s));
        std::vector<gemba::data::FaqPair> faq = a->faq.empty() ? std::vector<gemba::data::FaqPair>{} : read_prepared_faq(a->faq);
        a->rows.seed = a->seed;
        gemba::data::GroundedRowsReport report;
        std::string rows = gemba::data::grounded_rows_jsonl(statements, faq, index, a->rows, report);
        if (report.statement_rows + report.faq_rows == 0)
          gemba::fail("no grounded rows: none of the ", statements.size(), " statements and ", faq.size(),
                      " FAQ pairs has its passage in ", a->index, " (was it built from the same data directory?)");
        gemba::write_file_atomic(a->output, rows);
        double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        std::printf("grounded rows: %zu from statements, %zu from the FAQ; %zu answer that the excerpts do not say; "
                    "%zu skipped (passage not in the index)\nwrote %s in %.1f s\n",
                    report.statement_rows, report.faq_rows, report.without_answer, report.evidence_not_found, a->output.c_str(),
                    seconds);
        return 0;
      };
    }};

}  // namespace
