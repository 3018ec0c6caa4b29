// Turns the catalog and a seed into products and tested facts. The seed decides the error
// codes each model lists, which errors are tested, the operating procedures, and which
// facts also go into the FAQ (split "faq") or stay in the manuals only (split "manual").
#include <algorithm>
#include <cctype>

#include "core/error.h"
#include "fa-sample.h"
#include "rng.h"

namespace gemba::tools {
namespace {

constexpr size_t kErrorsPerProduct = 5;

const Text& per_model(const std::vector<Text>& values, size_t model, const std::string& what) {
  GEMBA_ASSERT(values.size() == 1 || model < values.size(), what, ": no value for model ", model);
  return values.size() == 1 ? values[0] : values[model];
}

std::string error_code(const FamilyDef& f, int number) {
  std::string digits = std::to_string(number);
  return f.error_prefix + digits;
}

// Distinct (element, n) pairs for one procedure, one per model.
std::vector<std::pair<size_t, int>> procedure_choices(size_t elements, const std::vector<int>& numbers, size_t models,
                                                      Rng& rng) {
  std::vector<std::pair<size_t, int>> combos;
  for (size_t e = 0; e < elements; ++e)
    for (int n : numbers) combos.push_back({e, n});
  GEMBA_ASSERT(combos.size() >= models, "not enough procedure variants");
  rng.shuffle(combos);
  combos.resize(models);
  return combos;
}

void add_unique(std::vector<Text>& out, const Text& v, const Text& truth) {
  if (v.ja == truth.ja) return;
  for (const Text& t : out)
    if (t.ja == v.ja) return;
  out.push_back(v);
}

}  // namespace

std::string file_stem(const std::string& model) {
  std::string s = model;
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::vector<std::string> KnowledgeBase::names() const {
  std::vector<std::string> out = {kBrandJa, kBrandEn, "ゼファーネ", "Zephane"};
  for (const FamilyDef& f : families) out.push_back(f.series + "-");
  for (const Product& p : products) {
    out.push_back(p.model);
    for (const SpecEntry& s : p.specs)
      if (s.key == "motor") out.push_back(s.value.en);
  }
  return out;
}

KnowledgeBase build_knowledge_base(uint64_t seed) {
  KnowledgeBase kb;
  kb.seed = seed;
  kb.families = catalog();
  Rng root(seed);

  for (size_t fi = 0; fi < kb.families.size(); ++fi) {
    const FamilyDef& f = kb.families[fi];
    const size_t n = f.models.size();
    Rng family_rng = root.fork(fi + 1);
    auto resets = procedure_choices(f.reset_keys.size(), {2, 3, 5, 10}, n, family_rng);
    auto inits = procedure_choices(f.init_params.size(), {1, 9, 55, 99}, n, family_rng);

    GEMBA_ASSERT(f.errors.size() >= kErrorsPerProduct && f.error_max - f.error_min + 1 >= static_cast<int>(kErrorsPerProduct), f.key);
    for (size_t mi = 0; mi < n; ++mi) {
      Product p;
      p.model = f.models[mi];
      p.family = fi;
      const std::string& m = p.model;

      for (const SpecDef& s : f.specs) {
        GEMBA_ASSERT(!s.fact || s.values.size() == n, m, ": fact row ", s.key, " needs a value per model");
        p.specs.push_back({s.key, s.name, per_model(s.values, mi, s.key), s.fact ? m + "/spec/" + s.key : ""});
      }
      for (const ParamDef& d : f.params) {
        ParamEntry e{d.number, d.name, d.description, per_model(d.ranges, mi, d.number), per_model(d.defaults, mi, d.number), "", ""};
        if (d.default_fact) e.fact_kind = "default";
        if (d.range_fact) e.fact_kind = "range";
        if (!e.fact_kind.empty()) e.fact_id = m + "/parameter/" + d.number + "/" + e.fact_kind;
        p.params.push_back(e);
      }

      // Errors: a seeded choice from the family's pool with model-specific codes; the first
      // two drawn are tested on their meaning, the third on its remedy.
      Rng product_rng = family_rng.fork(mi + 1);
      std::vector<size_t> pool(f.errors.size());
      for (size_t i = 0; i < pool.size(); ++i) pool[i] = i;
      product_rng.shuffle(pool);
      std::vector<int> codes;
      for (size_t k = 0; k < kErrorsPerProduct; ++k) {
        int code;
        do code = f.error_min + static_cast<int>(product_rng.below(static_cast<uint64_t>(f.error_max - f.error_min + 1)));
        while (std::find(codes.begin(), codes.end(), code) != codes.end());
        codes.push_back(code);
        const ErrorDef& d = f.errors[pool[k]];
        ErrorEntry e{error_code(f, code), d.meaning, d.cause, d.remedy, "", ""};
        if (k < 2) e.fact_kind = "meaning";
        if (k == 2) e.fact_kind = "remedy";
        if (!e.fact_kind.empty()) e.fact_id = m + "/error/" + e.code + "/" + e.fact_kind;
        p.errors.push_back(e);
      }
      std::vector<size_t> order(p.errors.size());
      for (size_t i = 0; i < order.size(); ++i) order[i] = i;
      std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return codes[a] < codes[b]; });
      std::vector<ErrorEntry> sorted;
      for (size_t i : order) sorted.push_back(p.errors[i]);
      p.errors = sorted;

      const auto& [key, secs] = resets[mi];
      p.procedures.push_back({"error-reset", Text{"エラーリセット", "error reset"},
                              Text{f.reset_keys[key].ja + "を" + std::to_string(secs) + "秒間押し続ける",
                                   "hold " + f.reset_keys[key].en + " for " + std::to_string(secs) + " seconds"},
                              m + "/procedure/error-reset"});
      const auto& [param, value] = inits[mi];
      p.procedures.push_back({"factory-reset", Text{"工場出荷時設定への初期化", "factory reset"},
                              Text{"パラメーター" + f.init_params[param] + "に" + std::to_string(value) + "を書き込み、電源を再投入する",
                                   "write " + std::to_string(value) + " to parameter " + f.init_params[param] + " and cycle the power"},
                              m + "/procedure/factory-reset"});
      kb.products.push_back(std::move(p));
    }
  }

