#include "pipeline/report.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <utility>

#include "core/atomic-output.h"

namespace gemba::pipeline {
namespace fs = std::filesystem;
namespace {

struct ModelRow {
  std::string name, model, kind;
  Json accuracy = Json::object();  // group -> {accuracy, ci95, n}, on the main test
  Json other_tests = Json::object();  // test name -> group -> {accuracy, ci95, n}
  Json grounded = Json::object();     // test name ("" main) -> group -> row: asked with retrieved excerpts
  Json retrieval = Json::object();    // test name -> recall@k of the deciding passage, where the test names it
  Json knowledge;                  // knowledge probe (eval/knowledge-probe.h), when run
  double val_ppl = NAN, train_tok_s = NAN, wall_s = NAN, decode_tok_s = NAN, prefill_tok_s = NAN;
  double model_bytes = NAN, peak_rss = NAN;
};

std::vector<Json> read_jsonl(const std::string& path) {
  std::vector<Json> out;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] != '{') continue;
    try {
      out.push_back(Json::parse(line));
    } catch (...) {
    }
  }
  return out;
}

double median(std::vector<double> v) {
  if (v.empty()) return NAN;
  std::sort(v.begin(), v.end());
  return v.size() % 2 ? v[v.size() / 2] : 0.5 * (v[v.size() / 2 - 1] + v[v.size() / 2]);
}

double bytes_of_model(const std::string& path) {
  std::error_code ec;
  if (fs::is_regular_file(path, ec)) return double(fs::file_size(path, ec));
  if (!fs::is_directory(path, ec)) return NAN;
  double total = 0;
  for (const auto& e : fs::directory_iterator(path, ec))
    if (e.path().extension() == ".safetensors") total += double(e.file_size(ec));
  return total > 0 ? total : NAN;
}

std::string fmt(double v, const char* spec) {
  if (std::isnan(v)) return "–";
  char buf[64];
  std::snprintf(buf, sizeof buf, spec, v);
  return buf;
}

// The knowledge probe's share of (true, value-swapped) manual sentence pairs the LM gets right.
std::string fmt_knowledge(const Json& k) {
  if (!k.is_object() || !k.contains("accuracy")) return "–";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.1f%%", 100 * k["accuracy"].get<double>());
  return buf;
}

std::string fmt_accuracy(const Json& acc, const std::string& group) {
  if (!acc.contains(group)) return "–";
  const Json& a = acc[group];
  char buf[96];
  std::snprintf(buf, sizeof buf, "%.1f%% [%.1f, %.1f]", 100 * a["accuracy"].get<double>(), 100 * a["ci95"][0].get<double>(),
                100 * a["ci95"][1].get<double>());
  return buf;
}

// Recall mode's strict score (eval/accuracy-report.h): all, then the two splits, without intervals.
std::string fmt_strict(const Json& acc) {
  if (!acc.contains("strict")) return "–";
  char buf[96];
  auto pct = [&](const std::string& g) {
    if (!acc.contains(g)) return std::string("–");
    char p[32];
    std::snprintf(p, sizeof p, "%.1f", 100 * acc[g]["accuracy"].get<double>());
    return std::string(p);
  };
  std::snprintf(buf, sizeof buf, "%.1f%% (%s / %s)", 100 * acc["strict"]["accuracy"].get<double>(), pct("strict split=faq").c_str(),
                pct("strict split=manual").c_str());
  return buf;
}

Json nan_to_null(double v) { return std::isnan(v) ? Json(nullptr) : Json(v); }

std::string fmt_recall(const Json& retrieval, const std::string& test) {
  if (!retrieval.contains(test) || !retrieval[test].is_object()) return "–";
  const Json& r = retrieval[test];
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.1f%% (k=%d)", 100 * r["recall"].get<double>(), r["k"].get<int>());
  return buf;
}

