// Manuals in Markdown, Japanese and English, one per model plus a selection guide per
// family. Each fact is stated several times in different phrasings (spec table, prose,
// parameter descriptions, troubleshooting, procedures, a summary): repetition with
// paraphrase is what lets a small model learn facts from few documents ("knowledge
// augmentation", Allen-Zhu & Li 2023, "Physics of Language Models: Part 3.1").
#include "core/error.h"
#include "fa-sample.h"
#include "rng.h"
#include "text-template.h"

namespace gemba::tools {
namespace {

using Vars = std::map<std::string, std::string>;

struct Lang {
  bool ja;
  const std::string& of(const Text& t) const { return ja ? t.ja : t.en; }
};

// Phrasings of one fact, per kind and language. Slots: {P} model, {F} family name,
// {A} attribute/parameter/procedure name, {N} parameter number or error code, {V} value,
// {M} error meaning (remedy facts).
const std::vector<std::string>& phrasings(const std::string& kind, bool ja) {
  static const std::map<std::string, std::vector<std::string>> kJa = {
      {"spec",
       {"{P}の{A}は{V}です。", "{A}について見ると、{P}は{V}です。", "{P}は{A}が{V}の{F}です。",
        "{P}を選定するときは、{A}が{V}であることを確認してください。", "{P}の仕様上の{A}は{V}となっています。",
        "{A}：{V}（{P}）。", "{P}では{A}として{V}を備えています。"}},
      {"param-default",
       {"{P}のパラメーター{N}（{A}）の初期値は{V}です。", "{N}（{A}）は、{P}では工場出荷時に{V}に設定されています。",
        "{P}で{A}（{N}）を変更していなければ、設定値は初期値の{V}のままです。", "{P}の{N}の初期値：{V}。",
        "{A}の初期値は、{P}の場合{V}です（パラメーター{N}）。"}},
      {"param-range",
       {"{P}のパラメーター{N}（{A}）の設定範囲は{V}です。", "{P}では、{A}（{N}）を{V}の範囲で設定できます。",
        "{N}（{A}）に設定できる値は、{P}の場合{V}です。", "{P}の{N}の設定範囲：{V}。",
        "{A}は、{P}では{V}の範囲で変更できます（パラメーター{N}）。"}},
      {"error-meaning",
       {"{P}のエラーコード{N}は「{V}」を示します。", "{P}で{N}が表示されたときは、{V}が発生しています。",
        "{N}：{V}（{P}のエラーコード）。", "{P}の表示に{N}が出た場合、その内容は{V}です。",
        "{V}が起きると、{P}はエラーコード{N}を表示します。"}},
      {"error-remedy",
       {"{P}で{N}（{M}）が発生したときは、{V}。", "{P}のエラー{N}への対処：{V}。",
        "{P}のエラーコード{N}を解消するには、{V}。", "{N}が表示された{P}では、原因を取り除くために{V}。",
        "{M}（{N}）の対処方法は、{P}の場合「{V}」です。"}},
      {"procedure",
       {"{P}で{A}を行うには、{V}。", "{P}の{A}の操作：{V}。", "{A}が必要なときは、{P}では{V}ことで実行できます。",
        "{P}の{A}は「{V}」という操作で行います。", "{A}（{P}）：{V}。"}},
  };
  static const std::map<std::string, std::vector<std::string>> kEn = {
      {"spec",
       {"The {A} of the {P} is {V}.", "For the {P}, the {A} is {V}.", "The {P} is {F} whose {A} is {V}.",
        "When you select the {P}, note that its {A} is {V}.", "According to its specifications, the {P} has a {A} of {V}.",
        "{A}: {V} ({P}).", "The {P} offers {V} as its {A}."}},
      {"param-default",
       {"On the {P}, parameter {N} ({A}) defaults to {V}.", "{N} ({A}) is set to {V} at the factory on the {P}.",
        "If {A} ({N}) has not been changed on the {P}, it is still at its default of {V}.", "{P} {N} default: {V}.",
        "The default {A} of the {P} is {V} (parameter {N})."}},
      {"param-range",
       {"On the {P}, parameter {N} ({A}) can be set from {V}.", "The {P} accepts {A} ({N}) values of {V}.",
        "The setting range of {N} ({A}) on the {P} is {V}.", "{P} {N} range: {V}.",
        "On the {P}, {A} can be changed within {V} (parameter {N})."}},
      {"error-meaning",
       {"On the {P}, error code {N} indicates {V}.", "When the {P} shows {N}, it reports {V}.",
        "{N}: {V} (error code of the {P}).", "If {N} appears on the {P}, it means {V}.",
        "The {P} shows error code {N} for {V}."}},
      {"error-remedy",
       {"When {N} ({M}) occurs on the {P}, {V}.", "Remedy for error {N} on the {P}: {V}.",
        "To clear error code {N} on the {P}, {V}.", "If the {P} shows {N}, remove the cause: {V}.",
        "The remedy for {M} ({N}) on the {P} is to {V}."}},
      {"procedure",
       {"To perform the {A} on the {P}, {V}.", "{A} on the {P}: {V}.", "When the {A} is needed on the {P}, {V}.",
        "On the {P}, the {A} is done as follows: {V}.", "{A} ({P}): {V}."}},
  };
  const auto& table = ja ? kJa : kEn;
  auto it = table.find(kind);
  GEMBA_ASSERT(it != table.end(), "no phrasings for ", kind);
  return it->second;
}

}  // namespace

// One sentence stating a fact; `variant` picks the phrasing.
std::string fact_sentence(const KnowledgeBase& kb, const Fact& f, bool ja, size_t variant) {
  Lang L{ja};
  const FamilyDef& fam = kb.families[f.family];
  Vars vars{{"P", f.product}, {"F", L.of(fam.name)}, {"A", L.of(f.name)}, {"N", f.subject}, {"V", L.of(f.value)}, {"M", L.of(f.name)}};
  if (!ja) vars["F"] = with_article(fam.name.en);
  const auto& list = phrasings(f.kind, ja);
  std::string out = fill(list[variant % list.size()], vars);
  return ja ? out : cap(out);
}

size_t fact_phrasing_count(const std::string& kind, bool ja) { return phrasings(kind, ja).size(); }

namespace {

// Picks distinct phrasing variants for the successive mentions of one fact.
class VariantPicker {
 public:
  VariantPicker(Rng& rng, size_t count) : order_(count) {
    for (size_t i = 0; i < count; ++i) order_[i] = i;
    rng.shuffle(order_);
  }
  size_t next() { return order_[used_++ % order_.size()]; }

