// fa-sample-gen: the embedded sample domain (a fictional factory-automation product line).
// catalog.cpp holds the hand-written definitions, knowledge-base.cpp turns them and a seed
// into products and facts, and the *-writer.cpp files render the documents from the facts.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/json.h"

namespace gemba::tools {

// A text in both languages of the domain.
struct Text {
  std::string ja, en;
};
inline Text both(const std::string& s) { return {s, s}; }

// ---- catalog: hand-written definitions (catalog.cpp) ----

// One specification row. `values` has one entry per model (in FamilyDef::models order), or a
// single entry shared by every model. A fact row must give each model its own value.
struct SpecDef {
  std::string key;
  Text name;
  std::vector<Text> values;
  bool fact = false;
};

// One parameter. `ranges`/`defaults` have one entry per model or a single shared entry;
// at most one of default_fact / range_fact is set, and that list is per model.
struct ParamDef {
  std::string number;
  Text name, description;
  std::vector<Text> ranges, defaults;
  bool default_fact = false, range_fact = false;
};

struct ErrorDef {
  Text meaning, cause, remedy;  // remedy: an imperative clause without a final period
};

// Common symptom-based troubleshooting (no product facts in it).
struct SymptomDef {
  Text symptom, check;
};

struct FamilyDef {
  std::string key;       // "plc-cpu"
  Text name;             // PLC CPUユニット / PLC CPU unit
  std::string series;    // ZCP
  Text purpose;          // one sentence on what the family does
  std::vector<std::string> models;
  std::vector<SpecDef> specs;
  std::vector<ParamDef> params;
  std::string error_prefix;  // "E-", "AL.", ...
  int error_min = 10, error_max = 99;
  std::vector<ErrorDef> errors;
  std::vector<SymptomDef> symptoms;
  std::vector<Text> reset_keys;          // operating elements used by procedures
  std::vector<std::string> init_params;  // parameter numbers that restore factory settings
  Text display;                          // where codes appear: 表示部 / display
};

extern const char* const kBrandJa;
extern const char* const kBrandEn;
std::vector<FamilyDef> catalog();

// ---- knowledge base (knowledge-base.cpp) ----

struct SpecEntry {
  std::string key;
  Text name, value;
  std::string fact_id;  // empty when the row is not a tested fact
};

struct ParamEntry {
  std::string number;
  Text name, description, range, default_value;
  std::string fact_id, fact_kind;  // fact_kind: "default", "range" or ""
};

struct ErrorEntry {
  std::string code;
  Text meaning, cause, remedy;
  std::string fact_id, fact_kind;  // fact_kind: "meaning", "remedy" or ""
};

struct ProcedureEntry {
  std::string key;  // "error-reset", "factory-reset"
  Text name, step;
  std::string fact_id;
};

struct Product {
  std::string model;
  size_t family = 0;  // index into KnowledgeBase::families
  std::vector<SpecEntry> specs;
  std::vector<ParamEntry> params;
  std::vector<ErrorEntry> errors;  // sorted by code
  std::vector<ProcedureEntry> procedures;
};

// A tested fact: one attribute of one product with its value. `kind` is one of spec,
// param-default, param-range, error-meaning, error-remedy, procedure.
struct Fact {
  std::string id, product, category, kind, attribute;
  size_t family = 0;
  std::string subject;  // parameter number or error code; empty otherwise
  Text name;            // attribute / parameter / procedure name (error: the meaning)
  Text value;
  std::vector<Text> wrong_values;  // the same attribute of other products, all different from value
  std::string split;               // "faq" or "manual"
};

struct KnowledgeBase {
  uint64_t seed = 0;
  std::vector<FamilyDef> families;
  std::vector<Product> products;
  std::vector<Fact> facts;
  std::map<std::string, size_t> fact_index;  // id -> index into facts
  const Fact& fact(const std::string& id) const { return facts.at(fact_index.at(id)); }
  std::vector<std::string> names() const;     // brand, models, motors: what general text must not name
};

KnowledgeBase build_knowledge_base(uint64_t seed);
// knowledge.json: families, products (every table row) and the tested facts.
std::string write_knowledge(const KnowledgeBase& kb);

// ---- documents ----

// Lower-case file stem for a model: "ZCP-110" -> "zcp-110".
std::string file_stem(const std::string& model);

// One sentence stating `f` in one of several phrasings (manual-writer.cpp).
std::string fact_sentence(const KnowledgeBase& kb, const Fact& f, bool ja, size_t variant);
size_t fact_phrasing_count(const std::string& kind, bool ja);
std::string cap(const std::string& s);           // first ASCII letter upper-cased
std::string with_article(const std::string& noun);  // "a servo amplifier", "an inverter"

// manuals/<lang>/<stem>.md for each product and manuals/<lang>/guide-<family>.md per family.
std::map<std::string, std::string> write_manuals(const KnowledgeBase& kb);

struct FaqStats {
  size_t entries = 0, ja = 0, en = 0;
};
std::string write_faq(const KnowledgeBase& kb, FaqStats& stats);

struct TrueFalseStats {
  std::map<std::string, size_t> counts;  // "split/label", "category", "lang" -> count
  size_t total = 0;
};
// kMain: truefalse.jsonl, the test the reports score. kParaphrased: truefalse-paraphrased.jsonl,
// the same facts in other words, with labels and wrong values drawn anew.
enum class TestWording { kMain, kParaphrased };
std::string write_truefalse(const KnowledgeBase& kb, TrueFalseStats& stats, TestWording wording = TestWording::kMain);

std::string write_general_text(const KnowledgeBase& kb);

struct ReadmeInputs {
  size_t manual_files = 0, manual_bytes_ja = 0, manual_bytes_en = 0, general_bytes = 0;
  FaqStats faq;
  TrueFalseStats truefalse;
  TrueFalseStats truefalse_paraphrased;
};
std::string write_readme(const KnowledgeBase& kb, const ReadmeInputs& in);

}  // namespace gemba::tools
