#include "index/grounded-prompt.h"

#include <algorithm>
#include <cctype>

#include "core/utf8.h"
#include "index/evidence.h"

namespace gemba::index {
namespace {

// At most `max_chars` code points, cut at a character boundary with "…" when cut.
std::string clip(const std::string& text, size_t max_chars) {
  if (utf8_code_points(text) <= max_chars) return text;
  std::string out;
  size_t pos = 0, n = 0;
  while (pos < text.size() && n < max_chars) {
    size_t start = pos;
    utf8_decode(text, pos);
    out.append(text, start, pos - start);
    ++n;
  }
  return out + "…";
}

// "manuals/en/Config_Reference.md" -> "Config_Reference.md": the excerpt header names the file.
std::string file_name(const Passage& p) {
  const std::string& path = p.doc.empty() ? p.source : p.doc;
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

}  // namespace

std::string text_language(const std::string& text) {
  size_t pos = 0;
  while (pos < text.size()) {
    uint32_t c = utf8_decode(text, pos);
    if ((c >= 0x3040 && c <= 0x30FF) || (c >= 0x4E00 && c <= 0x9FFF)) return "ja";
  }
  return "en";
}

Excerpt make_excerpt(const std::string& question, const Passage& passage, const PassageIndex& index, const GroundingOptions& options) {
  Excerpt e{passage, "", passage_citation(passage)};
  std::vector<SearchHit> one = {{passage, 0}};
  std::vector<EvidencePiece> pieces = evidence_pieces(one);
  if (pieces.size() <= options.pieces_per_excerpt) {
    e.text = clip(passage.text, options.max_excerpt_chars);
    return e;
  }
  // The best pieces, shown in reading order.
  std::vector<size_t> best = rank_evidence(question, pieces, index);
  best.resize(options.pieces_per_excerpt);
  std::sort(best.begin(), best.end());
  std::string text;
  for (size_t k : best) text += (text.empty() ? "" : " ") + pieces[k].text;
  e.text = clip(text, options.max_excerpt_chars);
  return e;
}

Grounding ground(const std::string& question, const PassageIndex& index, const GroundingOptions& options) {
  Grounding g;
  for (const auto& hit : index.search(question, options.passages))
    g.excerpts.push_back(make_excerpt(question, hit.passage, index, options));
  return g;
}

std::string grounded_user_message(const std::string& question, const Grounding& grounding) {
  const bool ja = text_language(question) == "ja";
  std::string out = ja ? "マニュアルの抜粋:\n" : "Manual excerpts:\n";
  for (size_t i = 0; i < grounding.excerpts.size(); ++i) {
    const Excerpt& e = grounding.excerpts[i];
    std::string header = file_name(e.passage);
    std::string section = section_path_text(e.passage.section);
    if (!section.empty()) header += " §" + section;
    out += "[" + std::to_string(i + 1) + "] " + header + "\n" + e.text + "\n";
  }
  if (grounding.excerpts.empty()) out += ja ? "(該当なし)\n" : "(none found)\n";
  out += ja ? "\n質問:\n" : "\nQuestion:\n";
  return out + question;
}

std::string not_in_manuals_answer(const std::string& question) {
  return text_language(question) == "ja" ? "マニュアルの抜粋には記載がありません。" : "The manual excerpts do not say.";
}

std::vector<size_t> cited_excerpts(const std::string& answer, size_t excerpts) {
  std::vector<size_t> out;
  for (size_t open = answer.find('['); open != std::string::npos; open = answer.find('[', open + 1)) {
    size_t close = answer.find(']', open + 1);
    if (close == std::string::npos || close - open > 4) continue;
    const std::string inner = answer.substr(open + 1, close - open - 1);
    if (inner.empty() || !std::all_of(inner.begin(), inner.end(), [](unsigned char c) { return std::isdigit(c); })) continue;
    size_t n = std::stoul(inner);
    if (n >= 1 && n <= excerpts && std::find(out.begin(), out.end(), n) == out.end()) out.push_back(n);
  }
  return out;
}

std::string strip_citations(const std::string& answer) {
  std::string s = answer;
  for (;;) {
    while (!s.empty() && (s.back() == ' ' || s.back() == '\n')) s.pop_back();
    if (s.empty() || s.back() != ']') break;
    size_t open = s.rfind('[');
    if (open == std::string::npos || s.size() - open > 5) break;
    const std::string inner = s.substr(open + 1, s.size() - open - 2);
    if (inner.empty() || !std::all_of(inner.begin(), inner.end(), [](unsigned char c) { return std::isdigit(c); })) break;
    s.erase(open);
  }
  return s;
}

}  // namespace gemba::index