 private:
  std::vector<size_t> order_;
  size_t used_ = 0;
};

struct Headings {
  const char *manual, *notice, *overview, *specs, *spec_notes, *item, *params, *param_details, *number, *name, *range,
      *default_value, *errors, *code, *meaning, *cause, *remedy, *troubleshooting, *symptom_label, *procedures, *summary,
      *model, *questions;
};

const Headings kJaHeadings = {"ユーザーズマニュアル", "本書は架空の製品について説明するサンプル文書です。製品名・仕様・数値はすべて架空のものです。",
                              "概要", "仕様", "仕様の補足", "項目", "パラメーター一覧", "パラメーターの説明", "No.", "名称",
                              "設定範囲", "初期値", "エラーコード一覧", "コード", "内容", "主な原因", "対処",
                              "トラブルシューティング", "現象", "操作手順", "要点のまとめ", "形式", "よくあるお問い合わせ"};
const Headings kEnHeadings = {"User's Manual", "This is a sample document about fictional products. All product names, specifications and values are invented.",
                              "Overview", "Specifications", "Notes on the specifications", "Item", "Parameter list", "Parameter descriptions",
                              "No.", "Name", "Setting range", "Default", "Error code list", "Code", "Meaning", "Main cause", "Remedy",
                              "Troubleshooting", "Symptom", "Operating procedures", "Key points", "Model", "Questions and answers"};

// "Q. ..." lines of the manuals' own Q&A section (worded unlike faq.jsonl).
std::string manual_question(const KnowledgeBase& kb, const Fact& f, bool ja, size_t variant) {
  static const std::map<std::string, std::vector<std::string>> kJa = {
      {"spec", {"Q. {P}の{A}は？", "Q. {A}について、{P}の場合を教えてください。"}},
      {"param-default", {"Q. {P}の{N}（{A}）は出荷時にどう設定されていますか。", "Q. {P}の{A}の初期値は？"}},
      {"param-range", {"Q. {P}の{N}（{A}）に設定できる範囲は？", "Q. {P}で{A}はどこまで変更できますか。"}},
      {"error-meaning", {"Q. {P}に{N}が表示されました。内容は？", "Q. {P}のコード{N}は何を表していますか。"}},
      {"error-remedy", {"Q. {P}で{N}が出たときの対処は？", "Q. {P}の{N}はどうすれば解消できますか。"}},
      {"procedure", {"Q. {P}の{A}はどう操作しますか。", "Q. {P}で{A}をしたいときの操作は？"}},
  };
  static const std::map<std::string, std::vector<std::string>> kEn = {
      {"spec", {"Q. Tell me the {A} of the {P}.", "Q. What {A} does the {P} have?"}},
      {"param-default", {"Q. What is {N} ({A}) set to when the {P} leaves the factory?", "Q. Default {A} on the {P}?"}},
      {"param-range", {"Q. Which range does {N} ({A}) accept on the {P}?", "Q. How far can {A} be changed on the {P}?"}},
      {"error-meaning", {"Q. The {P} shows {N}. What does it mean?", "Q. What does code {N} stand for on the {P}?"}},
      {"error-remedy", {"Q. What should I do about {N} on the {P}?", "Q. How is {N} cleared on the {P}?"}},
      {"procedure", {"Q. How is the {A} operated on the {P}?", "Q. Which operation performs the {A} on the {P}?"}},
  };
  const auto& list = (ja ? kJa : kEn).at(f.kind);
  Lang L{ja};
  Vars vars{{"P", f.product}, {"A", L.of(f.name)}, {"N", f.subject}};
  return fill(list[variant % list.size()], vars);
}

std::string cell(std::string s) {
  for (size_t i = 0; (i = s.find('|', i)) != std::string::npos; i += 2) s.replace(i, 1, "\\|");
  return s;
}

std::string product_manual(const KnowledgeBase& kb, const Product& p, bool ja, Rng rng) {
  Lang L{ja};
  const Headings& H = ja ? kJaHeadings : kEnHeadings;
  const FamilyDef& fam = kb.families[p.family];
  const std::string brand = ja ? kBrandJa : kBrandEn;
  std::map<std::string, VariantPicker> pickers;
  auto say = [&](const std::string& fact_id) {
    const Fact& f = kb.fact(fact_id);
    auto it = pickers.find(fact_id);
    if (it == pickers.end()) it = pickers.emplace(fact_id, VariantPicker(rng, fact_phrasing_count(f.kind, ja))).first;
    return fact_sentence(kb, f, ja, it->second.next());
  };
  const std::string sp = ja ? "" : " ";
  std::string o;
  o += "# " + p.model + " " + L.of(fam.name) + " " + H.manual + "\n\n";
  o += ja ? brand + " " + fam.series + "シリーズ\n\n" : brand + ", " + fam.series + " series\n\n";
  o += std::string("> ") + H.notice + "\n\n";

  // Overview: what the product is, then every spec fact in prose.
  o += std::string("## ") + H.overview + "\n\n";
  o += ja ? p.model + "は、" + brand + "の" + fam.series + "シリーズの" + fam.name.ja + "です。" + fam.purpose.ja + "として使用します。"
          : "The " + p.model + " is " + with_article(fam.name.en) + " of the " + brand + " " + fam.series + " series: " + fam.purpose.en + ".";
  for (const SpecEntry& s : p.specs)
    if (!s.fact_id.empty()) o += sp + say(s.fact_id);
  o += "\n\n";

  o += std::string("## ") + H.specs + "\n\n";
  o += std::string("| ") + H.item + " | " + p.model + " |\n|---|---|\n";
  o += std::string("| ") + H.model + " | " + p.model + " |\n";
  for (const SpecEntry& s : p.specs) o += "| " + cell(cap(L.of(s.name))) + " | " + cell(L.of(s.value)) + " |\n";
  o += "\n### " + std::string(H.spec_notes) + "\n\n";
  for (const SpecEntry& s : p.specs)
    if (!s.fact_id.empty()) o += "- " + say(s.fact_id) + sp + say(s.fact_id) + "\n";
  o += "\n";

  o += std::string("## ") + H.params + "\n\n";
  o += std::string("| ") + H.number + " | " + H.name + " | " + H.range + " | " + H.default_value + " |\n|---|---|---|---|\n";
  for (const ParamEntry& e : p.params)
    o += "| " + e.number + " | " + cell(cap(L.of(e.name))) + " | " + cell(L.of(e.range)) + " | " + cell(L.of(e.default_value)) + " |\n";
  o += "\n### " + std::string(H.param_details) + "\n\n";
  for (const ParamEntry& e : p.params) {
    o += "#### " + e.number + " " + cap(L.of(e.name)) + "\n\n" + L.of(e.description);
    o += ja ? "設定範囲は" + e.range.ja + "、初期値は" + e.default_value.ja + "です。"
            : " Setting range: " + e.range.en + ". Default: " + e.default_value.en + ".";
    if (!e.fact_id.empty()) o += sp + say(e.fact_id);
    o += "\n\n";
  }

  o += std::string("## ") + H.errors + "\n\n";
  o += std::string("| ") + H.code + " | " + H.meaning + " | " + H.cause + " | " + H.remedy + " |\n|---|---|---|---|\n";
  for (const ErrorEntry& e : p.errors)
    o += "| " + e.code + " | " + cell(cap(L.of(e.meaning))) + " | " + cell(cap(L.of(e.cause))) + " | " + cell(cap(L.of(e.remedy))) + " |\n";
  o += "\n";

  o += std::string("## ") + H.troubleshooting + "\n\n";
  for (const ErrorEntry& e : p.errors) {
    o += "### " + e.code + " " + cap(L.of(e.meaning)) + "\n\n";
    if (ja) {
      o += "- 現象：" + p.model + "の" + fam.display.ja + "に" + e.code + "が表示されます。\n";
      o += "- 内容：" + e.meaning.ja + "\n- 原因：" + e.cause.ja + "。\n- 対処：" + e.remedy.ja + "。\n\n";
    } else {
      o += "- Symptom: the " + fam.display.en + " of the " + p.model + " shows " + e.code + ".\n";
      o += "- Meaning: " + e.meaning.en + "\n- Cause: " + e.cause.en + ".\n- Remedy: " + e.remedy.en + ".\n\n";
    }
    if (!e.fact_id.empty()) o += say(e.fact_id) + "\n\n";
  }
  for (const SymptomDef& s : fam.symptoms) o += "### " + L.of(s.symptom) + "\n\n" + L.of(s.check) + "\n\n";

  o += std::string("## ") + H.procedures + "\n\n";
  for (const ProcedureEntry& e : p.procedures) {
    o += "### " + cap(L.of(e.name)) + "\n\n";
    if (e.key == "error-reset") {
      o += ja ? "1. エラーの原因を取り除きます。\n2. " + e.step.ja + "。\n3. " + fam.display.ja + "のエラー表示が消えたことを確認します。\n\n"
              : "1. Remove the cause of the error.\n2. " + cap(e.step.en) + ".\n3. Check that the error has disappeared from the " + fam.display.en + ".\n\n";
    } else {
      o += ja ? "1. 運転を停止し、変更したパラメーターを控えておきます。\n2. " + e.step.ja + "。\n3. 必要なパラメーターを再設定します。\n\n"
              : "1. Stop operation and write down the parameters you changed.\n2. " + cap(e.step.en) + ".\n3. Set the required parameters again.\n\n";
    }
    o += say(e.fact_id) + "\n\n";
  }

  o += std::string("## ") + H.questions + "\n\n";
  for (const Fact& f : kb.facts)
    if (f.product == p.model)
      for (size_t q = 0; q < 2; ++q) o += manual_question(kb, f, ja, q) + "\nA. " + say(f.id) + "\n\n";

  o += std::string("## ") + H.summary + "\n\n";
  for (const Fact& f : kb.facts)
    if (f.product == p.model) o += "- " + say(f.id) + "\n";
  return o;
}

std::string family_guide(const KnowledgeBase& kb, size_t fi, bool ja) {
  Lang L{ja};
  const FamilyDef& fam = kb.families[fi];
  const std::string brand = ja ? kBrandJa : kBrandEn;
  std::string o;
  o += ja ? "# " + fam.series + "シリーズ " + fam.name.ja + " 選定ガイド\n\n" : "# " + fam.series + " series " + fam.name.en + " selection guide\n\n";
  o += std::string("> ") + (ja ? kJaHeadings.notice : kEnHeadings.notice) + "\n\n";
  o += ja ? brand + "の" + fam.series + "シリーズは、" + fam.purpose.ja + "です。" + std::to_string(fam.models.size()) + "機種から用途に合わせて選定できます。\n\n"
          : "The " + brand + " " + fam.series + " series is " + fam.purpose.en + ". Choose from " + std::to_string(fam.models.size()) + " models.\n\n";
  std::vector<const Product*> products;
  for (const Product& p : kb.products)
    if (p.family == fi) products.push_back(&p);
  o += std::string("| ") + (ja ? kJaHeadings.model : kEnHeadings.model);
  std::string rule = "|---";
  for (const SpecEntry& s : products[0]->specs)
    if (!s.fact_id.empty()) o += " | " + cell(cap(L.of(s.name))), rule += "|---";
  o += " |\n" + rule + "|\n";
  for (const Product* p : products) {
    o += "| " + p->model;
    for (const SpecEntry& s : p->specs)
      if (!s.fact_id.empty()) o += " | " + cell(L.of(s.value));
    o += " |\n";
  }
  o += "\n";
  // Parameters whose value differs by model, side by side.
  o += ja ? "## パラメーターの機種別の値\n\n" : "## Parameter values by model\n\n";
  o += std::string("| ") + (ja ? kJaHeadings.model : kEnHeadings.model);
  rule = "|---";
  for (const ParamEntry& e : products[0]->params)
    if (!e.fact_id.empty())
      o += " | " + e.number + " " + cell(cap(L.of(e.name))) + " (" + (e.fact_kind == "default" ? (ja ? "初期値" : "default") : (ja ? "設定範囲" : "range")) + ")",
          rule += "|---";
  o += " |\n" + rule + "|\n";
  for (const Product* p : products) {
    o += "| " + p->model;
    for (const ParamEntry& e : p->params)
      if (!e.fact_id.empty()) o += " | " + cell(L.of(e.fact_kind == "default" ? e.default_value : e.range));
    o += " |\n";
  }
  o += "\n";
  o += ja ? "## 機種別のエラーコード\n\n同じ番号でも機種によって内容が異なります。必ず該当機種の一覧を確認してください。\n\n"
          : "## Error codes by model\n\nThe same number can mean different things on different models; always check the list for your model.\n\n";
  for (const Product* p : products) {
    o += "- " + p->model + ": ";
    for (size_t k = 0; k < p->errors.size(); ++k) o += (k ? ", " : "") + p->errors[k].code + " " + (ja ? "（" : "(") + L.of(p->errors[k].meaning) + (ja ? "）" : ")");
    o += "\n";
  }
  o += "\n";
  for (const Product* p : products) {
    o += "## " + p->model + "\n\n";
    bool first = true;
    for (const SpecEntry& s : p->specs) {
      if (s.fact_id.empty()) continue;
      const Fact& f = kb.fact(s.fact_id);
      o += (first ? "" : (ja ? "" : " ")) + fact_sentence(kb, f, ja, first ? 2 : 0);
      first = false;
    }
    o += "\n\n";
  }
  return o;
}

// A second, shorter document per model: every fact twice more, grouped by category, in
// phrasings drawn independently of the main manual.
std::string quick_reference(const KnowledgeBase& kb, const Product& p, bool ja, Rng rng) {
  const FamilyDef& fam = kb.families[p.family];
  std::string o;
  o += ja ? "# " + p.model + " クイックリファレンス（" + fam.name.ja + "）\n\n" : "# " + p.model + " quick reference (" + fam.name.en + ")\n\n";
  o += std::string("> ") + (ja ? kJaHeadings.notice : kEnHeadings.notice) + "\n\n";
  o += ja ? "保守担当者向けに、" + p.model + "の要点を項目別にまとめたものです。詳細はユーザーズマニュアルを参照してください。\n\n"
          : "The essentials of the " + p.model + " for maintenance staff, by topic. See the user's manual for details.\n\n";
  const std::vector<std::pair<const char*, Text>> sections = {
      {"spec", {"仕様", "Specifications"}}, {"parameter", {"パラメーター", "Parameters"}},
      {"error", {"エラーコード", "Error codes"}}, {"procedure", {"操作", "Operation"}}};
  for (const auto& [category, title] : sections) {
    o += "## " + (ja ? title.ja : title.en) + "\n\n";
    for (const Fact& f : kb.facts) {
      if (f.product != p.model || f.category != category) continue;
      size_t n = fact_phrasing_count(f.kind, ja);
      size_t a = rng.below(n), b = (a + 1 + rng.below(n - 1)) % n;
      o += "- " + fact_sentence(kb, f, ja, a) + (ja ? "" : " ") + fact_sentence(kb, f, ja, b) + "\n";
    }
    o += "\n";
  }
  return o;
}

}  // namespace

std::string with_article(const std::string& noun) {
  bool vowel = !noun.empty() && std::string("aeiouAEIOU").find(noun[0]) != std::string::npos;
  if (noun.rfind("I/O", 0) == 0 || noun.rfind("HMI", 0) == 0) vowel = true;
  return (vowel ? "an " : "a ") + noun;
}

std::string cap(const std::string& s) {
  if (s.empty() || s[0] < 'a' || s[0] > 'z') return s;
  return static_cast<char>(s[0] - 'a' + 'A') + s.substr(1);
}

std::map<std::string, std::string> write_manuals(const KnowledgeBase& kb) {
  std::map<std::string, std::string> files;
  Rng rng(kb.seed ^ 0x6d616e75616c73ull);  // "manuals"
  for (const Product& p : kb.products) {
    Rng product_rng = rng.fork(p.family * 100 + 1);
    files["manuals/ja/" + file_stem(p.model) + ".md"] = product_manual(kb, p, true, product_rng.fork(1));
    files["manuals/en/" + file_stem(p.model) + ".md"] = product_manual(kb, p, false, product_rng.fork(2));
    files["manuals/ja/" + file_stem(p.model) + "-quick.md"] = quick_reference(kb, p, true, product_rng.fork(3));
    files["manuals/en/" + file_stem(p.model) + "-quick.md"] = quick_reference(kb, p, false, product_rng.fork(4));
  }
  for (size_t fi = 0; fi < kb.families.size(); ++fi) {
    files["manuals/ja/guide-" + kb.families[fi].key + ".md"] = family_guide(kb, fi, true);
    files["manuals/en/guide-" + kb.families[fi].key + ".md"] = family_guide(kb, fi, false);
  }
  return files;
}

}  // namespace gemba::tools