// One row per model and test that was asked with retrieved excerpts, and the rule's rows.
std::string grounded_table(const std::vector<ModelRow>& rows) {
  std::string out;
  for (const auto& r : rows)
    for (const auto& [test, acc] : r.grounded.items())
      out += cat("| ", r.name, " | ", test.empty() ? "main" : test, " | ", fmt_accuracy(acc, "all"), " | ", fmt_accuracy(acc, "split=faq"),
                 " | ", fmt_accuracy(acc, "split=manual"), " | ", fmt_strict(acc), " | ", fmt_recall(r.retrieval, test), " |\n");
  if (out.empty()) return out;
  return "| with retrieval | test | all | faq split | manual split | strict | recall@k |\n|---|---|---|---|---|---|---|\n" + out;
}

}  // namespace

std::string loss_curves_svg(const std::vector<std::pair<std::string, std::vector<std::pair<double, double>>>>& series) {
  const double width = 720, height = 360, left = 60, right = 160, top = 20, bottom = 40;
  double max_x = 1, min_y = INFINITY, max_y = -INFINITY;
  // Stages are drawn one after another along x (cumulative steps).
  std::vector<double> offsets;
  double offset = 0;
  for (const auto& [name, pts] : series) {
    offsets.push_back(offset);
    double last = 0;
    for (auto [x, y] : pts) {
      last = std::max(last, x);
      if (std::isfinite(y)) min_y = std::min(min_y, y), max_y = std::max(max_y, y);
    }
    offset += last;
  }
  max_x = std::max(1.0, offset);
  if (!std::isfinite(min_y)) min_y = 0, max_y = 1;
  if (max_y - min_y < 1e-9) max_y = min_y + 1;
  auto sx = [&](double x) { return left + (width - left - right) * x / max_x; };
  auto sy = [&](double y) { return top + (height - top - bottom) * (1 - (y - min_y) / (max_y - min_y)); };
  static const char* colors[] = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"};
  std::string svg = cat("<svg xmlns='http://www.w3.org/2000/svg' width='", width, "' height='", height,
                        "' font-family='sans-serif' font-size='12'>\n<rect width='100%' height='100%' fill='white'/>\n");
  svg += cat("<line x1='", left, "' y1='", height - bottom, "' x2='", width - right, "' y2='", height - bottom, "' stroke='black'/>\n");
  svg += cat("<line x1='", left, "' y1='", top, "' x2='", left, "' y2='", height - bottom, "' stroke='black'/>\n");
  for (int i = 0; i <= 4; ++i) {
    double y = min_y + (max_y - min_y) * i / 4;
    svg += cat("<text x='", left - 6, "' y='", sy(y) + 4, "' text-anchor='end'>", fmt(y, "%.2f"), "</text>\n");
  }
  svg += cat("<text x='", (width - right + left) / 2, "' y='", height - 8, "' text-anchor='middle'>step (stages in order)</text>\n");
  svg += cat("<text x='14' y='", (height - bottom) / 2, "' transform='rotate(-90 14,", (height - bottom) / 2, ")'>loss</text>\n");
  for (size_t i = 0; i < series.size(); ++i) {
    const auto& [name, pts] = series[i];
    std::string points;
    for (auto [x, y] : pts)
      if (std::isfinite(y)) points += cat(fmt(sx(offsets[i] + x), "%.1f"), ",", fmt(sy(y), "%.1f"), " ");
    const char* color = colors[i % 6];
    svg += cat("<polyline fill='none' stroke='", color, "' stroke-width='1.5' points='", points, "'/>\n");
    svg += cat("<text x='", width - right + 10, "' y='", top + 16 * (i + 1), "' fill='", color, "'>", name, "</text>\n");
  }
  return svg + "</svg>\n";
}

