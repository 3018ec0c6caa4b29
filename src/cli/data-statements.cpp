// gemba data statements: true/false training statements mined from the manuals and FAQ
// (src/data/statement-mining.h) — the sentence as written is true; the same sentence with
// another product's value swapped in is false. Never reads the true/false test set.
#include <chrono>
#include <cstdio>
#include <memory>

#include "cli/verb.h"
#include "core/atomic-output.h"
#include "core/error.h"
#include "data/faq.h"
#include "data/ingest.h"
#include "data/normalize.h"
#include "data/statement-mining.h"

namespace {

struct StatementsArgs {
  std::vector<std::string> manuals;
  std::vector<std::string> exclude;
  std::vector<std::string> faq;
  std::string output;
  std::string pairs_output;
  std::string recall_pairs_output;
  std::string contrasts_output;
  std::string answer = "label";
  std::string question_column = "question";
  std::string answer_column = "answer";
  gemba::data::StatementMiningOptions mining;
};

gemba::cli::VerbRegistration data_statements_registration{
    "data statements",
    "Mine true/false training statements from manuals and FAQ: a product's sentence with another product's value is false",
    [](CLI::App& app) {
      auto a = std::make_shared<StatementsArgs>();
      app.add_option("--manuals", a->manuals, "Directories (read recursively) or files of manuals: .md, .adoc, .html/.htm, .pdf, .txt")
          ->expected(1, -1);
      app.add_option("--exclude", a->exclude, "Shell patterns of manual files to leave out, matched against the path below the "
                     "--manuals root or the file name (e.g. FAQ.md when the FAQ file is made from it)")
          ->expected(1, -1);
      app.add_option("--faq", a->faq, "FAQ files (their answers are mined): .jsonl (question/answer or messages) or .csv with a header row")
          ->expected(1, -1);
      app.add_option("-o,--output", a->output, "Output JSONL: one SFT conversation per statement (gemba sft --data)")
          ->required();
      app.add_option("--pairs-output", a->pairs_output,
                     "Also write (true sentence, value-swapped sentence) pairs as JSONL for `gemba eval knowledge`");
      app.add_option("--answer", a->answer,
                     "Training answer: label (\"True\"/\"誤り\" alone; eval --mode loglik) or recall (\"The manual says: "
                     "<the manual's sentence>\"; eval --mode recall)")
          ->check(CLI::IsMember({"label", "recall"}))
          ->capture_default_str();
      app.add_option("--recall-pairs-output", a->recall_pairs_output,
                     "Also write DPO pairs for recall answers: the manual's sentence over the false statement copied back "
                     "(gemba dpo --pairs)");
      app.add_option("--contrasts-output", a->contrasts_output,
                     "Also write the values the manuals write as words (\"overload\" / \"overspeed\"), as pairs the "
                     "recall grader reads as contradicting (gemba eval truefalse --claim-contrasts)");
      app.add_option("--entity-pattern", a->mining.entity_pattern,
                     "Regular expression (ECMAScript) of what facts are about, e.g. your product codes "
                     "'Z[A-Z]{2}-[A-Z0-9]{2,3}' (the fa-sample); default: the identifiers the manuals name as subjects "
                     "(headings, table rows, config keys; gemba data prepare lists them)");
      app.add_option("--per-sentence", a->mining.per_sentence, "False variants per true sentence (K)")
          ->check(CLI::Range(1, 1000))
          ->capture_default_str();
      app.add_option("--seed", a->mining.seed, "Seed: which variants are picked, and the output order")->capture_default_str();
      app.add_option("--max-span", a->mining.max_span, "Longest swapped span, in characters (code points)")
          ->check(CLI::Range(1, 1000))
          ->capture_default_str();
      app.add_option("--cross-phrasing", a->mining.cross_phrasing,
                     "recall answers: share of statements answered with another corpus sentence stating the same fact "
                     "in other words (same product, values and claim), 0 to 1")
          ->check(CLI::Range(0.0, 1.0))
          ->capture_default_str();
      app.add_option("--faq-question-column", a->question_column, "CSV column / JSON field of the question")
          ->capture_default_str();
      app.add_option("--faq-answer-column", a->answer_column, "CSV column / JSON field of the answer")->capture_default_str();
      return [a] {
        if (a->manuals.empty() && a->faq.empty()) gemba::fail("give --manuals and/or --faq: there is no text to mine");
        auto t0 = std::chrono::steady_clock::now();
        std::vector<gemba::data::StatementSourceText> texts;
        if (!a->manuals.empty()) {
          gemba::data::IngestResult ingest = gemba::data::ingest_manuals(a->manuals, a->exclude);
          for (const auto& skipped : ingest.skipped)
            std::fprintf(stderr, "warning: skipped %s (%s): %s\n", skipped.path.c_str(), skipped.reason.c_str(),
                         skipped.detail.c_str());
          for (auto& doc : ingest.documents) {
            gemba::data::normalize_document(doc);
            texts.push_back({doc.id, "", true, std::move(doc.blocks)});
          }
        }
        // Answers only: questions and requests ("Tell me the ... of X.") assert nothing.
        for (auto& p : gemba::data::read_faq_files(a->faq, {a->question_column, a->answer_column}))
          texts.push_back({p.id, std::move(p.answer), false});
        auto result = gemba::data::mine_statements(texts, a->mining);
        const auto answer = a->answer == "recall" ? gemba::data::StatementAnswer::kRecall : gemba::data::StatementAnswer::kLabel;
        gemba::write_file_atomic(a->output, gemba::data::statements_to_jsonl(result.statements, answer));
        if (!a->recall_pairs_output.empty())
          gemba::write_file_atomic(a->recall_pairs_output, gemba::data::recall_pairs_to_jsonl(result.statements));
        if (!a->pairs_output.empty())
          gemba::write_file_atomic(a->pairs_output, gemba::data::knowledge_pairs_to_jsonl(result.statements));
        if (!a->contrasts_output.empty())
          gemba::write_file_atomic(a->contrasts_output, gemba::data::claim_contrasts_to_jsonl(result.claim_contrasts));
        double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        std::printf("%s", gemba::data::format_statement_report(result.report).c_str());
        std::printf("wrote %zu statements to %s in %.2f s\n", result.statements.size(), a->output.c_str(), seconds);
        return 0;
      };
    }};

}  // namespace
