// gemba pipeline init: measure the user's manuals and FAQ and write a recipe sized to them and to a
// time budget on this machine (src/pipeline/recipe-init.h). How a user starts with their own data.
#include <algorithm>
#include <cstdio>
#include <memory>
#include <thread>

#include "cli/verb.h"
#include "core/atomic-output.h"
#include "core/error.h"
#include "core/utf8.h"
#include "data/entities.h"
#include "data/faq.h"
#include "data/ingest.h"
#include "data/normalize.h"
#include "data/passages.h"
#include "pipeline/recipe-init.h"

namespace {

struct PipelineInitArgs {
  std::vector<std::string> manuals, exclude, faq, tests, general;
  std::string output;
  gemba::pipeline::InitOptions options;
};

size_t japanese_chars(const std::string& text) {
  size_t n = 0, pos = 0;
  while (pos < text.size()) {
    uint32_t c = gemba::utf8_decode(text, pos);
    n += (c >= 0x3040 && c <= 0x30FF) || (c >= 0x4E00 && c <= 0x9FFF);
  }
  return n;
}

gemba::pipeline::CorpusMeasure measure(const PipelineInitArgs& a) {
  gemba::pipeline::CorpusMeasure m;
  m.manuals = a.manuals;
  m.exclude = a.exclude;
  m.faq = a.faq;
  m.tests = a.tests;
  m.general = a.general;
  gemba::data::IngestResult ingest = gemba::data::ingest_manuals(a.manuals, a.exclude);
  for (auto& doc : ingest.documents) {
    gemba::data::normalize_document(doc);
    m.chars += gemba::utf8_code_points(doc.text);
    m.japanese_chars += japanese_chars(doc.text);
    m.passages += gemba::data::document_passages(doc).size();
  }
  m.documents = ingest.documents.size();
  for (const auto& e : gemba::data::discover_entities(ingest.documents)) {
    if (m.top_entities.size() == 12) break;
    m.top_entities.emplace_back(e.name, e.mentions);
  }
  std::vector<size_t> lengths;
  for (const auto& p : gemba::data::read_faq_files(a.faq, {}))
    lengths.push_back(gemba::utf8_code_points(p.question) + gemba::utf8_code_points(p.answer));
  std::sort(lengths.begin(), lengths.end());
  m.faq_pairs = lengths.size();
  if (!lengths.empty()) {
    m.faq_p90_chars = lengths[std::min(lengths.size() - 1, lengths.size() * 9 / 10)];
    m.faq_max_chars = lengths.back();
  }
  return m;
}

gemba::cli::VerbRegistration pipeline_init_registration{
    "pipeline init", "Write a recipe sized to your manuals, FAQ and a time budget on this machine (its reasoning as comments)",
    [](CLI::App& app) {
      auto a = std::make_shared<PipelineInitArgs>();
      app.add_option("--manuals", a->manuals, "Manual directories or files (.md .adoc .html .pdf .txt)")->required()->expected(1, -1);
      app.add_option("--exclude", a->exclude, "Shell patterns of manual files to leave out (e.g. FAQ.md)")->expected(1, -1);
      app.add_option("--faq", a->faq, "FAQ files (.jsonl / .csv)")->expected(1, -1);
      app.add_option("--test", a->tests, "True/false test files (JSONL) to measure the stages with")->expected(1, -1);
      app.add_option("--general", a->general, "General domain text for the base model (optional)")->expected(1, -1);
      app.add_option("--name", a->options.name, "The run's name (runs/NAME)")->capture_default_str();
      app.add_option("--minutes", a->options.minutes, "Time budget of the whole pipeline on this machine")
          ->check(CLI::Range(5.0, 100000.0))
          ->capture_default_str();
      app.add_option("-o,--output", a->output, "The recipe file to write")->required();
      return [a] {
        a->options.cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
        gemba::pipeline::CorpusMeasure m = measure(*a);
        if (m.documents == 0) gemba::fail("no manual could be read from ", a->manuals.size(), " --manuals path(s); see the warnings above");
        gemba::write_file_atomic(a->output, gemba::pipeline::init_recipe(m, a->options));
        std::printf("wrote %s: %zu documents, %zu passages, %zu FAQ pairs, %.0f minutes on %d cores\n"
                    "run it with: gemba pipeline %s\n",
                    a->output.c_str(), m.documents, m.passages, m.faq_pairs, a->options.minutes, a->options.cores, a->output.c_str());
        return 0;
      };
    }};

}  // namespace
