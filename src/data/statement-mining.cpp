#include "data/statement-mining.h"

#include <algorithm>
#include <memory>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

#include "core/content-hash.h"
#include "core/error.h"
#include "core/splitmix64.h"
#include "core/utf8.h"
#include "data/entities.h"
#include "data/readers/text-reader.h"
#include "core/sentences.h"
#include "data/template-diff.h"
#include "data/truefalse-format.h"
#include "data/value-tokens.h"

namespace gemba::data {

namespace {

// Stands for the entity in a masked template: one private-use code point, so prefix/suffix
// comparison treats every product code alike.
constexpr uint32_t kEntityPlaceholder = 0xE000;

// The longest middle (code points) a pair of worded values is read from (data/claim-contrasts.h).
constexpr int kClaimContrastMaxSpan = 48;

using CodePoints = std::vector<uint32_t>;

CodePoints decode(std::string_view s) {
  CodePoints out;
  out.reserve(s.size());
  size_t pos = 0;
  while (pos < s.size()) out.push_back(utf8_decode(s, pos));
  return out;
}

std::string encode(const CodePoints& cps, size_t begin, size_t end, const std::string& entity) {
  std::string out;
  for (size_t i = begin; i < end; ++i) {
    if (cps[i] == kEntityPlaceholder) out += entity;
    else utf8_append(out, cps[i]);
  }
  return out;
}

bool is_space(uint32_t c) { return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v' || c == 0x3000; }

// Characters of an ASCII word or number ("4.3", "30,000", "RS-232C" parts): a swapped span is
// widened to whole runs of these, so "5分" vs "15分" swaps "5" for "15", never half a number.
bool is_word_char(uint32_t c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '.' || c == ',';
}

bool is_japanese_char(uint32_t c) {
  return (c >= 0x3040 && c <= 0x30FF) || (c >= 0x3400 && c <= 0x4DBF) || (c >= 0x4E00 && c <= 0x9FFF) ||
         (c >= 0xFF66 && c <= 0xFF9F);
}

std::string trim_spaces(std::string_view s) {
  CodePoints cps = decode(s);
  size_t b = 0, e = cps.size();
  while (b < e && is_space(cps[b])) ++b;
  while (e > b && is_space(cps[e - 1])) --e;
  return encode(cps, b, e, "");
}

// "Q. ..." / "Q: ..." — the question line of a Q&A section in a manual.
bool is_question_line(std::string_view line) {
  return line.size() >= 3 && line[0] == 'Q' && (line[1] == '.' || line[1] == ':') && (line[2] == ' ' || line[2] == '\t');
}

// "- item", "* item", "+ item", "> quote", "1. step", "2) step", "A. answer" -> the text after
// the marker.
std::string_view strip_list_marker(std::string_view line) {
  for (;;) {
    if (line.size() >= 3 && line[0] == 'A' && (line[1] == '.' || line[1] == ':') && (line[2] == ' ' || line[2] == '\t')) {
      line.remove_prefix(3);
      continue;
    }
    if (line.size() >= 2 && (line[0] == '-' || line[0] == '*' || line[0] == '+' || line[0] == '>') &&
        (line[1] == ' ' || line[1] == '\t')) {
      line.remove_prefix(2);
    } else {
      size_t digits = 0;
      while (digits < line.size() && digits < 4 && line[digits] >= '0' && line[digits] <= '9') ++digits;
      if (digits == 0 || digits + 1 >= line.size() || (line[digits] != '.' && line[digits] != ')') ||
          (line[digits + 1] != ' ' && line[digits + 1] != '\t'))
        return line;
      line.remove_prefix(digits + 2);
    }
    while (!line.empty() && (line[0] == ' ' || line[0] == '\t')) line.remove_prefix(1);
  }
}

std::string whitespace_free(const CodePoints& cps, size_t begin, size_t end) {
  std::string out;
  for (size_t i = begin; i < end; ++i)
    if (!is_space(cps[i])) utf8_append(out, cps[i]);
  return out;
}

// A distinct sentence that names exactly one entity.
struct EntitySentence {
  std::string text;
  std::string source;
  std::string entity;
  std::string lang;
  CodePoints masked;  // the text with every mention of the entity replaced by the placeholder
};

struct Candidate {
  std::string text;
  std::string value_from;  // the other entity
  size_t span = 0;         // the longer of the two swapped middles, in code points
  std::string claim;       // the target's own middle: what the contrast swaps out
};

// Compares two masked templates; on a valid contrast returns true and sets the common prefix
// length and suffix length (the middles are what lies between).
bool contrast_spans(const CodePoints& a, const CodePoints& b, int max_span, size_t& prefix, size_t& suffix) {
  const auto [p, s] = common_ends(a, b, is_word_char);
  size_t middle_a = a.size() - p - s, middle_b = b.size() - p - s;
  if (middle_a == 0 || middle_b == 0) return false;
  if (middle_a > static_cast<size_t>(max_span) || middle_b > static_cast<size_t>(max_span)) return false;
  if (2 * (p + s) < std::max(a.size(), b.size())) return false;  // prefix+suffix cover >= 50%
  for (size_t i = p; i < a.size() - s; ++i)
    if (a[i] == kEntityPlaceholder) return false;  // the entity itself must not be swapped
  for (size_t i = p; i < b.size() - s; ++i)
    if (b[i] == kEntityPlaceholder) return false;
  prefix = p;
  suffix = s;
  return true;
}

// Bucket key: language + first 4 + last 2 code points of the masked template. Contrast pairs
// share a long prefix and suffix, so (almost) all of them land in the same bucket.
std::string bucket_key(const EntitySentence& s) {
  std::string key = s.lang + "\x1f";
  size_t n = s.masked.size();
  for (size_t i = 0; i < std::min<size_t>(4, n); ++i) utf8_append(key, s.masked[i]);
  key += "\x1f";
  for (size_t i = n >= 2 ? n - 2 : 0; i < n; ++i) utf8_append(key, s.masked[i]);
  return key;
}

// A question ("...?", "...？", "...ですか。") asserts nothing, so it is neither true nor false.
bool is_question(const std::string& sentence) {
  CodePoints cps = decode(sentence);
  while (!cps.empty() && is_space(cps.back())) cps.pop_back();
  if (cps.empty()) return false;
  uint32_t last = cps.back();
  if (last == '?' || last == 0xFF1F) return true;
  return cps.size() >= 2 && (last == 0x3002 || last == 0xFF1F) && cps[cps.size() - 2] == 0x304B;  // か。
}

// The whole text without whitespace, for containment tests that ignore spacing.
std::string whitespace_free(std::string_view s) {
  const CodePoints cps = decode(s);
  return whitespace_free(cps, 0, cps.size());
}

// Step 3b: pairs whose differing middle runs to the end of the sentence ("... is CANopen." /
// "... is EtherNet/IP.") end differently, so step 3's buckets never compare them. For the worded
// values only (the statements stay as step 3 makes them): templates that share their first 8
// code points are compared too.
void add_sentence_end_contrasts(const std::vector<EntitySentence>& kept, ClaimContrastCollector& collector) {
  std::vector<std::string> group_order;
  std::unordered_map<std::string, std::vector<size_t>> groups;
  for (size_t i = 0; i < kept.size(); ++i) {
    std::string key = kept[i].lang + "\x1f";
    for (size_t k = 0; k < std::min<size_t>(8, kept[i].masked.size()); ++k) utf8_append(key, kept[i].masked[k]);
    auto [it, fresh] = groups.try_emplace(key);
    if (fresh) group_order.push_back(key);
    it->second.push_back(i);
  }
  for (const std::string& key : group_order) {
    const std::vector<size_t>& members = groups[key];
    for (size_t x = 0; x < members.size(); ++x) {
      for (size_t y = x + 1; y < members.size(); ++y) {
        const EntitySentence &a = kept[members[x]], &b = kept[members[y]];
        if (a.entity == b.entity || a.masked == b.masked || bucket_key(a) == bucket_key(b)) continue;
        size_t prefix = 0, suffix = 0;
        if (contrast_spans(a.masked, b.masked, kClaimContrastMaxSpan, prefix, suffix)) collector.add(a.lang, a.masked, b.masked);
      }
    }
  }
}

// Step 5 of mine_statements: for a share of the statements (picked by the seed), the recall
// answer becomes another corpus sentence about the same entity, in the same language, with the
// same value tokens and containing the statement's claim. Both conditions matter: the values
// alone would pair "E-34 means X" with "for E-34, do Y" (same code, another fact), the claim
// alone would pair two parameters whose defaults are both "100".
void use_other_phrasings(const std::vector<EntitySentence>& kept, const StatementMiningOptions& options,
                         std::vector<MinedStatement>& out, StatementMiningReport& report) {
  struct Indexed {
    const EntitySentence* sentence;
    std::vector<std::string> values;  // sorted
    std::string compact;              // without whitespace
  };
  std::map<std::pair<std::string, std::string>, std::vector<Indexed>> by_entity;  // (entity, lang)
  for (const auto& e : kept) {
    auto values = value_tokens(e.text, "sentence from " + e.source);
    std::sort(values.begin(), values.end());
    by_entity[{e.entity, e.lang}].push_back({&e, std::move(values), whitespace_free(e.text)});
  }
  // Each statement's own (true) sentence is a kept one: its values are already in the index.
  std::unordered_map<std::string_view, const Indexed*> by_text;
  for (const auto& [key, group] : by_entity)
    for (const auto& indexed : group) by_text.emplace(indexed.sentence->text, &indexed);
  for (auto& s : out) {
    // Without the sentence's own full stop or comma, which a claim at its end takes along.
    std::string claim = whitespace_free(s.claim);
    while (!claim.empty() && (claim.back() == '.' || claim.back() == ',')) claim.pop_back();
    if (claim.empty()) continue;
    const Indexed& own = *by_text.at(s.recall);
    std::vector<const std::string*> others;
    for (const auto& candidate : by_entity.at({s.entity, s.lang}))
      if (&candidate != &own && candidate.values == own.values && candidate.compact.find(claim) != std::string::npos)
        others.push_back(&candidate.sentence->text);
    if (others.empty()) continue;
    ++report.other_phrasing_found;
    uint64_t state = splitmix64_mix(options.seed ^ fnv1a64(s.statement) ^ 0x50485241ull);
    if (static_cast<double>(splitmix64_next(state) % 1000000) / 1e6 >= options.cross_phrasing) continue;
    s.recall = *others[splitmix64_next(state) % others.size()];
    ++report.cross_phrased;
  }
}

// --entity-pattern as a finder, or (no pattern) the entities the documents name.
EntityFinder entity_finder(const std::vector<StatementSourceText>& texts, const StatementMiningOptions& options) {
  if (!options.entity_pattern.empty()) {
    std::shared_ptr<std::regex> re;
    try {
      re = std::make_shared<std::regex>(options.entity_pattern, std::regex::ECMAScript | std::regex::optimize);
    } catch (const std::regex_error& e) {
      fail("--entity-pattern '", options.entity_pattern, "' is not a valid regular expression (ECMAScript): ", e.what());
    }
    return [re](const std::string& text) {
      std::vector<std::pair<size_t, size_t>> out;
      for (auto it = std::sregex_iterator(text.begin(), text.end(), *re); it != std::sregex_iterator(); ++it)
        out.emplace_back(static_cast<size_t>(it->position(0)), static_cast<size_t>(it->length(0)));
      return out;
    };
  }
  std::vector<Document> documents;
  for (const auto& t : texts)
    documents.push_back({t.name, t.name, "", "", t.blocks.empty() ? read_plain_text(t.text) : t.blocks, ""});
  auto set = std::make_shared<EntitySet>(discover_entities(documents));
  return [set](const std::string& text) {
    std::vector<std::pair<size_t, size_t>> out;
    for (const auto& span : set->find(text)) out.emplace_back(span.begin, span.length);
    return out;
  };
}

// The tables of a document: runs of table rows under one header.
std::vector<std::pair<std::vector<std::string>, std::vector<std::vector<std::string>>>> tables_of(const std::vector<Block>& blocks) {
  std::vector<std::pair<std::vector<std::string>, std::vector<std::vector<std::string>>>> tables;
  const Block* previous = nullptr;
  for (const auto& b : blocks) {
    if (b.kind == BlockKind::kTableRow) {
      if (!previous || previous->kind != BlockKind::kTableRow || previous->header != b.header) tables.push_back({b.header, {}});
      tables.back().second.push_back(b.cells);
    }
    previous = &b;
  }
  return tables;
}

}  // namespace

std::string statement_language(const std::string& text) {
  size_t pos = 0;
  while (pos < text.size())
    if (is_japanese_char(utf8_decode(text, pos))) return "ja";
  return "en";
}

namespace {

// The sentences of one line or block of prose, with the list/answer markers stripped.
void add_line_sentences(std::string_view raw, const std::string& where, const StatementMiningOptions& options,
                        std::vector<CorpusSentence>& out) {
  std::string line = trim_spaces(raw);
  if (line.empty() || is_question_line(line)) return;  // a Q&A question asserts nothing
  for (auto& sentence : split_sentences(strip_list_marker(line))) {
    size_t length = utf8_code_points(sentence);
    if (length < options.min_sentence_chars || length > options.max_sentence_chars) continue;
    out.push_back({std::move(sentence), where});
  }
}

}  // namespace

std::vector<CorpusSentence> split_corpus_sentences(const StatementSourceText& source, const StatementMiningOptions& options) {
  std::vector<CorpusSentence> out;
  if (!source.blocks.empty()) {
    for (const auto& b : source.blocks) {
      if (b.kind != BlockKind::kParagraph && b.kind != BlockKind::kListItem && b.kind != BlockKind::kNote) continue;
      add_line_sentences(b.text, b.line > 0 ? source.name + ":" + std::to_string(b.line) : source.name, options, out);
    }
    return out;
  }
  std::string_view text = source.text;
  size_t line_no = 0, start = 0;
  while (start <= text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    ++line_no;
    start = end + 1;
    std::string trimmed = trim_spaces(line);
    if (!trimmed.empty() && trimmed[0] != '|' && trimmed[0] != '#')  // table row, heading
      add_line_sentences(trimmed, source.number_lines ? source.name + ":" + std::to_string(line_no) : source.name, options, out);
    if (end == text.size()) break;
  }
  return out;
}

StatementMiningResult mine_statements(const std::vector<StatementSourceText>& texts, const StatementMiningOptions& options) {
  if (options.per_sentence < 1) fail("--per-sentence must be at least 1 (got ", options.per_sentence, ")");
  if (options.max_span < 1) fail("--max-span must be at least 1 code point (got ", options.max_span, ")");
  if (!(options.cross_phrasing >= 0 && options.cross_phrasing <= 1))
    fail("--cross-phrasing must be between 0 and 1 (got ", options.cross_phrasing, ")");
  const EntityFinder find_entities = entity_finder(texts, options);

  StatementMiningResult result;
  StatementMiningReport& report = result.report;

  // 1. Sentences, deduplicated by exact text (the first source is kept).
  std::vector<CorpusSentence> sentences;
  std::unordered_set<std::string> corpus_texts;
  ClaimContrastCollector claim_contrasts;
  for (const auto& source : texts) {
    if (source.blocks.empty()) claim_contrasts.add_tables(source.text, find_entities);
    for (const auto& [header, rows] : tables_of(source.blocks)) claim_contrasts.add_table(header, rows, find_entities);
    for (auto& s : split_corpus_sentences(source, options)) {
      ++report.sentences_read;
      if (is_question(s.text)) {
        ++report.questions;
        continue;
      }
      if (corpus_texts.insert(s.text).second) sentences.push_back(std::move(s));
    }
  }
  report.unique_sentences = sentences.size();

  // 2. Entities: keep sentences naming exactly one distinct entity; mask it.
  std::vector<EntitySentence> kept;
  for (auto& s : sentences) {
    std::set<std::string> distinct;
    std::vector<std::pair<size_t, size_t>> mentions;  // byte ranges
    for (const auto& [pos, len] : find_entities(s.text)) {
      if (len == 0) continue;
      distinct.insert(s.text.substr(pos, len));
      mentions.push_back({pos, len});
    }
    if (distinct.empty()) {
      ++report.no_entity;
      continue;
    }
    if (distinct.size() > 1) {
      ++report.several_entities;
      continue;
    }
    EntitySentence e;
    e.entity = *distinct.begin();
    e.lang = statement_language(s.text);
    size_t byte = 0;
    bool has_placeholder = false;
    for (const auto& [pos, len] : mentions) {
      CodePoints part = decode(std::string_view(s.text).substr(byte, pos - byte));
      for (uint32_t c : part) has_placeholder |= c == kEntityPlaceholder;
      e.masked.insert(e.masked.end(), part.begin(), part.end());
      e.masked.push_back(kEntityPlaceholder);
      byte = pos + len;
    }
    CodePoints tail = decode(std::string_view(s.text).substr(byte));
    for (uint32_t c : tail) has_placeholder |= c == kEntityPlaceholder;
    e.masked.insert(e.masked.end(), tail.begin(), tail.end());
    if (has_placeholder) continue;  // U+E000 in the text itself: the template would be ambiguous
    e.text = std::move(s.text);
    e.source = std::move(s.source);
    ++report.with_one_entity;
    ++report.by_language[e.lang].sentences_with_one_entity;
    kept.push_back(std::move(e));
  }

  // 3. Contrast pairs within buckets (bucket order and member order follow the corpus).
  std::vector<std::string> bucket_order;
  std::unordered_map<std::string, std::vector<size_t>> buckets;
  for (size_t i = 0; i < kept.size(); ++i) {
    std::string key = bucket_key(kept[i]);
    auto [it, fresh] = buckets.try_emplace(key);
    if (fresh) bucket_order.push_back(key);
    it->second.push_back(i);
  }
  std::vector<std::vector<Candidate>> candidates(kept.size());
  std::vector<std::unordered_set<std::string>> candidate_texts(kept.size());
  auto consider = [&](size_t target, size_t donor, size_t prefix, size_t suffix) {
    const EntitySentence& t = kept[target];
    const EntitySentence& d = kept[donor];
    size_t t_mid_end = t.masked.size() - suffix, d_mid_end = d.masked.size() - suffix;
    if (whitespace_free(t.masked, prefix, t_mid_end) == whitespace_free(d.masked, prefix, d_mid_end)) {
      ++report.skipped_same_value;
      return;
    }
    std::string false_text = encode(t.masked, 0, prefix, t.entity) + encode(d.masked, prefix, d_mid_end, t.entity) +
                             encode(t.masked, t_mid_end, t.masked.size(), t.entity);
    if (corpus_texts.count(false_text)) {
      ++report.skipped_true_elsewhere;
      return;
    }
    if (!candidate_texts[target].insert(false_text).second) return;
    ++report.candidates;
    size_t span = std::max(t_mid_end - prefix, d_mid_end - prefix);
    candidates[target].push_back({std::move(false_text), d.entity, span, encode(t.masked, prefix, t_mid_end, t.entity)});
  };
  for (const std::string& key : bucket_order) {
    const std::vector<size_t>& members = buckets[key];
    for (size_t x = 0; x < members.size(); ++x) {
      for (size_t y = x + 1; y < members.size(); ++y) {
        size_t i = members[x], j = members[y];
        if (kept[i].entity == kept[j].entity) continue;
        if (kept[i].masked == kept[j].masked) {  // both products have the same value here
          ++report.skipped_same_value;
          continue;
        }
        size_t prefix = 0, suffix = 0;
        // Worded values ("main circuit overvoltage") are often longer than a swapped span may be.
        if (!contrast_spans(kept[i].masked, kept[j].masked, std::max(options.max_span, kClaimContrastMaxSpan), prefix, suffix))
          continue;
        claim_contrasts.add(kept[i].lang, kept[i].masked, kept[j].masked);
        const size_t longer_middle = std::max(kept[i].masked.size(), kept[j].masked.size()) - prefix - suffix;
        if (longer_middle > static_cast<size_t>(options.max_span)) continue;  // too long for a swapped value
        consider(i, j, prefix, suffix);
        consider(j, i, prefix, suffix);
      }
    }
  }

  add_sentence_end_contrasts(kept, claim_contrasts);
  std::vector<ProductSentence> product_sentences;
  for (const auto& e : kept) product_sentences.push_back({e.lang, e.entity, e.text});
  result.claim_contrasts = claim_contrasts.finish(product_sentences);
  report.claim_contrasts = result.claim_contrasts.size();

  // 4. Per sentence: the true statement once and up to K false variants, picked by the seed,
  // preferring variants that carry different entities' values, then the closest contrasts
  // (shortest swapped span: a value, rather than an attribute and its value).
  std::vector<MinedStatement>& out = result.statements;
  for (size_t i = 0; i < kept.size(); ++i) {
    std::vector<Candidate>& c = candidates[i];
    if (c.empty()) continue;
    const EntitySentence& s = kept[i];
    uint64_t state = splitmix64_mix(options.seed ^ fnv1a64(s.text));
    for (size_t k = c.size(); k > 1; --k) std::swap(c[k - 1], c[splitmix64_next(state) % k]);
    std::stable_sort(c.begin(), c.end(), [](const Candidate& x, const Candidate& y) { return x.span < y.span; });
    std::vector<const Candidate*> picked;
    std::set<std::string> used_entities;
    for (const auto& cand : c)
      if (picked.size() < static_cast<size_t>(options.per_sentence) && used_entities.insert(cand.value_from).second)
        picked.push_back(&cand);
    for (const auto& cand : c)
      if (picked.size() < static_cast<size_t>(options.per_sentence) &&
          std::find(picked.begin(), picked.end(), &cand) == picked.end())
        picked.push_back(&cand);
    out.push_back({s.text, true, s.entity, s.lang, s.source, "", "", picked.front()->claim, s.text});
    ++report.true_statements;
    ++report.by_language[s.lang].true_statements;
    for (const Candidate* cand : picked) {
      out.push_back({cand->text, false, s.entity, s.lang, s.source, cand->value_from, s.text, cand->claim, s.text});
      ++report.false_statements;
      ++report.by_language[s.lang].false_statements;
    }
  }

  // 5. Other phrasings of the same fact as recall answers.
  if (options.cross_phrasing > 0) use_other_phrasings(kept, options, out, report);

  // Shuffle so true and false statements (and products) are interleaved in training.
  uint64_t state = splitmix64_mix(options.seed ^ 0x5354415445ull);
  for (size_t k = out.size(); k > 1; --k) std::swap(out[k - 1], out[splitmix64_next(state) % k]);
  return result;
}

std::string statements_to_jsonl(const std::vector<MinedStatement>& statements, StatementAnswer answer) {
  std::string out;
  for (const auto& s : statements) {
    TrueFalseWording wording = truefalse_wording(s.lang, s.statement);
    const std::string& recalled = !s.recall.empty() ? s.recall : s.label ? s.statement : s.original;
    nlohmann::ordered_json record;
    record["messages"] = nlohmann::ordered_json::array(
        {{{"role", "user"}, {"content", truefalse_question(s.statement, wording)}},
         {{"role", "assistant"},
          {"content", answer == StatementAnswer::kRecall ? truefalse_recall_answer(wording, recalled)
                                                          : (s.label ? wording.answer_true : wording.answer_false)}}});
    record["label"] = s.label;
    record["entity"] = s.entity;
    record["source"] = s.source;
    if (!s.label) record["value_from"] = s.value_from;
    // For the grounded rows (data/grounded-rows.h): the claim and the corpus sentence deciding it.
    record["statement"] = s.statement;
    record["evidence"] = s.label ? s.statement : s.original;
    out += record.dump();
    out += '\n';
  }
  return out;
}

std::string recall_pairs_to_jsonl(const std::vector<MinedStatement>& statements) {
  std::string out;
  for (const auto& s : statements) {
    if (s.label) continue;
    TrueFalseWording wording = truefalse_wording(s.lang, s.statement);
    // Asked with the false statement, then with the true one: the same chosen and rejected
    // answers either way, so the preference cannot be "copy" or "do not copy" the question.
    for (const std::string* asked : {&s.statement, &s.original}) {
      nlohmann::ordered_json record;
      record["prompt"] = truefalse_question(*asked, wording);
      record["chosen"] = truefalse_recall_answer(wording, s.original);
      record["rejected"] = truefalse_recall_answer(wording, s.statement);
      out += record.dump();
      out += '\n';
    }
  }
  return out;
}

std::string knowledge_pairs_to_jsonl(const std::vector<MinedStatement>& statements) {
  std::string out;
  for (const auto& s : statements) {
    if (s.label) continue;
    nlohmann::ordered_json record;
    record["true"] = s.original;
    record["false"] = s.statement;
    record["source"] = s.source;
    record["entity"] = s.entity;
    record["value_from"] = s.value_from;
    out += record.dump();
    out += '\n';
  }
  return out;
}

std::string format_statement_report(const StatementMiningReport& r) {
  std::string out = cat("sentences read:            ", r.sentences_read, "\n", "  questions (skipped):     ", r.questions, "\n",
                        "distinct sentences:        ", r.unique_sentences,
                        "\n", "  naming no entity:        ", r.no_entity, "\n", "  naming several entities: ",
                        r.several_entities, "\n", "  naming one entity:       ", r.with_one_entity, "\n",
                        "false candidates:          ", r.candidates, "\n", "  skipped, same value:     ", r.skipped_same_value,
                        "\n", "  skipped, true elsewhere: ", r.skipped_true_elsewhere, "\n",
                        "statements:                ", r.true_statements, " true, ", r.false_statements, " false\n",
                        "  fact also said otherwise: ", r.other_phrasing_found, " (recall answer in other words: ",
                        r.cross_phrased, ")\n", "worded value sets:         ", r.claim_contrasts, "\n");
  for (const auto& [lang, c] : r.by_language)
    out += cat("  ", lang, ": ", c.sentences_with_one_entity, " sentences with one entity, ", c.true_statements, " true, ",
               c.false_statements, " false\n");
  return out;
}

}  // namespace gemba::data
