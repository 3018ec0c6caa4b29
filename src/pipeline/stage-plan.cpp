#include "pipeline/stage-plan.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <set>

#include "core/error.h"

namespace gemba::pipeline {
namespace fs = std::filesystem;
namespace {

const std::vector<std::string> kModelStages = {"base", "cpt", "sft", "dpo"};

void append(std::vector<std::string>& to, const std::vector<std::string>& more) { to.insert(to.end(), more.begin(), more.end()); }

// Plans one variant (the main run or an ablation) into `dir`. Stages named in `reuse` come
// from `reuse_dir` (the main run) instead of being planned again.
struct Planner {
  const Recipe& recipe;
  std::string dir, variant;
  std::vector<std::string> skip{};
  std::string reuse_dir{};
  size_t reuse_until = 0;  // stage index (in kOrder) before which the main run's outputs are used
  std::vector<Stage> stages{};

  static inline const std::vector<std::string> kOrder = {"prepare", "prepare-general", "statements", "index", "grounded", "base", "cpt",
                                                         "sft", "pairs", "mistakes", "dpo", "rag-sft", "export"};

  bool reused(const std::string& stage) const {
    auto it = std::find(kOrder.begin(), kOrder.end(), stage);
    return it != kOrder.end() && static_cast<size_t>(it - kOrder.begin()) < reuse_until;
  }
  std::string path_of(const std::string& stage, const std::string& rest = "") const {
    std::string base = (reused(stage) ? reuse_dir : dir) + "/" + stage;
    return rest.empty() ? base : base + "/" + rest;
  }
  bool enabled(const std::string& stage) const {
    return recipe.has_stage(stage) && std::find(skip.begin(), skip.end(), stage) == skip.end();
  }
  std::string label(const std::string& name) const { return variant.empty() ? name : variant + "/" + name; }
  void add(Stage s) {
    s.variant = variant;
    s.name = label(s.name);
    stages.push_back(std::move(s));
  }
  std::vector<std::string> threads_flag() const {
    return recipe.threads > 0 ? std::vector<std::string>{"--threads", std::to_string(recipe.threads)} : std::vector<std::string>{};
  }
  // The training stages: `ranks` data-parallel processes sharing the threads (--nproc).
  std::vector<std::string> training_threads_flags() const {
    if (recipe.ranks <= 1) return threads_flag();
    std::vector<std::string> flags{"--nproc", std::to_string(recipe.ranks)};
    if (recipe.threads > 0) append(flags, {"--threads", std::to_string(std::max(1, recipe.threads / recipe.ranks))});
    return flags;
  }

  // inputs.exclude: shell patterns of manual files left out (data prepare --exclude).
  std::vector<std::string> exclude_flags() const {
    std::vector<std::string> flags;
    if (!recipe.inputs.contains("exclude")) return flags;
    const Json& v = recipe.inputs["exclude"];
    for (const auto& item : v.is_array() ? v : Json::array({v})) {
      if (!item.is_string()) fail(recipe.path, ": inputs.exclude must be a pattern or a list of patterns (e.g. FAQ.md)");
      append(flags, {"--exclude", item.get<std::string>()});
    }
    return flags;
  }

  bool grounded() const { return enabled("index"); }
  std::string index_file() const { return path_of("index", "passages.db"); }
  std::string grounded_rows() const {
    if (!enabled("grounded")) fail(recipe.path, ": stages.rag-sft trains on the grounded rows: add a stages.grounded entry");
    return path_of("grounded", "rows.jsonl");
  }

  // index: the manuals' passages in a SQLite full-text index (index build); grounded: the rows
  // that teach a model to answer from retrieved excerpts (data grounded).
  void plan_grounding_data() {
    if (!grounded()) {
      if (enabled("grounded")) fail(recipe.path, ": stages.grounded reads the passage index: add a stages.index entry");
      return;
    }
    const std::string passages = path_of("prepare", "passages.jsonl");
    if (!reused("index")) {
      Stage s{"index", "prepare", {"index", "build", "--data", path_of("prepare"), "-o", index_file()}, {passages}, index_file()};
      add(std::move(s));
    }
    if (enabled("grounded") && !reused("grounded")) {
      const Json settings = recipe.stage_settings("grounded");
      const std::string faq_train = path_of("prepare", "faq-train.jsonl");
      Stage s{"grounded", "prepare", {"data", "grounded", "--index", index_file(), "--faq", faq_train, "-o", grounded_rows()},
              {index_file(), faq_train}, grounded_rows()};
      if (settings.value("swaps", 8000) > 0) append(s.argv, {"--passages", passages}), s.inputs.push_back(passages);
      if (enabled("statements")) {
        append(s.argv, {"--statements", path_of("statements", "statements.jsonl")});
        s.inputs.push_back(path_of("statements", "statements.jsonl"));
      }
      append(s.argv, settings_to_flags(settings, {}));
      add(std::move(s));
    }
    if (enabled("eval")) add_rule_eval();
  }

