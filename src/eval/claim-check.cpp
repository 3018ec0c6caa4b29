#include "eval/claim-check.h"

#include <algorithm>

#include "core/nfkc.h"
#include "index/claim-values.h"

namespace gemba::eval {
namespace {

bool units_agree(const std::string& a, const std::string& b) { return a.empty() || b.empty() || a == b; }

std::string spaceless_lower(const std::string& s) {
  std::string out;
  for (char c : s)
    if (c != ' ' && c != '\t') out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  return out;
}

bool found_in(const index::ClaimValue& v, const std::vector<index::ClaimValue>& evidence, const std::string& evidence_text) {
  using index::ClaimValueKind;
  for (const auto& e : evidence) {
    if (v.kind == ClaimValueKind::kNumber && e.kind == ClaimValueKind::kNumber && e.key == v.key && units_agree(v.unit, e.unit))
      return true;
    if (v.kind == ClaimValueKind::kIdentifier && e.kind == ClaimValueKind::kIdentifier && e.key == v.key) return true;
  }
  // A quoted phrase, or an identifier the evidence writes inside a longer one: as text.
  if (v.kind == ClaimValueKind::kQuoted || v.kind == ClaimValueKind::kIdentifier)
    return spaceless_lower(evidence_text).find(v.key) != std::string::npos;
  return false;
}

}  // namespace

const data::ClaimContrasts& builtin_contrasts() {
  static const data::ClaimContrasts sets = [] {
    data::ClaimContrasts c;
    auto add = [&](const char* lang, std::vector<std::string> phrases) {
      std::sort(phrases.begin(), phrases.end());
      c.push_back({lang, "built-in", std::move(phrases)});
    };
    add("en", {"true", "false"});
    add("en", {"enabled", "disabled"});
    add("en", {"enable", "disable"});
    add("en", {"input", "output"});
    add("en", {"inputs", "outputs"});
    add("en", {"high", "low"});
    add("en", {"open", "closed"});
    add("en", {"minimum", "maximum"});
    add("en", {"increase", "decrease"});
    add("en", {"increases", "decreases"});
    add("en", {"positive", "negative"});
    add("en", {"above", "below"});
    add("en", {"upper", "lower"});
    add("en", {"rising", "falling"});
    add("en", {"clockwise", "counterclockwise"});
    add("en", {"absolute", "relative"});
    add("en", {"faster", "slower"});
    add("en", {"higher", "lower"});
    add("en", {"larger", "smaller"});
    add("en", {"required", "optional"});
    add("en", {"inverted", "normal"});
    add("en", {"first", "last"});
    add("ja", {"有効", "無効"});
    add("ja", {"入力", "出力"});
    add("ja", {"上限", "下限"});
    add("ja", {"最大", "最小"});
    add("ja", {"増加", "減少"});
    add("ja", {"正転", "逆転"});
    add("ja", {"高い", "低い"});
    add("ja", {"速い", "遅い"});
    return c;
  }();
  return sets;
}

ClaimCheck check_claim(const std::string& claim, const std::string& evidence, const data::ClaimContrasts& contrasts,
                       const std::string& context) {
  ClaimCheck result;
  const std::string c = nfkc(claim, "claim"), e = nfkc(evidence, "evidence"), x = nfkc(context, "evidence context");
  const std::vector<index::ClaimValue> claim_values = index::claim_values(c), evidence_values = index::claim_values(e);
  const std::vector<index::ClaimValue> context_values = x.empty() ? std::vector<index::ClaimValue>{} : index::claim_values(x);
  result.claim_values = claim_values.size();
  for (const auto& v : claim_values) {
    if (found_in(v, evidence_values, e)) continue;
    if (v.kind == index::ClaimValueKind::kIdentifier && !x.empty() && found_in(v, context_values, x)) continue;
    result.missing.push_back(v.text);
  }
  for (const auto* sets : {&builtin_contrasts(), &contrasts})
    for (const auto& clash : data::claim_clashes(*sets, c, e)) result.contradicted.push_back(clash.in_statement + " / " + clash.in_recall);
  result.supported = result.missing.empty() && result.contradicted.empty();
  return result;
}

}  // namespace gemba::eval
