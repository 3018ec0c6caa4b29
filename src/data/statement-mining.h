// True/false training statements mined from the manuals and FAQ themselves (never from the
// test set): the same "similar but different" idea as DPO pair mining (data/pairs.h), but
// inside one sentence. Two sentences about different products that read the same except for
// a short span ("ZHP-310の解像度は480×272ドットです。" / "ZHP-320の解像度は320×240ドットです。")
// give a FALSE statement when one product's sentence carries the other's value; the sentence
// as written is the TRUE statement. Every step is deterministic for given inputs and seed.
//
// Steps: split text into sentences (newlines, 。 . ! ? ending a sentence); drop table rows,
// headings, very short/long lines and questions; keep sentences naming exactly one distinct entity (a
// product code matched by the entity pattern); mask it; compare sentences of the same language
// in buckets (first 4 + last 2 code points of the masked template) by longest common prefix
// and suffix; the differing middles, widened to whole ASCII words/numbers, are the swapped
// values. Per sentence the true statement is kept once with up to K false variants, picked by
// the seed, preferring other entities' values, then the shortest swapped span.
#pragma once
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "data/claim-contrasts.h"
#include "data/document.h"

namespace gemba::data {

struct StatementMiningOptions {
  // What a fact is about. A regular expression (std::regex, ECMAScript) of product codes
  // ("Z[A-Z]{2}-[A-Z0-9]{2,3}" for the fa-sample); empty: the entities the manuals themselves
  // name (data/entities.h), found without a hand-written pattern.
  std::string entity_pattern;
  int per_sentence = 1;  // false variants per true sentence (K); with K=1 true and false are balanced
  uint64_t seed = 0;     // picks the variants and shuffles the output
  int max_span = 24;     // longest swapped middle, in code points
  size_t min_sentence_chars = 8;    // code points; shorter sentences are dropped
  size_t max_sentence_chars = 300;  // longer ones too
  // Share of statements whose recall answer is another sentence of the corpus stating the same
  // fact in other words (same entity and language, the same value tokens, data/value-tokens.h,
  // and the statement's claim): the model practises reading a fact in one phrasing and saying it
  // in another, as it must for a test written in phrasings it never saw. 0: every recall answer
  // is the statement's own sentence.
  double cross_phrasing = 0;
};

// One text to mine: a manual document (its blocks) or one FAQ field (its text).
struct StatementSourceText {
  std::string name;          // a document id, or a FAQ pair id ("faq.jsonl:12")
  std::string text;          // plain or Markdown text, read line by line (when `blocks` is empty)
  bool number_lines = true;  // sources are "<name>:<line>"; false: "<name>" as is
  std::vector<Block> blocks; // a document read by data/ingest.h: its prose blocks give the
                             // sentences, its table rows the worded values; code is never mined
};

// One sentence of the corpus after splitting and filtering.
struct CorpusSentence {
  std::string text;
  std::string source;  // "<file>:<line>"
};

struct MinedStatement {
  std::string statement;
  bool label = true;       // true: as written in the corpus; false: a value swapped in
  std::string entity;      // the product the statement is about
  std::string lang;        // "ja" or "en"
  std::string source;      // where the true sentence is
  std::string value_from;  // false statements: the other entity whose value was swapped in
  std::string original;    // false statements: the true corpus sentence it was made from
  std::string claim;       // the span of the true sentence that the contrast swaps ("8k", "[MENU]キー")
  std::string recall;      // the sentence a recall answer says: the true sentence, or (cross_phrasing)
                           // another sentence stating the same fact
};

struct StatementLanguageCounts {
  size_t sentences_with_one_entity = 0;
  size_t true_statements = 0;
  size_t false_statements = 0;
};

struct StatementMiningReport {
  size_t sentences_read = 0;        // after splitting and filtering (table rows, headings, length)
  size_t questions = 0;             // "...?" / "...ですか。": they assert nothing, so are skipped
  size_t unique_sentences = 0;      // distinct texts (questions excluded)
  size_t no_entity = 0;             // distinct sentences naming no entity
  size_t several_entities = 0;      // ... naming two or more distinct entities
  size_t with_one_entity = 0;
  size_t candidates = 0;            // false variants found (before picking K per sentence)
  size_t skipped_same_value = 0;    // same template, or middles equal after whitespace normalization
  size_t skipped_true_elsewhere = 0;  // the false text occurs verbatim as a corpus sentence
  size_t true_statements = 0;
  size_t false_statements = 0;
  size_t other_phrasing_found = 0;  // statements whose fact the corpus also states in other words
  size_t cross_phrased = 0;         // ... whose recall answer is one of those (cross_phrasing)
  size_t claim_contrasts = 0;       // sets of worded values kept (data/claim-contrasts.h)
  std::map<std::string, StatementLanguageCounts> by_language;  // "ja", "en"
};

struct StatementMiningResult {
  std::vector<MinedStatement> statements;  // shuffled by the seed
  StatementMiningReport report;
  ClaimContrasts claim_contrasts;  // values written as words, for the recall grader
};

// Splits a source into sentences (core/sentences.h). Blocks: the paragraphs, list items and
// notes; headings, table rows and code are not sentences. Text: each line, where Markdown table
// rows ('|') and headings ('#') are dropped. Both drop Q&A question lines ("Q. ...") and
// sentences shorter/longer than the options' limits, and strip list, quote and answer markers
// ("- ", "* ", "1. ", "> ", "A. ").
std::vector<CorpusSentence> split_corpus_sentences(const StatementSourceText& source, const StatementMiningOptions& options);

// "ja" if the text has any kana or kanji, else "en".
std::string statement_language(const std::string& text);

// Mines statements from all texts. Throws gemba::Error naming --entity-pattern for an invalid
// regex, and naming the flag for other invalid options.
StatementMiningResult mine_statements(const std::vector<StatementSourceText>& texts, const StatementMiningOptions& options);

// How a statement's training answer is written (data/truefalse-format.h).
enum class StatementAnswer {
  kLabel,   // "True" / "誤り": the verdict alone (what `gemba eval truefalse --mode loglik` scores)
  kRecall,  // "The manual says: <the corpus sentence>" (eval truefalse --mode recall)
};

// One SFT conversation per line (OpenAI messages, readable by `gemba sft --data`), worded as
// the true/false evaluator asks (data/truefalse-format.h):
// {"messages":[{"role":"user",...},{"role":"assistant",...}],"label","entity","source"}.
std::string statements_to_jsonl(const std::vector<MinedStatement>& statements,
                                StatementAnswer answer = StatementAnswer::kLabel);

// Preference pairs (TRL JSONL for `gemba dpo`) for recall answers, two per false statement:
// chosen = "The manual says: <the corpus sentence>", rejected = "The manual says: <the false
// statement>", asked once with the false statement and once with the corpus sentence. The two
// answers differ only in the swapped value, so DPO's update lands on remembering the value: the
// "similar but different" negative, mined automatically. With only the first pair the cheapest
// way to satisfy DPO is to stop copying the question, which also breaks true statements.
std::string recall_pairs_to_jsonl(const std::vector<MinedStatement>& statements);

// The same statements as sentence pairs for the knowledge probe (eval/knowledge-probe.h): one
// line per false statement, {"true", "false", "source", "entity", "value_from"}, where "true"
// is the corpus sentence the false one was made from.
std::string knowledge_pairs_to_jsonl(const std::vector<MinedStatement>& statements);

// Human-readable summary (counts overall and per language).
std::string format_statement_report(const StatementMiningReport& report);

}  // namespace gemba::data
