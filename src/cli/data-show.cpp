// gemba data show: how gemba reads a manual — the blocks of the one document model (kind,
// source line or page, heading path, clean text) or the training text. For checking a new
// manual set before training on it.
#include <cstdio>
#include <memory>

#include "cli/verb.h"
#include "core/json.h"
#include "data/document-text.h"
#include "data/ingest.h"

namespace {

struct DataShowArgs {
  std::vector<std::string> files;
  bool json = false;
  bool text = false;
};

void print_blocks(const gemba::data::Document& doc) {
  std::printf("== %s (%s)%s%s\n", doc.id.c_str(), doc.type.c_str(), doc.title.empty() ? "" : ": ", doc.title.c_str());
  for (const auto& b : doc.blocks) {
    std::string where = b.page > 0 ? "p." + std::to_string(b.page) : "l." + std::to_string(b.line);
    std::printf("%-10s %-7s %s\n", gemba::data::block_kind_name(b.kind), where.c_str(),
                gemba::data::section_path_text(b.section).c_str());
    std::printf("    %s\n", b.text.c_str());
  }
}

gemba::cli::VerbRegistration data_show_registration{
    "data show", "Show how gemba reads manuals: blocks with kind, line/page and section (or --text: the training text)",
    [](CLI::App& app) {
      auto a = std::make_shared<DataShowArgs>();
      app.add_option("files", a->files, "Manual files or directories: .md, .adoc, .html, .pdf, .txt")->required()->expected(1, -1);
      app.add_flag("--json", a->json, "One JSON object per block (JSON lines)");
      app.add_flag("--text", a->text, "The clean training text instead of the blocks");
      return [a] {
        gemba::data::IngestResult r = gemba::data::ingest_manuals(a->files);
        for (const auto& doc : r.documents) {
          if (a->text) {
            std::printf("== %s\n%s\n\n", doc.id.c_str(), doc.text.c_str());
          } else if (a->json) {
            for (const auto& b : doc.blocks) {
              gemba::Json j = {{"doc", doc.id}, {"kind", gemba::data::block_kind_name(b.kind)}, {"line", b.line},
                               {"page", b.page}, {"section", b.section}, {"text", b.text}};
              if (b.kind == gemba::data::BlockKind::kTableRow) j["cells"] = b.cells, j["header"] = b.header;
              std::printf("%s\n", j.dump().c_str());
            }
          } else {
            print_blocks(doc);
          }
        }
        for (const auto& s : r.skipped) std::fprintf(stderr, "skipped [%s] %s\n", s.reason.c_str(), s.detail.c_str());
        if (r.documents.empty()) {
          std::fprintf(stderr, "error: no manual could be read from the given paths\n");
          return 1;
        }
        return 0;
      };
    }};

}  // namespace
