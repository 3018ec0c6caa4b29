// gemba pairs: mine DPO preference pairs from an FAQ (src/data/pairs.h): chosen = the
// question's own answer, rejected = the most similar other answer.
#include <chrono>
#include <cstdio>
#include <memory>

#include "cli/verb.h"
#include "core/atomic-output.h"
#include "core/error.h"
#include "data/faq.h"
#include "data/pairs.h"

namespace {

struct PairsArgs {
  std::vector<std::string> faq;
  std::string output;
  std::string question_column = "question";
  std::string answer_column = "answer";
  gemba::data::PairMiningOptions mining;
};

gemba::cli::VerbRegistration pairs_registration{
    "pairs", "Mine DPO pairs from an FAQ: rejected = the most similar other answer (char n-gram TF-IDF)",
    [](CLI::App& app) {
      auto a = std::make_shared<PairsArgs>();
      app.add_option("--faq", a->faq, "FAQ files: .jsonl (question/answer or messages) or .csv with a header row")
          ->required()
          ->expected(1, -1);
      app.add_option("-o,--output", a->output, "Output pairs JSONL (TRL format: prompt, chosen, rejected, similarity, ids)")
          ->required();
      app.add_option("--per-question", a->mining.per_question, "Rejected answers per question")
          ->check(CLI::Range(1, 1000))
          ->capture_default_str();
      app.add_flag("--random", a->mining.random,
                   "Ablation baseline: a random other answer instead of the most similar (duplicate rules still apply, "
                   "the floor does not)");
      app.add_option("--seed", a->mining.seed, "Seed for --random")->capture_default_str();
      app.add_option("--min-similarity", a->mining.min_similarity, "Drop candidates less similar than this")
          ->check(CLI::Range(0.0, 1.0))
          ->capture_default_str();
      app.add_option("--max-similarity", a->mining.max_similarity,
                     "Candidates more similar than this are near-duplicates of the chosen answer")
          ->check(CLI::Range(0.0, 1.0))
          ->capture_default_str();
      app.add_option("--ngram-min", a->mining.ngram_min, "Shortest character n-gram")->capture_default_str();
      app.add_option("--ngram-max", a->mining.ngram_max, "Longest character n-gram")->capture_default_str();
      app.add_option("--threads", a->mining.threads, "Worker threads")->capture_default_str();
      app.add_option("--faq-question-column", a->question_column, "CSV column / JSON field of the question")
          ->capture_default_str();
      app.add_option("--faq-answer-column", a->answer_column, "CSV column / JSON field of the answer")->capture_default_str();
      return [a] {
        auto t0 = std::chrono::steady_clock::now();
        auto faq = gemba::data::read_faq_files(a->faq, {a->question_column, a->answer_column});
        auto result = gemba::data::mine_pairs(faq, a->mining);
        gemba::write_file_atomic(a->output, gemba::data::pairs_to_jsonl(result.pairs));
        double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        std::printf("%s", gemba::data::format_pair_report(result.report, a->mining).c_str());
        std::printf("wrote %zu pairs to %s in %.2f s\n", result.pairs.size(), a->output.c_str(), seconds);
        return 0;
      };
    }};

}  // namespace