std::string write_report(const Recipe& recipe, const std::vector<Stage>& stages, const std::string& run_dir) {
  Json manifest = fs::exists(run_dir + "/manifest.json") ? read_json_file(run_dir + "/manifest.json") : Json::object();
  Json stage_records = manifest.value("stages", Json::object());
  std::vector<ModelRow> rows;
  std::map<std::string, size_t> row_of_model;
  auto row_for = [&](const std::string& model, const std::string& name, const std::string& kind) -> ModelRow& {
    auto it = row_of_model.find(model);
    if (it != row_of_model.end()) return rows[it->second];
    ModelRow row;
    row.name = name;
    row.model = model;
    row.kind = kind;
    rows.push_back(std::move(row));
    row_of_model[model] = rows.size() - 1;
    return rows.back();
  };
  std::vector<std::pair<std::string, std::vector<std::pair<double, double>>>> curves;
  for (const auto& s : stages) {
    double wall = stage_records.contains(s.name) ? stage_records[s.name].value("wall_s", NAN) : NAN;
    if (s.kind == "train" || s.kind == "export") {
      ModelRow& row = row_for(s.model, s.name, s.kind);
      row.wall_s = wall;
      row.model_bytes = bytes_of_model(s.model);
      if (s.kind == "train") {
        std::vector<double> rates;
        std::vector<std::pair<double, double>> curve;
        const bool lm_stage = !s.argv.empty() && (s.argv[0] == "pretrain" || s.argv[0] == "cpt");
        for (const auto& m : read_jsonl(s.output + "/metrics.jsonl")) {
          if (m.contains("tokens_per_s") && m["tokens_per_s"].is_number()) rates.push_back(m["tokens_per_s"].get<double>());
          // Perplexity on held-out manuals: what pretrain/cpt validate on (sft validates on FAQ
          // answers, dpo reports a preference loss; neither is a manual perplexity).
          if (lm_stage && m.contains("val_loss") && m["val_loss"].is_number()) row.val_ppl = std::exp(m["val_loss"].get<double>());
          if (m.contains("loss") && m["loss"].is_number() && m.contains("step"))
            curve.emplace_back(m["step"].get<double>(), m["loss"].get<double>());
        }
        row.train_tok_s = median(rates);
        if (!curve.empty()) curves.emplace_back(s.name, curve);
      }
    } else if (s.kind == "eval") {
      // eval-<model>, eval-grounded-<model> (asked with retrieved excerpts), eval-rule (no model).
      const bool with_index = s.name.find("eval-grounded-") != std::string::npos;
      const bool rule = s.model == "rule";
      ModelRow& row = row_for(s.model, rule ? "retrieval only (no model)"
                                            : s.name.substr(0, s.name.rfind("eval-")) + s.name.substr(s.name.rfind("eval-") + 5),
                              "given");
      if (fs::exists(s.output + "/report.json")) {
        Json rep = read_json_file(s.output + "/report.json");
        if (rep.contains("retrieval") && !rep["retrieval"].is_null()) row.retrieval[s.test] = rep["retrieval"];
        Json& accuracy = with_index || rule ? row.grounded[s.test] : s.test.empty() ? row.accuracy : row.other_tests[s.test];
        for (const auto& r : rep.value("rows", Json::array())) accuracy[r["group"].get<std::string>()] = r;
        if (rep.contains("knowledge") && rep["knowledge"].is_object()) row.knowledge = rep["knowledge"];
      }
    } else if (s.kind == "bench") {
      ModelRow& row = row_for(s.model, s.name, "export");
      std::vector<double> decode, prefill;
      for (const auto& b : read_jsonl(s.output)) {
        if (b.value("n_gen", 0) > 0) decode.push_back(b.value("avg_ts", NAN));
        else if (b.value("n_prompt", 0) > 0) prefill.push_back(b.value("avg_ts", NAN));
        if (b.contains("peak_rss_bytes")) row.peak_rss = std::max(std::isnan(row.peak_rss) ? 0.0 : row.peak_rss, b["peak_rss_bytes"].get<double>());
      }
      row.decode_tok_s = median(decode);
      row.prefill_tok_s = median(prefill);
    }
  }

  const std::string mode = recipe.stage_settings("eval").value("mode", std::string("loglik"));
  const std::string how = mode == "recall"  ? " (eval mode recall: the model says what the manual says; the statement counts as "
                                              "true when that names the same values: numbers and codes, and with stages.statements the values the "
                                              "manuals write as words, statements/contrasts.jsonl)"
                          : mode == "loglik" ? " (eval mode loglik: the likelier of the two answers)"
                                             : " (eval mode " + mode + ")";
  std::string md = cat("# gemba run: ", recipe.name, "\n\nRecipe: `", recipe.path, "`. Accuracy on the 2-choice test", how, " with ",
                       "Wilson 95% intervals; chance is 50%. \"knows facts\": how often the model, as a plain LM, gives a manual ",
                       "sentence a higher likelihood than the same sentence with another product's value (the knowledge ",
                       "probe, `gemba eval knowledge`; 50% = values not bound to products).",
                       mode == "recall" ? " \"strict\" (all, faq / manual): the verdict is right and the recalled sentence also names "
                                          "the reference answer's values, so a false statement answered with another attribute or "
                                          "another wrong value counts as wrong." : "",
                       "\n\n");
  std::string table =
      "| model | test all | faq split | manual split | strict | knows facts | val ppl | train tok/s | wall s | size MB | prefill tok/s | decode tok/s | peak RSS MB |\n"
      "|---|---|---|---|---|---|---|---|---|---|---|---|---|\n";
  // The other test sets (inputs.test after the first), one row per model and test.
  std::string other_table;
  for (const auto& r : rows)
    for (const auto& [test, acc] : r.other_tests.items())
      other_table += cat("| ", r.name, " | ", test, " | ", fmt_accuracy(acc, "all"), " | ", fmt_accuracy(acc, "split=faq"), " | ",
                         fmt_accuracy(acc, "split=manual"), " | ", fmt_strict(acc), " |\n");
  if (!other_table.empty())
    other_table = "| model | test | all | faq split | manual split | strict |\n|---|---|---|---|---|---|\n" + other_table;
  Json json_rows = Json::array();
  for (const auto& r : rows) {
    table += cat("| ", r.name, " | ", fmt_accuracy(r.accuracy, "all"), " | ", fmt_accuracy(r.accuracy, "split=faq"), " | ",
                 fmt_accuracy(r.accuracy, "split=manual"), " | ", fmt_strict(r.accuracy), " | ", fmt_knowledge(r.knowledge), " | ", fmt(r.val_ppl, "%.2f"), " | ", fmt(r.train_tok_s, "%.0f"), " | ",
                 fmt(r.wall_s, "%.0f"), " | ", fmt(r.model_bytes / 1e6, "%.1f"), " | ", fmt(r.prefill_tok_s, "%.1f"), " | ",
                 fmt(r.decode_tok_s, "%.1f"), " | ", fmt(r.peak_rss / 1e6, "%.0f"), " |\n");
    json_rows.push_back({{"model", r.name}, {"path", r.model}, {"accuracy", r.accuracy}, {"other_tests", r.other_tests},
                         {"grounded", r.grounded}, {"retrieval", r.retrieval}, {"knowledge", r.knowledge}, {"val_ppl", nan_to_null(r.val_ppl)},
                         {"train_tokens_per_s", nan_to_null(r.train_tok_s)}, {"wall_s", nan_to_null(r.wall_s)},
                         {"model_bytes", nan_to_null(r.model_bytes)}, {"prefill_tokens_per_s", nan_to_null(r.prefill_tok_s)},
                         {"decode_tokens_per_s", nan_to_null(r.decode_tok_s)}, {"peak_rss_bytes", nan_to_null(r.peak_rss)}});
  }
  md += table;
  if (!other_table.empty()) md += "\nThe other test sets (`inputs.test` after the first):\n\n" + other_table;
  const std::string grounded = grounded_table(rows);
  if (!grounded.empty())
    md += "\nGrounded answers: each statement asked with the manual excerpts the passage index finds for it. \"retrieval "
          "only\" is the rule without a model: the excerpt piece most about the statement decides (eval/retrieval-rule.h); "
          "a model \"with retrieval\" quotes an excerpt and cites it, and the same claim checker reads its quote. "
          "recall@k: how often the deciding passage was among the excerpts, where the test names it.\n\n" + grounded;
  if (!curves.empty()) {
    write_file_atomic(run_dir + "/loss-curves.svg", loss_curves_svg(curves));
    md += "\n![training loss](loss-curves.svg)\n";
  }
  write_file_atomic(run_dir + "/report.md", md);
  write_json_file(run_dir + "/report.json", {{"recipe", recipe.path}, {"name", recipe.name}, {"rows", json_rows}});
  return other_table.empty() ? table : table + "\n" + other_table;
}

}  // namespace gemba::pipeline
