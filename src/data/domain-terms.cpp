#include "data/domain-terms.h"

#include <algorithm>
#include <map>
#include <regex>
#include <utility>

#include "core/error.h"

namespace gemba::data {

std::vector<std::string> collect_domain_terms(std::string_view text, const DomainTermOptions& options) {
  if (options.pattern.empty()) return {};
  std::regex re;
  try {
    re = std::regex(options.pattern, std::regex::ECMAScript | std::regex::optimize);
  } catch (const std::regex_error& e) {
    fail("--keep-whole '", options.pattern, "': not a valid regular expression (", e.what(), ")");
  }
  std::map<std::string, size_t> counts;
  using Iterator = std::regex_iterator<std::string_view::const_iterator>;
  for (Iterator it(text.begin(), text.end(), re), end; it != end; ++it) {
    if (it->length(0) == 0) fail("--keep-whole '", options.pattern, "' matches the empty string; give a pattern of whole terms");
    ++counts[it->str(0)];
  }
  std::vector<std::pair<std::string, size_t>> ranked;
  for (auto& [term, n] : counts)
    if (n >= options.min_count && term.find('\n') == std::string::npos) ranked.emplace_back(term, n);
  std::stable_sort(ranked.begin(), ranked.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
  if (ranked.size() > options.max_terms) ranked.resize(options.max_terms);
  std::vector<std::string> terms;
  for (auto& [term, n] : ranked) terms.push_back(term);
  return terms;
}

}  // namespace gemba::data