  // Facts in product order; within a product: specs, parameters, errors, procedures.
  for (const Product& p : kb.products) {
    auto add = [&](Fact fact) {
      fact.product = p.model;
      fact.family = p.family;
      kb.fact_index[fact.id] = kb.facts.size();
      kb.facts.push_back(std::move(fact));
    };
    for (const SpecEntry& s : p.specs)
      if (!s.fact_id.empty()) add(Fact{s.fact_id, "", "spec", "spec", s.key, 0, "", s.name, s.value, {}, ""});
    for (const ParamEntry& e : p.params)
      if (!e.fact_id.empty())
        add(Fact{e.fact_id, "", "parameter", "param-" + e.fact_kind, "parameter/" + e.number + "/" + e.fact_kind, 0, e.number, e.name,
                 e.fact_kind == "default" ? e.default_value : e.range, {}, ""});
    for (const ErrorEntry& e : p.errors)
      if (!e.fact_id.empty())
        add(Fact{e.fact_id, "", "error", "error-" + e.fact_kind, "error/" + e.fact_kind, 0, e.code, e.meaning,
                 e.fact_kind == "meaning" ? e.meaning : e.remedy, {}, ""});
    for (const ProcedureEntry& e : p.procedures) add(Fact{e.fact_id, "", "procedure", "procedure", "procedure/" + e.key, 0, "", e.name, e.step, {}, ""});
  }

  // Wrong values: the same attribute of the other products of the family.
  for (Fact& fact : kb.facts) {
    for (const Product& other : kb.products) {
      if (other.family != fact.family || other.model == fact.product) continue;
      if (fact.kind == "spec") {
        for (const SpecEntry& s : other.specs)
          if (s.key == fact.attribute) add_unique(fact.wrong_values, s.value, fact.value);
      } else if (fact.kind == "param-default" || fact.kind == "param-range") {
        for (const ParamEntry& e : other.params)
          if (e.number == fact.subject) add_unique(fact.wrong_values, fact.kind == "param-default" ? e.default_value : e.range, fact.value);
      } else if (fact.kind == "error-meaning" || fact.kind == "error-remedy") {
        for (const ErrorEntry& e : other.errors) add_unique(fact.wrong_values, fact.kind == "error-meaning" ? e.meaning : e.remedy, fact.value);
      } else {
        for (const ProcedureEntry& e : other.procedures)
          if ("procedure/" + e.key == fact.attribute) add_unique(fact.wrong_values, e.step, fact.value);
      }
    }
    GEMBA_ASSERT(!fact.wrong_values.empty(), fact.id, ": no plausible wrong value");
  }

