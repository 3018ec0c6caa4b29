// examples/fa-sample/README.md, generated so its counts always match the files.
#include "fa-sample.h"

namespace gemba::tools {
namespace {

std::string kib(size_t bytes) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.0f KiB", bytes / 1024.0);
  return buf;
}

}  // namespace

std::string write_readme(const KnowledgeBase& kb, const ReadmeInputs& in) {
  std::map<std::string, std::map<std::string, size_t>> by;  // split -> category -> facts
  std::map<std::string, size_t> split_total;
  for (const Fact& f : kb.facts) {
    ++by[f.split][f.category];
    ++split_total[f.split];
  }
  auto count = [&](const std::string& key) {
    auto it = in.truefalse.counts.find(key);
    return it == in.truefalse.counts.end() ? size_t{0} : it->second;
  };
  std::string o;
  o += "# examples/fa-sample — the embedded sample domain\n\n";
  o += "**Generated — do not edit by hand.** Regenerate with\n\n";
  o += "```sh\nbuild/release/bin/fa-sample-gen -o examples/fa-sample --seed " + std::to_string(kb.seed) + "\n```\n\n";
  o += "The generator is `tools/fa-sample-gen/`; it is deterministic (own SplitMix64 PRNG, fixed iteration order), so the same seed gives "
       "byte-identical files, and `tests/data/test-fa-sample.cpp` fails when these committed files drift from it.\n\n";
  o += "## The domain\n\n";
  o += std::string("A fictional factory-automation vendor, **") + kBrandEn + "** (" + kBrandJa +
       "), with five product families. Every brand, series, model and motor name is invented, and the values describe no real device. "
       "A base model cannot know these facts; it can only learn them from the manuals (continual pre-training) and the FAQ (SFT).\n\n";
  o += "| Family | Series | Models |\n|---|---|---|\n";
  for (const FamilyDef& f : kb.families) {
    std::string models;
    for (const std::string& m : f.models) models += (models.empty() ? "" : ", ") + m;
    o += "| " + f.name.en + " (" + f.name.ja + ") | " + f.series + " | " + models + " |\n";
  }
  o += "\nEach model has specifications, parameters (number, name, setting range, default), five error codes (code, meaning, cause, "
       "remedy; codes differ from model to model) and two operating procedures (error reset, factory reset).\n\n";
  o += "## Files\n\n";
  o += "| File | Contents |\n|---|---|\n";
  o += "| `manuals/ja/*.md`, `manuals/en/*.md` | " + std::to_string(in.manual_files) + " Markdown manuals (" + kib(in.manual_bytes_ja) +
       " Japanese, " + kib(in.manual_bytes_en) +
       " English): one per model with the sections 仕様, パラメーター一覧, エラーコード一覧, トラブルシューティング, 操作手順 "
       "(Specifications, Parameter list, ...), a short quick reference per model (`*-quick.md`) and a selection guide per family "
       "(`guide-*.md`). Each fact is stated several times in different "
       "phrasings (table, prose, troubleshooting, procedure, summary). |\n";
  o += "| `faq.jsonl` | " + std::to_string(in.faq.entries) + " FAQ pairs (" + std::to_string(in.faq.ja) + " ja, " + std::to_string(in.faq.en) +
       " en): `id`, `lang`, `product`, `fact_id`, `question`, `answer`. Only facts of split `faq` appear here. |\n";
  o += "| `truefalse.jsonl` | " + std::to_string(in.truefalse.total) +
       " true/false statements, one per fact: `id`, `lang`, `split`, `category`, `product`, `fact_id`, `statement`, `label` (true/false), "
       "`reference_answer`. |\n";
  o += "| `truefalse-paraphrased.jsonl` | The same " + std::to_string(in.truefalse_paraphrased.total) +
       " facts in other words (ids `tp-`): colloquial phrasings, two per kind of fact, some values without quotes, labels and "
       "wrong values drawn anew. Written after the demo's models were trained, to show how much a score owes to the main "
       "test's wording; no recipe trains or tunes on it. |\n";
  o += "| `general.txt` | " + kib(in.general_bytes) +
       " of general factory-automation text (PLC, I/O, servo, inverters, HMIs, communication, safety, maintenance) that names no "
       "product of this domain: the pre-training text of the demo's base model. |\n";
  o += "| `knowledge.json` | The knowledge base: families, every table row of every product, and the " + std::to_string(kb.facts.size()) +
       " tested facts with their values, split and the plausible wrong values used by false statements. |\n\n";
  o += "## Facts and splits\n\n";
  o += "A fact is one attribute of one model with its value. Each model contributes 13: five specifications, three parameters "
       "(a default or a setting range), three errors (two meanings, one remedy) and two procedures.\n\n";
  o += "| Split | spec | parameter | error | procedure | total |\n|---|---|---|---|---|---|\n";
  for (const char* split : {"faq", "manual"}) {
    o += std::string("| ") + split;
    for (const char* c : {"spec", "parameter", "error", "procedure"}) o += " | " + std::to_string(by[split][c]);
    o += " | " + std::to_string(split_total[split]) + " |\n";
  }
  o += "\n* `faq`: the fact is in `faq.jsonl` (and in the manuals): SFT sees it as a question and answer.\n";
  o += "* `manual`: the fact is only in the manuals: only continual pre-training can teach it. The accuracy on this split shows what "
       "pre-training on the manuals added.\n\n";
  o += "## The true/false test\n\n";
  o += "| Split | true | false |\n|---|---|---|\n";
  for (const char* split : {"faq", "manual"})
    o += std::string("| ") + split + " | " + std::to_string(count(std::string(split) + "/true")) + " | " +
         std::to_string(count(std::string(split) + "/false")) + " |\n";
  o += "\nLanguages: " + std::to_string(count("lang/ja")) + " ja, " + std::to_string(count("lang/en")) +
       " en. Labels are balanced within every split and category. A false statement replaces the value with the value of the same "
       "attribute of another model of the same family (another model's spec, parameter default or range, error meaning or remedy, "
       "or procedure), so it is plausible and can only be rejected by knowing the fact. `reference_answer` states the correct fact. "
       "The statements use a plain-form (である) template of their own; the manuals and the FAQ use other phrasings.\n";
  return o;
}

}  // namespace gemba::tools
