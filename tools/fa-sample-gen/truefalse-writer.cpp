// truefalse.jsonl: the 2-choice knowledge test. One statement per fact; labels are balanced
// within every (split, category) group; a false statement takes the value of the same
// attribute from another product of the family, so it is plausible but wrong.
#include "core/error.h"
#include "fa-sample.h"
#include "rng.h"
#include "text-template.h"

namespace gemba::tools {
namespace {

// The test's own phrasing (plain form), kept apart from the manuals' and FAQ's phrasings.
const std::string& statement_template(const std::string& kind, bool ja) {
  static const std::map<std::string, std::string> kJa = {
      {"spec", "{P}の{A}は{V}である。"},
      {"param-default", "{P}のパラメーター{N}（{A}）の初期値は{V}である。"},
      {"param-range", "{P}のパラメーター{N}（{A}）の設定範囲は{V}である。"},
      {"error-meaning", "{P}でエラーコード{N}が表示されたとき、その内容は「{V}」である。"},
      {"error-remedy", "{P}でエラーコード{N}が発生したときの対処は「{V}」である。"},
      {"procedure", "{P}で{A}を行う操作は「{V}」である。"},
  };
  static const std::map<std::string, std::string> kEn = {
      {"spec", "The {A} of the {P} is {V}."},
      {"param-default", "The default value of parameter {N} ({A}) on the {P} is {V}."},
      {"param-range", "The setting range of parameter {N} ({A}) on the {P} is {V}."},
      {"error-meaning", "Error code {N} on the {P} means: {V}."},
      {"error-remedy", "The remedy for error code {N} on the {P} is: {V}."},
      {"procedure", "The {A} on the {P} is done as follows: {V}."},
  };
  const auto& table = ja ? kJa : kEn;
  auto it = table.find(kind);
  GEMBA_ASSERT(it != table.end(), "no statement template for ", kind);
  return it->second;
}

// Every fourth statement (balanced per split) is in English.
constexpr size_t kEnglishEvery = 4;

}  // namespace

std::string write_truefalse(const KnowledgeBase& kb, TrueFalseStats& stats) {
  using OJ = nlohmann::ordered_json;
  Rng rng(kb.seed ^ 0x7466ull);  // "tf"

  // Labels: a balanced, shuffled list per (split, category); languages per split.
  std::map<std::string, std::vector<size_t>> groups, split_groups;
  for (size_t i = 0; i < kb.facts.size(); ++i) {
    groups[kb.facts[i].split + "/" + kb.facts[i].category].push_back(i);
    split_groups[kb.facts[i].split].push_back(i);
  }
  std::vector<int> label(kb.facts.size()), english(kb.facts.size());
  bool start_true = true;
  for (auto& [name, ids] : groups) {
    std::vector<int> labels;
    for (size_t k = 0; k < ids.size(); ++k) labels.push_back((k % 2 == 0) == start_true);
    if (ids.size() % 2) start_true = !start_true;  // odd groups alternate which label gets the extra one
    rng.shuffle(labels);
    for (size_t k = 0; k < ids.size(); ++k) label[ids[k]] = labels[k];
  }
  for (auto& [name, ids] : split_groups) {
    std::vector<int> langs;
    for (size_t k = 0; k < ids.size(); ++k) langs.push_back(k % kEnglishEvery == kEnglishEvery - 1);
    rng.shuffle(langs);
    for (size_t k = 0; k < ids.size(); ++k) english[ids[k]] = langs[k];
  }

  std::string out;
  for (size_t i = 0; i < kb.facts.size(); ++i) {
    const Fact& f = kb.facts[i];
    const bool ja = !english[i];
    const Text& shown = label[i] ? f.value : rng.pick(f.wrong_values);
    auto vars = [&](const Text& value) {
      return std::map<std::string, std::string>{{"P", f.product}, {"A", ja ? f.name.ja : f.name.en}, {"N", f.subject}, {"V", ja ? value.ja : value.en}};
    };
    std::string statement = fill(statement_template(f.kind, ja), vars(shown));
    std::string truth = fill(statement_template(f.kind, ja), vars(f.value));
    std::string reference;
    if (ja) {
      reference = label[i] ? "正しい。" + truth : "誤り。正しくは、" + truth;
    } else {
      reference = label[i] ? "True. " + truth : "False. Correct statement: " + truth;
    }
    OJ line;
    char id[32];
    std::snprintf(id, sizeof id, "tf-%04zu", i + 1);
    line["id"] = id;
    line["lang"] = ja ? "ja" : "en";
    line["split"] = f.split;
    line["category"] = f.category;
    line["product"] = f.product;
    line["fact_id"] = f.id;
    line["statement"] = statement;
    line["label"] = static_cast<bool>(label[i]);
    line["reference_answer"] = reference;
    out += line.dump() + "\n";
    ++stats.total;
    ++stats.counts[f.split + "/" + (label[i] ? "true" : "false")];
    ++stats.counts["category/" + f.category];
    ++stats.counts["lang/" + std::string(ja ? "ja" : "en")];
  }
  return out;
}

}  // namespace gemba::tools
