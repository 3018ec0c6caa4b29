// Values written as words: phrases that the manuals swap between products in one sentence
// template ("AL.66 for overload" / "AL.66 for overspeed", "is CANopen" / "is EtherNet/IP",
// "アナログ入力" / "アナログ出力"). Numbers and codes are value tokens (data/value-tokens.h) and
// are compared as such; a claim made of plain words is not, so "AL.66 means overspeed" read
// as agreeing with a recall of "AL.66 for overload". The statement miner (data/statement-mining.h)
// finds these pairs while it compares templates, and the recall grader (eval/recall-grader.h)
// reads a statement naming one and a recall naming the other as a contradiction.
//
// How a pair is found, for two templates of one language that differ in one middle (the
// miner's contrast pairs, entity masked):
//  1. the middles, widened to whole runs of ASCII letters and digits, kanji and katakana (so
//     "入"/"出" becomes "アナログ入力"/"アナログ出力"), NFKC, whitespace removed;
//  2. a middle that holds value tokens ("AL.66 for overload" / "AL.52 for main circuit
//     overvoltage") is compared again with each value token masked, and the words that still
//     differ ("overload" / "maincircuitovervoltage") are the pair; none when they touch a value;
//  3. each phrase has 2+ code points and no value token;
//  4. distinctive only: each phrase occurs in the sentences of at most half the language's
//     products. A phrase that most products' sentences use is phrasing, not a value: "とき" /
//     "場合" (when / in case) are swapped between templates too.
#pragma once
#include <cstdint>
#include <set>
#include <string>
#include <tuple>
#include <vector>

namespace gemba::data {

struct ClaimContrast {
  std::string lang;  // "ja" / "en"
  std::string a, b;  // the two phrases, NFKC and whitespace-free, a < b
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
  // read the same except for one middle. Adds their plain-word pair, if they have one.
  void add(const std::string& lang, const std::vector<uint32_t>& a, const std::vector<uint32_t>& b);

  // The distinctive pairs (step 4), sorted by language, then phrase.
  ClaimContrasts finish(const std::vector<ProductSentence>& sentences) const;

  static constexpr double kMaxEntityShare = 0.5;

 private:
  std::set<std::tuple<std::string, std::string, std::string>> pairs_;  // (lang, a, b), a < b
};

// {"lang":"en","a":"CANopen","b":"EtherNet/IP"} per line (gemba data statements --contrasts-output).
std::string claim_contrasts_to_jsonl(const ClaimContrasts& contrasts);

// Reads that file; throws gemba::Error naming the file and line of a malformed record.
ClaimContrasts load_claim_contrasts(const std::string& path);

// A statement naming one phrase of a pair (and not the other) whose recall names the other
// (and not the first): the recall contradicts the statement's claim.
struct ClaimClash {
  std::string in_statement;
  std::string in_recall;
};

// The clashes between a statement and a recalled sentence (raw text; NFKC, whitespace ignored).
std::vector<ClaimClash> claim_clashes(const ClaimContrasts& contrasts, const std::string& statement, const std::string& recalled);

}  // namespace gemba::data
