// gemba data prepare: manuals + FAQ -> normalized, deduplicated, split text, a tokenizer and
// token shards (src/data/prepare.h).
#include <cstdio>
#include <memory>

#include "cli/verb.h"
#include "data/prepare.h"

namespace {

gemba::cli::VerbRegistration data_prepare_registration{
    "data prepare", "Ingest manuals (md/adoc/html/pdf/txt) and FAQ (jsonl/csv) into training text, token shards and index passages",
    [](CLI::App& app) {
      auto o = std::make_shared<gemba::data::PrepareOptions>();
      auto json_out = std::make_shared<bool>(false);
      app.add_option("--manuals", o->manuals,
                     "Directories (read recursively) or files of manuals: .md, .adoc, .html/.htm, .pdf, .txt. A .txt may "
                     "hold several documents separated by two or more blank lines (gemba data show FILE: how one is read)")
          ->expected(1, -1);
      app.add_option("--exclude", o->exclude, "Shell patterns of manual files to leave out, matched against the path below the "
                     "--manuals root or the file name (e.g. FAQ.md when the FAQ file is made from it)")
          ->expected(1, -1);
      app.add_option("--faq", o->faq, "FAQ files: .jsonl (question/answer or messages) or .csv with a header row")->expected(1, -1);
      app.add_option("-o,--output", o->output, "Output data directory (written atomically)")->required();
      auto* tok = app.add_option("--tokenizer", o->tokenizer, "Use this tokenizer (HF/SentencePiece directory, tokenizer.json, .model or .gguf) instead of training one");
      app.add_option("--vocab-size", o->vocab_size, "Vocabulary size of the tokenizer trained here")->excludes(tok)->capture_default_str();
      app.add_option("--keep-whole", o->keep_whole,
                     "Regular expression of domain terms (e.g. product codes 'Z[A-Z]{2}-[A-Z0-9]{2,3}') that the trained "
                     "tokenizer keeps as single tokens: the most frequent matches seen at least twice, up to vocab/8")
          ->excludes(tok);
      app.add_option("--tokenizer-type", o->tokenizer_type, "unigram or bpe")
          ->check(CLI::IsMember({"unigram", "bpe"}))
          ->excludes(tok)
          ->capture_default_str();
      app.add_option("--val-fraction", o->val_fraction, "Fraction of FAQ pairs held out for validation (their text is val.tok)")
          ->check(CLI::Range(0.0, 0.99))
          ->capture_default_str();
      app.add_option("--val-documents", o->val_documents,
                     "Fraction of whole manual documents held out for validation (default 0: a manual states most facts "
                     "once, and a held-out document takes them out of training; refused below 20 documents)")
          ->check(CLI::Range(0.0, 0.99))
          ->capture_default_str();
      app.add_option("--shuffled-copies", o->shuffled_copies,
                     "Knowledge augmentation: append N copies of the training manuals to train.tok, cut into "
                     "sentences/table rows and shuffled (each fact then appears in many contexts, so a model learns "
                     "it by its product, not by its place in the manual)")
          ->check(CLI::Range(0, 1000))
          ->capture_default_str();
      app.add_option("--shuffle-scope", o->shuffle_scope,
                     "document: each manual's units are shuffled within it; corpus: all units mixed into one document "
                     "per copy")
          ->check(CLI::IsMember({"document", "corpus"}))
          ->capture_default_str();
      app.add_option("--seed", o->seed, "Seed of the train/val split and the shuffled copies")->capture_default_str();
      app.add_option("--faq-question-column", o->faq_question_column, "CSV column / JSON field of the question")->capture_default_str();
      app.add_option("--faq-answer-column", o->faq_answer_column, "CSV column / JSON field of the answer")->capture_default_str();
      app.add_option("--near-dup-threshold", o->dedupe.near_threshold,
                     "MinHash similarity at or above which documents/paragraphs are near duplicates")
          ->check(CLI::Range(0.01, 1.0))
          ->capture_default_str();
      app.add_flag("!--no-near-dedupe", o->dedupe.near, "Remove exact duplicates only");
      app.add_option("--min-paragraph-chars", o->dedupe.min_paragraph_chars,
                     "Shorter paragraphs (headings, labels) are never removed as duplicates")
          ->capture_default_str();
      app.add_option("--threads", o->threads, "Threads for tokenizer training")->capture_default_str();
      app.add_flag("--json", *json_out, "Print the report as JSON instead of a table");
      return [o, json_out] {
        gemba::Json report = gemba::data::prepare_data(*o);
        if (*json_out) std::printf("%s\n", report.dump(2).c_str());
        else std::printf("%s", gemba::data::format_report_table(report).c_str());
        std::fprintf(*json_out ? stderr : stdout, "prepared data in %s\n", o->output.c_str());
        return 0;
      };
    }};

}  // namespace