  // The retrieval-only baseline on every test: no model, the rule reads the retrieved passages.
  void add_rule_eval() {
    for (const auto& [test_name, test_path] : test_sets()) {
      const std::string name = "eval-rule" + (test_name.empty() ? "" : "-" + test_name);
      Stage s{name, "eval", {"eval", "truefalse", "--mode", "rule", "--index", index_file(), "--data", test_path}, {index_file(), test_path},
              dir + "/" + name, "rule"};
      s.test = test_name;
      if (enabled("statements")) {
        const std::string contrasts = path_of("statements", "contrasts.jsonl");
        append(s.argv, {"--claim-contrasts", contrasts});
        s.inputs.push_back(contrasts);
      }
      append(s.argv, grounding_flags());
      append(s.argv, {"-o", s.output});
      add(std::move(s));
    }
  }

  // eval.excerpts: excerpts per statement, the same for the rule and the grounded model.
  std::vector<std::string> grounding_flags() const {
    const Json eval = recipe.stage_settings("eval");
    return eval.contains("excerpts") ? std::vector<std::string>{"--excerpts", eval["excerpts"].dump()} : std::vector<std::string>{};
  }

  bool recall_answers() const {
    return enabled("statements") && recipe.stage_settings("statements").value("answer", std::string("label")) == "recall";
  }

  // stages.dpo.pairs: the pair files DPO trains on, from "faq" (gemba pairs), "recall" (the
  // statements' recall pairs) and "mistakes" (the SFT model's own errors). Default: faq, plus
  // recall when the statements are answered by recall.
  std::vector<std::string> dpo_pair_sources(const Json& dpo) const {
    if (!dpo.contains("pairs")) return recall_answers() ? std::vector<std::string>{"faq", "recall"} : std::vector<std::string>{"faq"};
    const Json& list = dpo["pairs"];
    if (!list.is_array() || list.empty()) fail(recipe.path, ": stages.dpo.pairs must be a list of faq, recall, mistakes");
    std::vector<std::string> sources;
    for (const auto& item : list) {
      if (!item.is_string() || (item != "faq" && item != "recall" && item != "mistakes"))
        fail(recipe.path, ": stages.dpo.pairs: ", item.dump(), " is not one of faq, recall, mistakes");
      sources.push_back(item.get<std::string>());
    }
    return sources;
  }

  void add_eval(const std::string& model_name, const std::string& model_path) {
    if (!enabled("eval")) return;
    add_eval_kind(model_name, model_path, false);
    // A model trained to read retrieved excerpts is also asked with them (eval-grounded-<model>).
    if (enabled("rag-sft") && grounded() && (model_name == "rag-sft" || trained_to_read_))
      add_eval_kind(model_name, model_path, true);
    if (model_name == "rag-sft") trained_to_read_ = true;
  }
  bool trained_to_read_ = false;  // set once rag-sft is planned: the exports after it read too

  void add_eval_kind(const std::string& model_name, const std::string& model_path, bool with_index) {
    const bool recall = recipe.stage_settings("eval").value("mode", std::string("loglik")) == "recall";
    const auto tests = test_sets();
    for (const auto& [test_name, test_path] : tests) {
      const std::string name = std::string(with_index ? "eval-grounded-" : "eval-") + model_name + (test_name.empty() ? "" : "-" + test_name);
      Stage s{name, "eval", {"eval", "truefalse", "-m", model_path, "--data", test_path}, {model_path, test_path}, dir + "/" + name, model_path};
      s.test = test_name;
      if (with_index) {
        append(s.argv, {"--index", index_file()});
        append(s.argv, grounding_flags());
        s.inputs.push_back(index_file());
      }
      if (enabled("statements")) {
        // The knowledge probe does not depend on the test: once, with the main test.
        if (test_name.empty() && !with_index) {
          const std::string pairs = path_of("statements", "knowledge-pairs.jsonl");
          append(s.argv, {"--knowledge-pairs", pairs});
          s.inputs.push_back(pairs);
        }
        // Recall answers are also graded on the values the manuals write as words.
        if (recall) {
          const std::string contrasts = path_of("statements", "contrasts.jsonl");
          append(s.argv, {"--claim-contrasts", contrasts});
          s.inputs.push_back(contrasts);
        }
      }
      append(s.argv, {"-o", s.output});
      append(s.argv, threads_flag());
      if (with_index && recipe.stage_settings("eval").value("mode", std::string("loglik")) != "recall")
        append(s.argv, {"--mode", "recall"});  // grounded answers quote the manual
      append(s.argv, settings_to_flags(recipe.stage_settings("eval"), {"excerpts"}));
      add(std::move(s));
    }
  }