  // Splits: within each product and category about half the facts go to the FAQ; odd
  // counts alternate between rounding up and down so each category is near 50/50 overall.
  Rng split_rng = root.fork(1000);
  std::map<std::string, bool> round_up;
  for (const Product& p : kb.products) {
    for (const char* category : {"spec", "parameter", "error", "procedure"}) {
      std::vector<size_t> ids;
      for (size_t i = 0; i < kb.facts.size(); ++i)
        if (kb.facts[i].product == p.model && kb.facts[i].category == category) ids.push_back(i);
      split_rng.shuffle(ids);
      bool& up = round_up[category];
      size_t faq = ids.size() / 2 + ((ids.size() % 2 && up) ? 1 : 0);
      if (ids.size() % 2) up = !up;
      for (size_t k = 0; k < ids.size(); ++k) kb.facts[ids[k]].split = k < faq ? "faq" : "manual";
    }
  }
  return kb;
}

std::string write_knowledge(const KnowledgeBase& kb) {
  using OJ = nlohmann::ordered_json;
  auto text = [](const char* key, const Text& t, OJ& o) {
    o[std::string(key) + "_ja"] = t.ja;
    o[std::string(key) + "_en"] = t.en;
  };
  OJ root;
  root["description"] =
      "Knowledge base of the fictional gemba sample domain (generated by tools/fa-sample-gen). "
      "Every statement in truefalse.jsonl is checkable against 'facts'.";
  root["brand_ja"] = kBrandJa;
  root["brand_en"] = kBrandEn;
  root["seed"] = kb.seed;
  OJ families = OJ::array();
  for (const FamilyDef& f : kb.families) {
    OJ o;
    o["key"] = f.key;
    text("name", f.name, o);
    o["series"] = f.series;
    o["models"] = f.models;
    families.push_back(o);
  }
  root["families"] = families;
  OJ products = OJ::array();
  for (const Product& p : kb.products) {
    OJ o;
    o["model"] = p.model;
    o["family"] = kb.families[p.family].key;
    o["manual_ja"] = "manuals/ja/" + file_stem(p.model) + ".md";
    o["manual_en"] = "manuals/en/" + file_stem(p.model) + ".md";
    OJ specs = OJ::array(), params = OJ::array(), errors = OJ::array(), procs = OJ::array();
    for (const SpecEntry& s : p.specs) {
      OJ e;
      e["key"] = s.key;
      text("name", s.name, e);
      text("value", s.value, e);
      e["fact_id"] = s.fact_id.empty() ? OJ() : OJ(s.fact_id);
      specs.push_back(e);
    }
    for (const ParamEntry& d : p.params) {
      OJ e;
      e["number"] = d.number;
      text("name", d.name, e);
      text("range", d.range, e);
      text("default", d.default_value, e);
      e["fact_id"] = d.fact_id.empty() ? OJ() : OJ(d.fact_id);
      params.push_back(e);
    }
    for (const ErrorEntry& d : p.errors) {
      OJ e;
      e["code"] = d.code;
      text("meaning", d.meaning, e);
      text("cause", d.cause, e);
      text("remedy", d.remedy, e);
      e["fact_id"] = d.fact_id.empty() ? OJ() : OJ(d.fact_id);
      errors.push_back(e);
    }
    for (const ProcedureEntry& d : p.procedures) {
      OJ e;
      e["key"] = d.key;
      text("name", d.name, e);
      text("step", d.step, e);
      e["fact_id"] = d.fact_id;
      procs.push_back(e);
    }
    o["specs"] = specs;
    o["parameters"] = params;
    o["errors"] = errors;
    o["procedures"] = procs;
    products.push_back(o);
  }
  root["products"] = products;
  OJ facts = OJ::array();
  for (const Fact& f : kb.facts) {
    OJ o;
    o["id"] = f.id;
    o["product"] = f.product;
    o["family"] = kb.families[f.family].key;
    o["category"] = f.category;
    o["kind"] = f.kind;
    o["attribute"] = f.attribute;
    o["subject"] = f.subject;
    text("name", f.name, o);
    text("value", f.value, o);
    o["split"] = f.split;
    OJ wrong = OJ::array();
    for (const Text& w : f.wrong_values) wrong.push_back(OJ{{"ja", w.ja}, {"en", w.en}});
    o["wrong_values"] = wrong;
    facts.push_back(o);
  }
  root["facts"] = facts;
  root["names"] = kb.names();
  return root.dump(1) + "\n";
}

}  // namespace gemba::tools
