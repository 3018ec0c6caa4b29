// truefalse.jsonl: the 2-choice knowledge test. One statement per fact; labels are balanced
// within every (split, category) group; a false statement takes the value of the same
// attribute from another product of the family, so it is plausible but wrong.
#include "core/error.h"
#include "fa-sample.h"
#include "rng.h"
#include "text-template.h"

namespace gemba::tools {
namespace {

// Statement templates per fact kind and language; {P} model, {A} attribute name, {N}
// parameter number or error code, {V} the value (true or swapped in).
struct TestPhrasings {
  std::map<std::string, std::vector<std::string>> ja, en;
  const char* id_prefix;
};

// The test's own phrasing (plain form), kept apart from the manuals' and FAQ's phrasings.
const TestPhrasings& main_phrasings() {
  static const TestPhrasings kMain{
      {{"spec", {"{P}の{A}は{V}である。"}},
       {"param-default", {"{P}のパラメーター{N}（{A}）の初期値は{V}である。"}},
       {"param-range", {"{P}のパラメーター{N}（{A}）の設定範囲は{V}である。"}},
       {"error-meaning", {"{P}でエラーコード{N}が表示されたとき、その内容は「{V}」である。"}},
       {"error-remedy", {"{P}でエラーコード{N}が発生したときの対処は「{V}」である。"}},
       {"procedure", {"{P}で{A}を行う操作は「{V}」である。"}}},
      {{"spec", {"The {A} of the {P} is {V}."}},
       {"param-default", {"The default value of parameter {N} ({A}) on the {P} is {V}."}},
       {"param-range", {"The setting range of parameter {N} ({A}) on the {P} is {V}."}},
       {"error-meaning", {"Error code {N} on the {P} means: {V}."}},
       {"error-remedy", {"The remedy for error code {N} on the {P} is: {V}."}},
       {"procedure", {"The {A} on the {P} is done as follows: {V}."}}},
      "tf-"};
  return kMain;
}

// A second test of the same facts in other words: colloquial, some values without quotes, two
// templates per kind. Unlike the main test's, none of these phrasings reads like a manual
// sentence with the value swapped, so it shows how much a score owes to the test's wording.
const TestPhrasings& paraphrased_phrasings() {
  static const TestPhrasings kParaphrased{
      {{"spec", {"{P}という機種は、{A}が{V}になっている。", "{P}を使うなら、{A}は{V}だと考えてよい。"}},
       {"param-default", {"{P}のパラメーター{N}（{A}）を一度も変えていなければ、値は{V}だ。",
                          "{P}を買ったばかりの状態では、{A}（{N}）が{V}になっている。"}},
       {"param-range", {"{P}で{A}（パラメーター{N}）に入力できるのは{V}の値だ。", "{P}のパラメーター{N}（{A}）は{V}の間で調整できる。"}},
       {"error-meaning", {"{P}に{N}が出ているなら、起きている異常は「{V}」だ。", "{P}の{N}というエラーは{V}を意味する。"}},
       {"error-remedy", {"{P}で{N}が出たら、「{V}」のが正しい対処だ。", "{P}の{N}を解消したいときは{V}とよい。"}},
       {"procedure", {"{P}の{A}をしたいときは、「{V}」とよい。", "{P}で{A}をするための手順は{V}ことだ。"}}},
      {{"spec", {"Looking at the {P}, its {A} comes to {V}.", "If you use the {P}, its {A} will be {V}."}},
       {"param-default", {"Out of the box, the {P} has parameter {N} ({A}) at {V}.",
                          "Unless someone changed it, parameter {N} ({A}) on the {P} reads {V}."}},
       {"param-range", {"Parameter {N} ({A}) of the {P} can take any value within {V}.", "You can adjust {A} ({N}) on the {P} within {V}."}},
       {"error-meaning", {"When the {P} displays {N}, the problem is {V}.", "The {P} raises error {N} for {V}."}},
       {"error-remedy", {"The right response to {N} on the {P} is to {V}.", "If the {P} stops with {N}, the fix is to {V}."}},
       {"procedure", {"Here is how the {A} works on the {P}: {V}.", "For the {A} of the {P}, the operator must {V}."}}},
      "tp-"};
  return kParaphrased;
}

const std::vector<std::string>& statement_templates(const TestPhrasings& phrasings, const std::string& kind, bool ja) {
  const auto& table = ja ? phrasings.ja : phrasings.en;
  auto it = table.find(kind);
  GEMBA_ASSERT(it != table.end() && !it->second.empty(), "no statement template for ", kind);
  return it->second;
}

// Every fourth statement (balanced per split) is in English.
constexpr size_t kEnglishEvery = 4;

}  // namespace

std::string write_truefalse(const KnowledgeBase& kb, TrueFalseStats& stats, TestWording wording) {
  using OJ = nlohmann::ordered_json;
  const bool main_test = wording == TestWording::kMain;
  const TestPhrasings& phrasings = main_test ? main_phrasings() : paraphrased_phrasings();
  // Labels, languages and wrong values: the main test's stream as it always was; the
  // paraphrased test draws its own, and picks its templates from a stream of their own.
  Rng rng(kb.seed ^ (main_test ? 0x7466ull : 0x7470ull));  // "tf" / "tp"
  Rng template_rng(kb.seed ^ 0x74706bull);

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
    const std::vector<std::string>& templates = statement_templates(phrasings, f.kind, ja);
    const std::string& chosen = templates.size() == 1 ? templates.front() : template_rng.pick(templates);
    std::string statement = fill(chosen, vars(shown));
    std::string truth = fill(chosen, vars(f.value));
    std::string reference;
    if (ja) {
      reference = label[i] ? "正しい。" + truth : "誤り。正しくは、" + truth;
    } else {
      reference = label[i] ? "True. " + truth : "False. Correct statement: " + truth;
    }
    OJ line;
    char id[32];
    std::snprintf(id, sizeof id, "%s%04zu", phrasings.id_prefix, i + 1);
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
