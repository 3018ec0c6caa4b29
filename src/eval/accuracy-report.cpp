#include "eval/accuracy-report.h"

#include <algorithm>
#include <cstdio>
#include <map>

namespace gemba::eval {

std::vector<AccuracyRow> accuracy_rows(const std::vector<ItemResult>& results) {
  // Ordered groups: overall first, then each dimension sorted by value.
  std::map<std::string, AccuracyRow> groups;
  std::vector<std::string> order{"all"};
  auto add = [&](const std::string& group, bool correct) {
    auto [it, inserted] = groups.try_emplace(group);
    if (inserted) it->second.group = group;
    it->second.n += 1;
    it->second.correct += correct ? 1 : 0;
  };
  const bool strict = std::any_of(results.begin(), results.end(), [](const ItemResult& r) { return r.names_reference.has_value(); });
  for (const auto& r : results) {
    add("all", r.correct);
    if (strict) {
      add("strict", r.strict_correct());
      if (!r.item.split.empty()) add("strict split=" + r.item.split, r.strict_correct());
    }
    if (!r.item.split.empty()) add("split=" + r.item.split, r.correct);
    if (!r.item.category.empty()) add("category=" + r.item.category, r.correct);
    if (!r.item.lang.empty()) add("lang=" + r.item.lang, r.correct);
  }
  std::vector<AccuracyRow> rows;
  for (auto& [name, row] : groups) {
    row.ci = wilson_interval(row.correct, row.n);
    row.p_vs_chance = binomial_p_at_least(row.correct, row.n, 0.5);
    if (name == "all") rows.insert(rows.begin(), row);
    else rows.push_back(row);
  }
  return rows;
}

Json accuracy_rows_json(const std::vector<AccuracyRow>& rows) {
  Json out = Json::array();
  for (const auto& r : rows)
    out.push_back({{"group", r.group}, {"correct", r.correct}, {"n", r.n}, {"accuracy", r.accuracy()},
                   {"ci95", {r.ci.low, r.ci.high}}, {"p_vs_chance", r.p_vs_chance}});
  return out;
}

std::string format_accuracy_table(const std::vector<AccuracyRow>& rows) {
  std::string out;
  char line[256];
  std::snprintf(line, sizeof line, "%-24s %7s %6s %9s  %-17s %10s\n", "group", "correct", "n", "accuracy", "95% CI (Wilson)",
                "p(chance)");
  out += line;
  for (const auto& r : rows) {
    std::snprintf(line, sizeof line, "%-24s %7llu %6llu %8.2f%%  [%5.1f%%, %5.1f%%]  %10.2g\n", r.group.c_str(),
                  (unsigned long long)r.correct, (unsigned long long)r.n, 100 * r.accuracy(), 100 * r.ci.low,
                  100 * r.ci.high, r.p_vs_chance);
    out += line;
  }
  return out;
}

Json item_result_json(const ItemResult& r) {
  Json j = {{"id", r.item.id},           {"statement", r.item.statement}, {"label", r.item.label},
            {"predicted", r.predicted}, {"correct", r.correct},          {"split", r.item.split},
            {"category", r.item.category}};
  if (!r.answer.empty() || !r.verdict.empty()) {
    j["answer"] = r.answer;
    j["verdict"] = r.verdict;
    if (r.names_reference) j["names_reference"] = *r.names_reference;
    if (r.source_retrieved) j["source_retrieved"] = *r.source_retrieved;
  } else {
    j["logp_true"] = r.logp_true;
    j["logp_false"] = r.logp_false;
  }
  return j;
}

}  // namespace gemba::eval
