// gemba index build / search: the manuals' passages in one SQLite file (src/index/), searched
// with BM25. `build` reads a prepared data directory (DATA_DIR/passages.jsonl) or the manuals and
// FAQ directly; rebuilding over an existing index touches only the documents that changed.
#include <chrono>
#include <cstdio>
#include <memory>

#include "cli/verb.h"
#include "core/error.h"
#include "core/atomic-output.h"
#include "core/json.h"
#include "data/faq.h"
#include "data/ingest.h"
#include "data/normalize.h"
#include "data/passages.h"
#include "data/value-swaps.h"
#include "index/passage-index.h"

namespace {

namespace fs = std::filesystem;

struct IndexBuildArgs {
  std::string data;
  std::vector<std::string> manuals, exclude, faq;
  std::string output;
};

// DATA_DIR/passages.jsonl, one passage per line.
std::vector<gemba::index::Passage> read_passages(const std::string& data_dir) {
  const std::string path = data_dir + "/passages.jsonl";
  if (!fs::exists(path))
    gemba::fail(path, ": not found; --data takes a directory made by gemba data prepare (rerun it to get passages.jsonl), "
                "or pass --manuals/--faq instead");
  return gemba::data::read_passages_file(path);
}

// The manuals and FAQ read directly, as data prepare would (normalized text, no split).
std::vector<gemba::index::Passage> passages_from_sources(const IndexBuildArgs& a) {
  std::vector<gemba::index::Passage> passages;
  gemba::data::IngestResult ingest = gemba::data::ingest_manuals(a.manuals, a.exclude);
  for (auto& doc : ingest.documents) {
    gemba::data::normalize_document(doc);
    for (auto& p : gemba::data::document_passages(doc)) passages.push_back(std::move(p));
  }
  for (const auto& path : a.faq)
    for (auto& pair : gemba::data::read_faq_files({path}, {})) {
      pair.question = gemba::data::collapse_to_line(gemba::data::normalize_text(pair.question, pair.id));
      pair.answer = gemba::data::normalize_text(pair.answer, pair.id);
      size_t colon = pair.id.rfind(':');
      int line = colon == std::string::npos ? 0 : std::atoi(pair.id.c_str() + colon + 1);
      passages.push_back(gemba::data::faq_passage(pair, path, line));
    }
  return passages;
}

gemba::cli::VerbRegistration index_build_registration{
    "index build",
    "Build or update the passage index (SQLite FTS5) of the manuals: from a prepared data directory or the manuals themselves",
    [](CLI::App& app) {
      auto a = std::make_shared<IndexBuildArgs>();
      auto* data = app.add_option("--data", a->data, "A directory made by gemba data prepare (reads its passages.jsonl)");
      app.add_option("--manuals", a->manuals, "Or: manual directories/files read directly (.md .adoc .html .pdf .txt)")
          ->expected(1, -1)
          ->excludes(data);
      app.add_option("--exclude", a->exclude, "Shell patterns of manual files to leave out, matched against the path below the "
                     "--manuals root or the file name (e.g. FAQ.md when the FAQ file is made from it)")
          ->expected(1, -1);
      app.add_option("--faq", a->faq, "Or: FAQ files (.jsonl/.csv) read directly; each pair becomes a passage")
          ->expected(1, -1)
          ->excludes(data);
      app.add_option("-o,--output", a->output, "The index file (updated in place when it exists: only changed documents)")->required();
      return [a] {
        if (a->data.empty() && a->manuals.empty() && a->faq.empty())
          gemba::fail("give --data DATA_DIR (from gemba data prepare) or --manuals/--faq: there is nothing to index");
        auto t0 = std::chrono::steady_clock::now();
        std::vector<gemba::index::Passage> passages = a->data.empty() ? passages_from_sources(*a) : read_passages(a->data);
        if (passages.empty()) gemba::fail("no passages to index: every input was empty or skipped (see the warnings above)");
        std::map<std::string, std::string> meta = {{"source", a->data.empty() ? "manuals" : fs::absolute(a->data).string()}};
        if (!a->data.empty() && fs::exists(a->data + "/report.json")) {
          gemba::Json report = gemba::read_json_file(a->data + "/report.json");
          if (report.contains("tokenizer") && report["tokenizer"].contains("vocab_size"))
            meta["data_vocab_size"] = report["tokenizer"]["vocab_size"].dump();
        }
        gemba::index::IndexUpdate u = gemba::index::PassageIndex::build(passages, a->output, meta);
        double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        std::printf("%s: %zu passages; documents added %zu, updated %zu, removed %zu, unchanged %zu (%.2f s)\n", a->output.c_str(),
                    u.passages, u.documents_added, u.documents_updated, u.documents_removed, u.documents_unchanged, seconds);
        return 0;
      };
    }};

struct IndexSearchArgs {
  std::string index;
  std::string query;
  size_t top_k = 5;
  bool json = false;
};

gemba::cli::VerbRegistration index_search_registration{
    "index search", "Search the passage index: ranked passages with their sources",
    [](CLI::App& app) {
      auto a = std::make_shared<IndexSearchArgs>();
      app.add_option("index", a->index, "The index file (gemba index build)")->required();
      app.add_option("query", a->query, "A question or statement")->required();
      app.add_option("-k,--top-k", a->top_k, "How many passages")->check(CLI::Range(1, 1000))->capture_default_str();
      app.add_flag("--json", a->json, "One JSON object per passage");
      return [a] {
        gemba::index::PassageIndex index = gemba::index::PassageIndex::open(a->index);
        auto t0 = std::chrono::steady_clock::now();
        std::vector<gemba::index::SearchHit> hits = index.search(a->query, a->top_k);
        double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
        for (size_t i = 0; i < hits.size(); ++i) {
          const auto& p = hits[i].passage;
          if (a->json) {
            gemba::Json j = gemba::index::passage_to_json(p);
            j["rank"] = i + 1;
            j["score"] = hits[i].score;
            std::printf("%s\n", j.dump().c_str());
          } else {
            std::printf("[%zu] %s\n%s\n\n", i + 1, gemba::index::passage_citation(p).c_str(), p.text.c_str());
          }
        }
        std::fprintf(stderr, "%zu passages in %.1f ms\n", hits.size(), ms);
        return 0;
      };
    }};

}  // namespace