  // inputs.test: one file, or a list whose first is the main test. The others are named by
  // their file stem ("truefalse-paraphrased"), made unique with a number.
  std::vector<std::pair<std::string, std::string>> test_sets() const {
    std::vector<std::pair<std::string, std::string>> out;
    std::set<std::string> used;
    const auto paths = input_paths(recipe, "test");
    if (paths.empty()) fail(recipe.path, ": inputs.test is an empty list: give the true/false test set (JSONL)");
    for (const auto& path : paths) {
      std::string name;
      if (!out.empty()) {
        std::string stem = fs::path(path).stem().string();
        // A stage and directory name: no spaces, slashes or other ASCII punctuation but '.', '_'
        // and '-' (UTF-8 letters stay: "テスト.jsonl" is "テスト").
        for (char& c : stem) {
          const auto u = static_cast<unsigned char>(c);
          if (u < 0x80 && !std::isalnum(u) && c != '.' && c != '_' && c != '-') c = '-';
        }
        name = stem;
        for (int k = 2; used.count(name); ++k) name = stem + "-" + std::to_string(k);
        used.insert(name);
      }
      out.emplace_back(name, path);
    }
    return out;
  }

  void plan() {
    const bool main_run = variant.empty();
    // prepare: manuals + FAQ -> normalized, deduplicated, split; tokenizer; token shards.
    if (!reused("prepare")) {
      Stage s{"prepare", "prepare", {"data", "prepare"}, {}, path_of("prepare")};
      for (auto& m : input_paths(recipe, "manuals")) append(s.argv, {"--manuals", m}), s.inputs.push_back(m);
      append(s.argv, exclude_flags());
      for (auto& f : input_paths(recipe, "faq")) append(s.argv, {"--faq", f}), s.inputs.push_back(f);
      append(s.argv, {"-o", s.output});
      append(s.argv, settings_to_flags(recipe.stage_settings("prepare"), {}));
      add(std::move(s));
    }
    const std::string tokenizer = path_of("prepare", "tokenizer");
    const bool has_general = recipe.inputs.contains("general");
    if (has_general && !reused("prepare-general")) {
      Stage s{"prepare-general", "prepare", {"data", "prepare"}, {tokenizer}, path_of("prepare-general")};
      for (auto& g : input_paths(recipe, "general")) append(s.argv, {"--manuals", g}), s.inputs.push_back(g);
      append(s.argv, {"--tokenizer", tokenizer, "-o", s.output});
      add(std::move(s));
    }
    // statements: true/false training statements mined from the manuals and the FAQ train
    // split ("similar but different" sentences of other products), joined to the SFT data;
    // and the same as (true, false) sentence pairs for the knowledge probe every eval runs.
    if (enabled("statements") && !reused("statements")) {
      const std::string faq_train = path_of("prepare", "faq-train.jsonl");
      Stage s{"statements", "prepare", {"data", "statements"}, {}, path_of("statements", "statements.jsonl")};
      for (auto& m : input_paths(recipe, "manuals")) append(s.argv, {"--manuals", m}), s.inputs.push_back(m);
      append(s.argv, exclude_flags());
      append(s.argv, {"--faq", faq_train, "-o", s.output, "--pairs-output", path_of("statements", "knowledge-pairs.jsonl"),
                      "--recall-pairs-output", path_of("statements", "recall-pairs.jsonl"), "--contrasts-output",
                      path_of("statements", "contrasts.jsonl")});
      s.inputs.push_back(faq_train);
      append(s.argv, settings_to_flags(recipe.stage_settings("statements"), {}));
      add(std::move(s));
    }
    plan_grounding_data();
    // base: pretrain from scratch on the general text, or take the given base model.
    std::string model;
    Json base = recipe.stage_settings("base");
    if (base.contains("model")) {
      model = base["model"].get<std::string>();
    } else {
      // Pre-trained from scratch on the general text, or, without one, on the manuals themselves.
      const std::string text_stage = has_general ? "prepare-general" : "prepare";
      model = path_of("base");
      if (!reused("base")) {
        Stage s{"base", "train", {"pretrain", "--config", base.value("config", std::string("demo")), "--tokenizer", tokenizer,
                                  "--data", path_of(text_stage, "train.tok"), "--val-data", path_of(text_stage, "val.tok"),
                                  "-o", model},
                {path_of(text_stage, "train.tok"), tokenizer}, model, model};
        append(s.argv, training_threads_flags());
        append(s.argv, settings_to_flags(base, {"config", "model"}));
        s.resumable = true;
        add(std::move(s));
      }
    }
    if (main_run || !reused("base")) add_eval("base", model);

    if (enabled("cpt")) {
      std::string out = path_of("cpt");
      if (!reused("cpt")) {
        Stage s{"cpt", "train", {"cpt", "--base", model, "--data", path_of("prepare", "train.tok"), "--val-data", path_of("prepare", "val.tok"), "-o", out},
                {model, path_of("prepare", "train.tok")}, out, out};
        Json cpt = recipe.stage_settings("cpt");
        if (cpt.contains("replay") && has_general)
          append(s.argv, {"--replay", path_of("prepare-general", "train.tok") + ":" + cpt["replay"].dump()});
        // mix_sft: RATIO interleaves the SFT data (FAQ train + mined statements) into CPT, so the
        // answer format is learned while the facts are (cpt --mix-sft).
        if (cpt.contains("mix_sft")) {
          std::string chat = path_of("prepare", "faq-train.jsonl");
          s.inputs.push_back(chat);
          if (enabled("statements")) {
            chat += "," + path_of("statements", "statements.jsonl");
            s.inputs.push_back(path_of("statements", "statements.jsonl"));
          }
          append(s.argv, {"--mix-sft", chat + ":" + cpt["mix_sft"].dump()});
        }
        append(s.argv, training_threads_flags());
        append(s.argv, settings_to_flags(cpt, {"replay", "mix_sft"}));
        s.resumable = true;
        add(std::move(s));
        add_eval("cpt", out);
      }
      model = out;
    }
    std::string sft_data = path_of("prepare", "faq-train.jsonl");  // comma-joined sft_files
    std::vector<std::string> sft_files{sft_data};
    if (enabled("sft") && enabled("statements")) {
      sft_data += "," + path_of("statements", "statements.jsonl");
      sft_files.push_back(path_of("statements", "statements.jsonl"));
    }
    if (enabled("sft")) {
      std::string out = path_of("sft");
      if (!reused("sft")) {
        Stage s{"sft", "train", {"sft", "--base", model, "--data", sft_data, "--val-data", path_of("prepare", "faq-val.jsonl"), "-o", out},
                {model}, out, out};
        append(s.inputs, sft_files);
        append(s.argv, training_threads_flags());
        append(s.argv, settings_to_flags(recipe.stage_settings("sft"), {}));
        s.resumable = true;
        add(std::move(s));
        add_eval("sft", out);
      }
      model = out;
    }
    if (enabled("dpo")) {
      const Json dpo = recipe.stage_settings("dpo");
      std::vector<std::string> dpo_inputs{model};
      std::string pair_files;
      for (const auto& source : dpo_pair_sources(dpo)) {
        std::string file;
        if (source == "faq") {
          // The FAQ's most similar other answer as the rejected one (gemba pairs).
          file = path_of("pairs", "pairs.jsonl");
          if (!reused("pairs")) {
            Stage s{"pairs", "pairs", {"pairs", "--faq", path_of("prepare", "faq-train.jsonl"), "-o", file}, {path_of("prepare", "faq-train.jsonl")}, file};
            append(s.argv, settings_to_flags(recipe.stage_settings("pairs"), {}));
            add(std::move(s));
          }
        } else if (source == "recall") {
          // Recall answers prefer the manual's value over the statement's copied back
          // (data/statement-mining.h).
          if (!recall_answers())
            fail(recipe.path, ": stages.dpo.pairs: 'recall' needs stages.statements with answer: recall");
          file = path_of("statements", "recall-pairs.jsonl");
        } else {
          // The SFT model's own wrong answers to its training prompts (eval/mistake-pairs.h).
          if (!enabled("mistakes")) fail(recipe.path, ": stages.dpo.pairs: 'mistakes' needs a stages.mistakes entry");
          file = path_of("mistakes", "pairs.jsonl");
          if (!reused("mistakes")) {
            Stage s{"mistakes", "pairs", {"mistakes", "-m", model, "--data", sft_data, "-o", file}, sft_files, file};
            s.inputs.push_back(model);
            append(s.argv, threads_flag());
            append(s.argv, settings_to_flags(recipe.stage_settings("mistakes"), {}));
            add(std::move(s));
          }
        }
        pair_files += (pair_files.empty() ? "" : ",") + file;
        dpo_inputs.push_back(file);
      }
      std::string out = path_of("dpo");
      if (!reused("dpo")) {
        Stage s{"dpo", "train", {"dpo", "--sft", model, "--pairs", pair_files, "-o", out}, dpo_inputs, out, out};
        append(s.argv, training_threads_flags());
        append(s.argv, settings_to_flags(dpo, {"pairs"}));
        s.resumable = true;
        add(std::move(s));
        add_eval("dpo", out);
      }
      model = out;
    }
    if (enabled("rag-sft")) {
      // rag-sft: the model learns to answer from retrieved excerpts and cite them, on the grounded
      // rows; keep_sft: true mixes the SFT data back in, so what it learned before stays.
      const Json settings = recipe.stage_settings("rag-sft");
      std::string out = path_of("rag-sft");
      std::string data = grounded_rows();
      std::vector<std::string> inputs{model, data};
      if (settings.value("keep_sft", false)) {
        data += "," + sft_data;
        append(inputs, sft_files);
      }
      if (!reused("rag-sft")) {
        Stage s{"rag-sft", "train", {"sft", "--base", model, "--data", data, "-o", out}, inputs, out, out};
        append(s.argv, training_threads_flags());
        append(s.argv, settings_to_flags(settings, {"keep_sft"}));
        s.resumable = true;
        add(std::move(s));
        add_eval("rag-sft", out);
      }
      model = out;
    }
    if (enabled("export")) {
      Json ex = recipe.stage_settings("export");
      Json types = ex.value("types", Json::array({"q8_0", "q4_0"}));
      for (const auto& t : types) {
        std::string type = t.get<std::string>();
        std::string file = dir + "/export/model-" + type + ".gguf";
        // `quantize` (engine, in every build) does the HF dir → GGUF conversion `export` does.
        add(Stage{"export-" + type, "export", {"quantize", model, file, type}, {model}, file, file});
        add_eval(type, file);
        if (enabled("bench")) {
          Stage b{"bench-" + type, "bench", {"bench", "-m", file, "--json"}, {file}, dir + "/bench/" + type + ".jsonl", file};
          append(b.argv, threads_flag());
          append(b.argv, settings_to_flags(recipe.stage_settings("bench"), {}));
          b.stdout_is_output = true;
          add(std::move(b));
        }
      }
    }
  }
};

// Recursively merges `patch` into `base` (objects merge, everything else replaces).
void merge_into(Json& base, const Json& patch) {
  for (auto it = patch.begin(); it != patch.end(); ++it) {
    if (base.contains(it.key()) && base[it.key()].is_object() && it->is_object()) merge_into(base[it.key()], *it);
    else base[it.key()] = *it;
  }
}

}  // namespace

std::vector<std::string> input_paths(const Recipe& recipe, const std::string& key) {
  std::vector<std::string> out;
  if (!recipe.inputs.contains(key)) return out;
  const Json& v = recipe.inputs[key];
  auto add = [&](const Json& item) {
    if (!item.is_string()) fail(recipe.path, ": inputs.", key, " must be a path or a list of paths");
    std::string p = item.get<std::string>();
    if (!fs::exists(p)) fail(recipe.path, ": inputs.", key, ": ", p, " does not exist");
    out.push_back(p);
  };
  if (v.is_array()) for (const auto& item : v) add(item);
  else add(v);
  return out;
}

std::vector<Stage> plan_stages(const Recipe& recipe, const std::string& run_dir) {
  Planner main{recipe, run_dir, ""};
  main.plan();
  std::vector<Stage> all = std::move(main.stages);

  for (const auto& ab : recipe.ablations) {
    const std::string name = json_require<std::string>(ab, "name", recipe.path + ": ablations[]");
    Recipe variant = recipe;
    if (ab.contains("stages")) merge_into(variant.stages, ab["stages"]);
    std::vector<std::string> skip = ab.value("skip", std::vector<std::string>{});
    // The first stage (in pipeline order) the ablation changes: everything before it is shared.
    size_t first = Planner::kOrder.size();
    for (size_t i = 0; i < Planner::kOrder.size(); ++i) {
      const auto& st = Planner::kOrder[i];
      bool changed = std::find(skip.begin(), skip.end(), st) != skip.end() ||
                     variant.stage_settings(st) != recipe.stage_settings(st);
      if (changed) {
        first = i;
        break;
      }
    }
    if (first == Planner::kOrder.size()) fail(recipe.path, ": ablation '", name, "' changes nothing");
    Planner p{variant, run_dir + "/ablations/" + name, name, skip, run_dir, first};
    p.plan();
    for (auto& s : p.stages) all.push_back(std::move(s));
  }
  return all;
}

}  // namespace gemba::pipeline
