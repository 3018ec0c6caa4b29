#include "data/grounded-rows.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "core/atomic-output.h"
#include "core/json.h"
#include "core/splitmix64.h"
#include "data/truefalse-format.h"

namespace gemba::data {
namespace grounded_row_steps {  // named: the data layer is a unity build

// A listing entry quoted on one line: the answer is one line.
std::string one_line(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '\n') {
      if (!out.empty() && out.back() != ' ') out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  return out;
}

double unit_random(uint64_t& state) { return static_cast<double>(splitmix64_next(state) % 1000000) / 1e6; }

std::string without_spaces(const std::string& s) {
  std::string out;
  for (char c : s)
    if (c != ' ' && c != '\n' && c != '\t') out.push_back(c);
  return out;
}

// The passage that holds `evidence`: the known id, else the best search hit that contains it
// (spaces ignored: a list marker or a line break may stand between).
std::optional<index::Passage> deciding_passage(const GroundedStatement& s, const index::PassageIndex& index) {
  if (!s.passage_id.empty())
    if (auto p = index.find(s.passage_id)) return p;
  const std::string wanted = without_spaces(s.evidence);
  for (const auto& p : index.containing(s.evidence, 5))
    if (without_spaces(p.text).find(wanted) != std::string::npos) return p;
  for (const auto& hit : index.search(s.evidence, 10))
    if (without_spaces(hit.passage.text).find(wanted) != std::string::npos) return hit.passage;
  return std::nullopt;
}

// What a FAQ excerpt says as an answer: the text after "A: " (the question is context).
std::string faq_answer_part(const std::string& excerpt) {
  size_t a = excerpt.find("A: ");
  return a == std::string::npos ? excerpt : excerpt.substr(a + 3);
}

// The excerpts for `question`: the retrieved passages other than the deciding one, with the
// deciding one put at a random place (or left out). Returns the 1-based place, 0 when left out.
size_t place_excerpts(const std::string& question, const index::Passage& deciding, const std::string& evidence,
                      bool leave_out, const index::PassageIndex& index, const GroundedRowOptions& options, uint64_t& state,
                      index::Grounding& grounding) {
  const size_t k = std::max<size_t>(1, options.grounding.passages);
  for (const auto& hit : index.search(question, k + 1)) {
    if (hit.passage.id == deciding.id) continue;
    if (grounding.excerpts.size() + (leave_out ? 0 : 1) >= k) break;
    grounding.excerpts.push_back(index::make_excerpt(question, hit.passage, index, options.grounding));
  }
  if (leave_out) return 0;
  index::Excerpt excerpt = index::make_excerpt(question, deciding, index, options.grounding);
  // The excerpt must show the deciding piece itself, whatever else scored higher.
  if (excerpt.text.find(evidence) == std::string::npos) excerpt.text = evidence;
  size_t place = splitmix64_next(state) % (grounding.excerpts.size() + 1);
  grounding.excerpts.insert(grounding.excerpts.begin() + static_cast<long>(place), std::move(excerpt));
  return place + 1;
}

std::string row_json(const std::string& user, const std::string& assistant) {
  nlohmann::ordered_json row;
  row["messages"] = nlohmann::ordered_json::array({{{"role", "user"}, {"content", user}}, {{"role", "assistant"}, {"content", assistant}}});
  return row.dump();
}

}  // namespace grounded_row_steps

std::string grounded_rows_jsonl(const std::vector<GroundedStatement>& statements, const std::vector<FaqPair>& faq,
                                const index::PassageIndex& index, const GroundedRowOptions& options, GroundedRowsReport& report) {
  using namespace grounded_row_steps;
  uint64_t state = options.seed ^ 0x47524f554e44ull;
  std::vector<std::string> rows;
  for (const auto& s : statements) {
    std::optional<index::Passage> deciding = deciding_passage(s, index);
    if (!deciding) {
      ++report.evidence_not_found;
      continue;
    }
    const TrueFalseWording wording = truefalse_wording(s.lang, s.statement);
    const std::string question = truefalse_question(s.statement, wording);
    const bool leave_out = unit_random(state) < options.without_answer;
    index::Grounding grounding;
    size_t place = place_excerpts(question, *deciding, s.evidence, leave_out, index, options, state, grounding);
    std::string answer = place == 0 ? index::not_in_manuals_answer(question)
                                    : truefalse_recall_answer(wording, one_line(s.evidence)) + " [" + std::to_string(place) + "]";
    rows.push_back(row_json(index::grounded_user_message(question, grounding), answer));
    ++report.statement_rows;
    report.without_answer += place == 0;
  }
  for (const auto& pair : faq) {
    std::optional<index::Passage> own = index.find(pair.id);
    if (!own) {
      ++report.evidence_not_found;
      continue;
    }
    index::Grounding grounding;
    index::Excerpt excerpt = index::make_excerpt(pair.question, *own, index, options.grounding);
    const std::string quoted = excerpt.text;
    size_t place = place_excerpts(pair.question, *own, quoted, false, index, options, state, grounding);
    rows.push_back(row_json(index::grounded_user_message(pair.question, grounding),
                            one_line(faq_answer_part(quoted)) + " [" + std::to_string(place) + "]"));
    ++report.faq_rows;
  }
  for (size_t i = rows.size(); i > 1; --i) std::swap(rows[i - 1], rows[splitmix64_next(state) % i]);
  std::string out;
  for (const auto& r : rows) out += r + "\n";
  return out;
}

std::vector<GroundedStatement> read_mined_statements(const std::string& path) {
  std::vector<GroundedStatement> out;
  const std::string text = read_file(path);
  size_t start = 0, line = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    ++line;
    std::string_view row(text.data() + start, end - start);
    start = end + 1;
    if (row.find_first_not_of(" \t\r") == std::string_view::npos) continue;
    const std::string where = path + ":" + std::to_string(line);
    Json j = parse_json(row, where);
    GroundedStatement s;
    s.statement = json_require<std::string>(j, "statement", where);
    s.evidence = json_require<std::string>(j, "evidence", where);
    s.label = json_require<bool>(j, "label", where);
    s.lang = index::text_language(s.statement);
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace gemba::data
