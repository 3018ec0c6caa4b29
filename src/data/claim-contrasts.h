// Values written as words: phrases that fill the same slot for different products ("AL.66 for
// overload" / "AL.23 for overspeed", "is CANopen" / "is EtherNet/IP", "アナログ入力" /
// "アナログ出力"). Numbers and codes are value tokens (data/value-tokens.h) and are compared as
// such; a claim made of plain words is not, so "AL.66 means overspeed" read as agreeing with a
// recall of "AL.66 for overload". The statement miner (data/statement-mining.h) collects these
// phrases, and the recall grader (eval/recall-grader.h) reads a statement naming one phrase of a
// set and a recall naming another one of the same set instead as a contradiction.
//
// Where the sets come from:
//  * sentences: two templates of one language that differ in one middle (the miner's contrast
//    pairs, entity masked). The middles, widened to whole runs of ASCII letters and digits,
//    kanji and katakana ("入"/"出" becomes "アナログ入力"/"アナログ出力"), are a set of two. A
//    middle that holds value tokens ("AL.66 for overload" / "AL.52 for main circuit
//    overvoltage") is compared again with each value token masked, and the words that still
//    differ are the pair; none when those words contain a value.
//  * tables: the cells of one column of the Markdown tables that share a header (the error
//    tables' "Meaning" column, the guides' "Built-in communication"), the first (key) column
//    and cells naming a product or a value token left out. A column headed by a product ("| Item
//    | ZIO-A62 |") holds one value per attribute: there each row label is a set ("Unit type").
// Every phrase is NFKC, whitespace-free and lower-case (ASCII), has 2+ code points and no value
// token, is matched at word boundaries ("off" is not in "speed of fan"), and is distinctive: it occurs in the sentences of at most half the language's
// products. A phrase that most products' sentences use is phrasing, not a value: "とき" /
// "場合" (when / in case) are swapped between templates too.
//
// Limits: a slot that holds several values at once ("supports CANopen" / "supports EtherNet/IP"
// for a product that supports both) reads a recall of the other true value as a contradiction;
// a recall that names a value in other words than the set's ("overheating" for "overheat") is no
// clash. Each phrase is looked up in every sentence of its language: fine for manuals of some
// thousand sentences, slow for hundreds of thousands.
#pragma once
#include <cstdint>
#include <functional>
#include <map>
#include <regex>
#include <set>
#include <string>
#include <tuple>
#include <vector>

namespace gemba::data {

// Where a text names an entity (a product, a config key): byte ranges, in order. The statement
// miner builds one from --entity-pattern or from the entities the manuals name (entities.h).
using EntityFinder = std::function<std::vector<std::pair<size_t, size_t>>(const std::string&)>;

struct ClaimContrast {
  std::string lang;                  // "ja" / "en"
  std::string slot;                  // "sentences", or "table: <column header>"
  std::vector<std::string> phrases;  // 2+, sorted, distinct
};

using ClaimContrasts = std::vector<ClaimContrast>;

// A sentence of the corpus that names one product: where a phrase occurs.
struct ProductSentence {
  std::string lang;
  std::string entity;
  std::string text;
};

class ClaimContrastCollector {
 public:
  // Two templates (code points, the entity masked by a code point that is no letter) that
  // read the same except for one middle. Adds their pair of worded values, if they have one.
  void add(const std::string& lang, const std::vector<uint32_t>& a, const std::vector<uint32_t>& b);

  // The Markdown tables of one text: a header row, a |---| row, then rows.
  void add_tables(const std::string& text, const EntityFinder& entity);

  // One table of the document model (data/document.h): its header and body rows.
  void add_table(const std::vector<std::string>& header, const std::vector<std::vector<std::string>>& rows,
                 const EntityFinder& entity);

  // The sets, their phrases kept if distinctive, sorted by language, slot and phrases.
  ClaimContrasts finish(const std::vector<ProductSentence>& sentences) const;

  static constexpr double kMaxEntityShare = 0.5;

 private:
  std::set<std::tuple<std::string, std::string, std::string>> pairs_;  // (lang, a, b), a < b
  std::map<std::pair<std::string, std::string>, std::set<std::string>> columns_;  // (lang, table header + column) -> cells
};

// {"lang":"en","slot":"table: Meaning","phrases":["blownfuse","overload",...]} per line
// (gemba data statements --contrasts-output).
std::string claim_contrasts_to_jsonl(const ClaimContrasts& contrasts);

// Reads that file; throws gemba::Error naming the file and line of a malformed record.
ClaimContrasts load_claim_contrasts(const std::string& path);

// A statement naming one phrase of a set (which the recall does not) whose recall names another
// of the same set (which the statement does not): the recall contradicts the statement's claim.
struct ClaimClash {
  std::string in_statement;
  std::string in_recall;
};

// The clashes between a statement and a recalled sentence (raw text; NFKC, whitespace and ASCII
// case ignored), one per distinct pair of phrases.
std::vector<ClaimClash> claim_clashes(const ClaimContrasts& contrasts, const std::string& statement, const std::string& recalled);

}  // namespace gemba::data
