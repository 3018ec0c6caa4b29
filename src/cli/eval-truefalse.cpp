// gemba eval truefalse: accuracy on a 2-choice knowledge test, with intervals.
#include <cstdio>
#include <memory>

#include "cli/verb.h"
#include "core/atomic-output.h"
#include "core/progress.h"
#include "engine/model-bundle.h"
#include "data/claim-contrasts.h"
#include "eval/knowledge-probe.h"
#include "eval/retrieval-rule.h"
#include "index/passage-index.h"
#include "eval/truefalse-eval.h"

namespace {

struct TrueFalseFlags {
  std::string model, data, out, mode = "loglik", chat_template, system, split;
  std::string judge_url, judge_model, judge_key_env = "OPENAI_API_KEY";
  std::string knowledge_pairs;
  std::string claim_contrasts;
  size_t knowledge_limit = 500;
  int threads = 0;
  int64_t max_answer_tokens = 0;  // 0: 64 for a free answer (generate), 160 for a recalled sentence (recall)
  size_t limit = 0;
  int64_t n_parallel = 16;
  std::string index;
  size_t top_k = 4;
};

// recall@k over the items that name their source ("raw/en/FAQ.md:86"), or null when none does.
gemba::Json truefalse_retrieval_recall(const std::vector<gemba::eval::ItemResult>& results, size_t k) {
  size_t n = 0, found = 0;
  for (const auto& r : results)
    if (r.source_retrieved) ++n, found += *r.source_retrieved;
  if (n == 0) return gemba::Json();
  return {{"k", k}, {"items", n}, {"found", found}, {"recall", double(found) / double(n)}};
}

void write_truefalse_results(const TrueFalseFlags& f, const std::vector<gemba::eval::ItemResult>& results, const gemba::Json& report) {
  gemba::AtomicDir dir(f.out);
  std::string lines;
  for (const auto& r : results) lines += gemba::eval::item_result_json(r).dump() + "\n";
  gemba::write_file_atomic(dir.file("items.jsonl"), lines);
  gemba::write_json_file(dir.file("report.json"), report);
  dir.commit();
}

// --mode rule: the retrieval-only baseline, no language model (eval/retrieval-rule.h).
int run_rule(const TrueFalseFlags& f, const std::vector<gemba::eval::TrueFalseItem>& items, const gemba::data::ClaimContrasts& contrasts) {
  using namespace gemba;
  if (f.index.empty()) fail("--mode rule reads retrieved passages: give --index INDEX (gemba index build)");
  index::PassageIndex idx = index::PassageIndex::open(f.index);
  eval::RuleOptions options;
  options.top_k = f.top_k;
  Progress progress("eval rule", items.size(), "item");
  std::vector<eval::ItemResult> results = eval::run_truefalse_rule(idx, items, options, contrasts);
  progress.finish();
  auto rows = eval::accuracy_rows(results);
  Json recall = truefalse_retrieval_recall(results, f.top_k);
  std::printf("retrieval only (no model)  index: %s  top-k: %zu  items: %zu\n", f.index.c_str(), f.top_k, items.size());
  std::printf("%s", eval::format_accuracy_table(rows).c_str());
  if (!recall.is_null())
    std::printf("recall@%zu of the deciding passage: %.1f%% (%zu of %zu items that name their source)\n", f.top_k,
                100 * recall["recall"].get<double>(), recall["found"].get<size_t>(), recall["items"].get<size_t>());
  if (!f.out.empty())
    write_truefalse_results(f, results, {{"model", Json()}, {"data", f.data}, {"mode", "rule"}, {"index", f.index}, {"top_k", f.top_k},
                               {"grader", "claim-check"}, {"retrieval", recall}, {"rows", eval::accuracy_rows_json(rows)}});
  return 0;
}

int run_truefalse_eval(const TrueFalseFlags& f) {
  using namespace gemba;
  auto items = eval::load_truefalse(f.data);
  if (!f.split.empty()) {
    std::erase_if(items, [&](const eval::TrueFalseItem& it) { return it.split != f.split; });
    if (items.empty()) fail("--split ", f.split, ": no items of that split in ", f.data);
  }
  if (f.limit > 0 && items.size() > f.limit) items.resize(f.limit);
  data::ClaimContrasts contrasts;
  if (!f.claim_contrasts.empty()) contrasts = data::load_claim_contrasts(f.claim_contrasts);
  if (f.mode == "rule") return run_rule(f, items, contrasts);
  if (f.model.empty()) fail("--model is required (only --mode rule runs without a model)");
  auto bundle = engine::load_model_bundle(f.model, f.threads);
  eval::TrueFalseOptions options;
  options.mode = f.mode;
  options.system_prompt = f.system;
  options.n_parallel = f.n_parallel;
  options.max_answer_tokens = f.max_answer_tokens > 0 ? f.max_answer_tokens : (f.mode == "recall" ? 160 : 64);
  if (!f.chat_template.empty()) options.chat_template = tokenizer::parse_chat_template(f.chat_template);
  else if (bundle.chat_template) options.chat_template = *bundle.chat_template;
  if (!f.claim_contrasts.empty()) {
    if (f.mode != "recall") fail("--claim-contrasts grades recalled sentences: it needs --mode recall or rule (got --mode ", f.mode, ")");
    options.claim_contrasts = contrasts;
  }
  if (!f.judge_url.empty()) options.judge = eval::JudgeConfig{f.judge_url, f.judge_model, f.judge_key_env};
  std::optional<index::PassageIndex> idx;
  if (!f.index.empty()) {
    if (f.mode != "recall") fail("--index grounds recall answers (the model quotes the excerpts): use --mode recall or rule");
    idx.emplace(index::PassageIndex::open(f.index));
    options.index = &*idx;
    options.grounding.passages = f.top_k;
  }

  Progress progress("eval " + f.mode, items.size(), "item");
  auto result = eval::run_truefalse(bundle, items, options, [&](size_t done, size_t) { progress.update(done); });
  progress.finish();
  auto rows = eval::accuracy_rows(result.results);
  std::printf("model: %s  mode: %s  template: %s  items: %zu%s%s\n", f.model.c_str(), f.mode.c_str(),
              tokenizer::chat_template_name(options.chat_template).c_str(), items.size(),
              result.unparsed ? cat("  unparsed answers: ", result.unparsed).c_str() : "",
              f.claim_contrasts.empty() ? "" : cat("  claim contrasts: ", options.claim_contrasts.size()).c_str());
  std::printf("%s", eval::format_accuracy_table(rows).c_str());
  Json retrieval;
  if (idx) {
    retrieval = truefalse_retrieval_recall(result.results, f.top_k);
    std::printf("grounded: %zu excerpts from %s\n", f.top_k, f.index.c_str());
    if (!retrieval.is_null())
      std::printf("recall@%zu of the deciding passage: %.1f%% (%zu of %zu items that name their source)\n", f.top_k,
                  100 * retrieval["recall"].get<double>(), retrieval["found"].get<size_t>(), retrieval["items"].get<size_t>());
  }
  // The knowledge probe on the same model: does the LM itself know the facts (eval/knowledge-probe.h)?
  Json knowledge;
  if (!f.knowledge_pairs.empty()) {
    auto k = eval::probe_knowledge_file(bundle, f.knowledge_pairs, f.knowledge_limit);
    std::printf("knowledge probe: %s\n", k.summary().c_str());
    knowledge = k.to_json();
    knowledge["pairs"] = f.knowledge_pairs;
  }

  if (!f.out.empty()) {
    AtomicDir dir(f.out);
    std::string lines;
    for (const auto& r : result.results) lines += eval::item_result_json(r).dump() + "\n";
    write_file_atomic(dir.file("items.jsonl"), lines);
    if (!result.judge_log.empty()) {
      std::string log;
      for (const auto& j : result.judge_log) log += j.dump() + "\n";
      write_file_atomic(dir.file("judge.jsonl"), log);
    }
    write_json_file(dir.file("report.json"),
                    {{"model", f.model}, {"data", f.data}, {"mode", f.mode},
                     {"template", tokenizer::chat_template_name(options.chat_template)},
                     {"grader", f.mode != "generate" ? f.mode : (options.judge ? "judge:" + f.judge_model : "rule")},
                     {"claim_contrasts", f.claim_contrasts.empty() ? Json() : Json({{"file", f.claim_contrasts},
                                                                                      {"sets", options.claim_contrasts.size()}})},
                     {"unparsed", result.unparsed}, {"rows", eval::accuracy_rows_json(rows)}, {"knowledge", knowledge},
                     {"index", f.index.empty() ? Json() : Json(f.index)}, {"top_k", f.top_k}, {"retrieval", retrieval}});
    dir.commit();
  }
  return 0;
}

gemba::cli::VerbRegistration eval_truefalse_registration{
    "eval truefalse", "Accuracy on a 2-choice true/false test (loglik or generate+judge), with Wilson intervals",
    [](CLI::App& app) {
      auto f = std::make_shared<TrueFalseFlags>();
      app.add_option("-m,--model", f->model, "GGUF file or HF model directory (not for --mode rule)");
      app.add_option("--data", f->data, "test JSONL (statement, label, split, ...)")->required()->check(CLI::ExistingFile);
      app.add_option("-o,--out", f->out, "directory for report.json, items.jsonl (and judge.jsonl)");
      app.add_option("--mode", f->mode, "loglik (compare answer probabilities), recall (say what the manual says; judged by its values), "
                  "generate (free answer, graded) or rule (no model: the retrieved passage that is most about the statement "
                  "decides; needs --index)")
          ->check(CLI::IsMember({"loglik", "recall", "generate", "rule"}))
          ->capture_default_str();
      app.add_option("--index", f->index, "passage index (gemba index build): retrieval for --mode rule")->check(CLI::ExistingFile);
      app.add_option("--excerpts", f->top_k, "with --index: manual excerpts (retrieved passages) per statement")
          ->check(CLI::Range(1, 100))
          ->capture_default_str();
      app.add_option("--template", f->chat_template, "chat template: plain, llm-jp-3, llama-2 (default: the model's)");
      app.add_option("--system", f->system, "system message");
      app.add_option("--split", f->split, "only items of this split (faq, manual)");
      app.add_option("--limit", f->limit, "only the first N items");
      app.add_option("-t,--threads", f->threads, "threads (0: all)");
      app.add_option("--knowledge-pairs", f->knowledge_pairs,
                     "also run the knowledge probe on these (true, value-swapped) sentence pairs (gemba data statements --pairs-output)")
          ->check(CLI::ExistingFile);
      app.add_option("--claim-contrasts", f->claim_contrasts,
                     "recall mode: also compare the values the manuals write as words, as pairs that contradict each other "
                     "(\"overload\" / \"overspeed\"; gemba data statements --contrasts-output)")
          ->check(CLI::ExistingFile);
      app.add_option("--knowledge-limit", f->knowledge_limit, "knowledge probe: the first N pairs (0: all)")->capture_default_str();
      app.add_option("--max-answer-tokens", f->max_answer_tokens, "generate/recall: answer length cap (default 64 / 160)");
      app.add_option("--parallel", f->n_parallel, "generate/recall: items answered together, one forward pass for all")
          ->capture_default_str()
          ->check(CLI::Range(1, 1024));
      app.add_option("--judge-url", f->judge_url, "generate mode: OpenAI-compatible endpoint, e.g. http://127.0.0.1:8080/v1");
      app.add_option("--judge-model", f->judge_model, "generate mode: the judge's model name");
      app.add_option("--judge-key-env", f->judge_key_env, "environment variable holding the judge's API key")->capture_default_str();
      return [f] { return run_truefalse_eval(*f); };
    }};

}  // namespace
