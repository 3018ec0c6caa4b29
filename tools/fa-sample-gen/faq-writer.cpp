// faq.jsonl: question/answer pairs about the facts of split "faq" only — two Japanese
// phrasings and one English phrasing per fact, each answer stating the fact.
#include "core/error.h"
#include "fa-sample.h"
#include "rng.h"
#include "text-template.h"

namespace gemba::tools {
namespace {

struct QaTemplates {
  std::vector<std::string> questions;
  std::string answer;
};

// Slots as in the manuals; {C} is an error's cause (not a tested fact).
const QaTemplates& templates(const std::string& kind, bool ja) {
  static const std::map<std::string, QaTemplates> kJa = {
      {"spec", {{"{P}の{A}を教えてください。", "{P}の{A}はどれくらいですか？", "{A}は{P}の場合どうなっていますか？", "{P}を使う予定です。{A}を確認したいのですが。"},
                "{P}の{A}は{V}です。"}},
      {"param-default", {{"{P}のパラメーター{N}（{A}）の初期値は？", "{P}で{A}の工場出荷時の設定値はいくつですか？", "{P}の{N}は初期状態で何に設定されていますか？"},
                         "{P}の{N}（{A}）の初期値は{V}です。"}},
      {"param-range", {{"{P}の{N}（{A}）はどの範囲で設定できますか？", "{P}の{A}の設定範囲を教えてください。", "{P}でパラメーター{N}に設定できる値の範囲は？"},
                       "{P}の{N}（{A}）の設定範囲は{V}です。"}},
      {"error-meaning", {{"{P}で{N}が表示されました。これは何のエラーですか？", "{P}のエラーコード{N}の意味は？", "{P}の表示に{N}が出ています。何が起きていますか？"},
                         "{P}の{N}は「{V}」を示すエラーです。主な原因は、{C}ことです。"}},
      {"error-remedy", {{"{P}で{N}のエラーが出ました。対処方法は？", "{N}のエラーの対処方法は？（{P}）", "{P}に{N}が表示されたら、どうすればよいですか？"},
                        "{P}で{N}（{M}）が発生した場合は、{V}。"}},
      {"procedure", {{"{P}で{A}をするにはどうすればよいですか？", "{P}の{A}の方法を教えてください。", "{P}の{A}はどうやって行いますか？"},
                     "{P}で{A}を行うには、{V}。"}},
  };
  static const std::map<std::string, QaTemplates> kEn = {
      {"spec", {{"What is the {A} of the {P}?", "Could you tell me the {A} of the {P}?"}, "The {A} of the {P} is {V}."}},
      {"param-default", {{"What is the default of parameter {N} ({A}) on the {P}?", "What is {A} set to at the factory on the {P}?"},
                         "On the {P}, {N} ({A}) defaults to {V}."}},
      {"param-range", {{"What is the setting range of {N} ({A}) on the {P}?", "Which values can {A} take on the {P}?"},
                       "On the {P}, {N} ({A}) can be set from {V}."}},
      {"error-meaning", {{"What does error code {N} mean on the {P}?", "The {P} shows {N}. What is wrong?"},
                         "On the {P}, {N} indicates {V}. The main cause is that {C}."}},
      {"error-remedy", {{"How do I clear error {N} on the {P}?", "What is the remedy for {N} on the {P}?"},
                        "When {N} ({M}) occurs on the {P}, {V}."}},
      {"procedure", {{"How do I perform the {A} on the {P}?", "What is the procedure for the {A} on the {P}?"},
                     "To perform the {A} on the {P}, {V}."}},
  };
  const auto& table = ja ? kJa : kEn;
  auto it = table.find(kind);
  GEMBA_ASSERT(it != table.end(), "no FAQ templates for ", kind);
  return it->second;
}

const ErrorEntry& error_of(const KnowledgeBase& kb, const Fact& f) {
  for (const Product& p : kb.products)
    if (p.model == f.product)
      for (const ErrorEntry& e : p.errors)
        if (e.code == f.subject) return e;
  GEMBA_ASSERT(false, f.id, ": error entry not found");
  throw;  // unreachable
}

}  // namespace

std::string write_faq(const KnowledgeBase& kb, FaqStats& stats) {
  using OJ = nlohmann::ordered_json;
  Rng rng(kb.seed ^ 0x666171ull);  // "faq"
  std::string out;
  auto emit = [&](const Fact& f, bool ja, const std::string& question, const std::string& answer) {
    OJ line;
    char id[32];
    std::snprintf(id, sizeof id, "faq-%04zu", stats.entries + 1);
    line["id"] = id;
    line["lang"] = ja ? "ja" : "en";
    line["product"] = f.product;
    line["fact_id"] = f.id;
    line["question"] = question;
    line["answer"] = answer;
    out += line.dump() + "\n";
    ++stats.entries;
    ++(ja ? stats.ja : stats.en);
  };
  for (const Fact& f : kb.facts) {
    if (f.split != "faq") continue;
    std::string cause_ja, cause_en, meaning_ja = f.name.ja, meaning_en = f.name.en;
    if (f.category == "error") {
      const ErrorEntry& e = error_of(kb, f);
      cause_ja = e.cause.ja;
      cause_en = e.cause.en;
    }
    for (bool ja : {true, false}) {
      const QaTemplates& t = templates(f.kind, ja);
      std::map<std::string, std::string> vars{{"P", f.product}, {"A", ja ? f.name.ja : f.name.en}, {"N", f.subject},
                                              {"V", ja ? f.value.ja : f.value.en}, {"M", ja ? meaning_ja : meaning_en},
                                              {"C", ja ? cause_ja : cause_en}};
      std::string answer = fill(t.answer, vars);
      if (!ja) answer = cap(answer);
      // Japanese: two different questions; English: one.
      std::vector<size_t> order(t.questions.size());
      for (size_t i = 0; i < order.size(); ++i) order[i] = i;
      rng.shuffle(order);
      for (size_t k = 0; k < (ja ? 2u : 1u); ++k) emit(f, ja, fill(t.questions[order[k]], vars), answer);
    }
  }
  return out;
}

}  // namespace gemba::tools
