// The hand-written true/false knowledge tests on the Klipper documentation
// (examples/klipper/truefalse.jsonl and truefalse-heldout.jsonl): every item is well formed,
// the files are balanced as the README says, and every item can be checked against the
// unmodified docs in ../shared/corpora/klipper — the line named by `source` exists and holds
// every `evidence_words` entry, the statement paraphrases that line instead of copying it,
// and an item marked "faq" is stated in an FAQ answer. The two files share no fact.
// The checks that read the corpus skip when ../shared is absent.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/atomic-output.h"
#include "core/json.h"
#include "core/nfkc.h"
#include "core/utf8.h"

namespace fs = std::filesystem;
using gemba::Json;

namespace {

constexpr size_t kMinDevItems = 160;
constexpr size_t kMinHeldoutItems = 100;
constexpr double kMinJapaneseShare = 0.30;
constexpr double kMinFaqShare = 0.30;  // "roughly 40% faq"
constexpr double kMaxFaqShare = 0.50;
constexpr size_t kMaxCopiedWords = 8;        // a statement may share at most 8 consecutive words
constexpr size_t kMaxEvidenceCodePoints = 48;  // evidence is a few words, never the sentence

const std::string kCorpus = std::string(GEMBA_SHARED_DIR) + "/corpora/klipper";
const std::string kExamples = std::string(GEMBA_SOURCE_DIR) + "/examples/klipper";

struct TestFile {
  std::string name;    // file name under examples/klipper
  std::string prefix;  // id prefix
  size_t min_items;
  std::vector<Json> items;
  std::vector<std::string> load_errors;  // unparsable lines
};

std::vector<TestFile>& files() {
  static std::vector<TestFile> all = [] {
    std::vector<TestFile> out = {{"truefalse.jsonl", "kt-", kMinDevItems, {}, {}},
                                 {"truefalse-heldout.jsonl", "kh-", kMinHeldoutItems, {}, {}}};
    for (auto& file : out) {
      const std::string path = kExamples + "/" + file.name;
      if (!fs::exists(path)) {
        file.load_errors.push_back(path + ": missing");
        continue;
      }
      const std::string text = gemba::read_file(path);
      size_t start = 0, line_no = 0;
      while (start < text.size()) {
        size_t end = text.find('\n', start);
        if (end == std::string::npos) end = text.size();
        ++line_no;
        const std::string line = text.substr(start, end - start);
        if (!line.empty()) {
          try {
            file.items.push_back(gemba::parse_json(line, file.name + ":" + std::to_string(line_no)));
          } catch (const std::exception& e) {
            file.load_errors.push_back(e.what());
          }
        }
        start = end + 1;
      }
    }
    return out;
  }();
  return all;
}

bool corpus_present() { return fs::is_directory(kCorpus + "/raw/en") && fs::is_directory(kCorpus + "/raw/ja"); }

// Case- and width-insensitive form: NFKC (full-width ASCII and the like become ASCII),
// then ASCII lower case.
std::string fold(std::string_view text) {
  std::string out = gemba::nfkc(text, "klipper test text");
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

// Words of a folded text: runs of ASCII letters/digits/underscore, and for Japanese the runs
// of one script (hiragana, katakana, kanji) — Japanese has no spaces, and a script run is
// about a word's length. Everything else separates words.
std::vector<std::string> words(std::string_view folded) {
  enum Kind { kNone, kAscii, kHiragana, kKatakana, kKanji };
  auto kind_of = [](uint32_t cp) {
    if ((cp >= 'a' && cp <= 'z') || (cp >= '0' && cp <= '9') || cp == '_') return kAscii;
    if (cp >= 0x3041 && cp <= 0x309F) return kHiragana;
    if ((cp >= 0x30A0 && cp <= 0x30FF) || cp == 0x30FC) return kKatakana;
    if ((cp >= 0x4E00 && cp <= 0x9FFF) || cp == 0x3005) return kKanji;
    return kNone;
  };
  std::vector<std::string> out;
  std::string current;
  Kind current_kind = kNone;
  size_t pos = 0;
  while (pos < folded.size()) {
    const size_t begin = pos;
    const uint32_t cp = gemba::utf8_decode(folded, pos);
    const Kind kind = kind_of(cp);
    if (kind != current_kind && !current.empty()) {
      out.push_back(current);
      current.clear();
    }
    current_kind = kind;
    if (kind != kNone) current.append(folded.substr(begin, pos - begin));
  }
  if (!current.empty()) out.push_back(current);
  return out;
}

// Longest run of consecutive words shared by `a` and `b`.
size_t longest_shared_run(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  size_t best = 0;
  std::vector<size_t> prev(b.size() + 1, 0), cur(b.size() + 1, 0);
  for (size_t i = 1; i <= a.size(); ++i) {
    for (size_t j = 1; j <= b.size(); ++j) {
      cur[j] = a[i - 1] == b[j - 1] ? prev[j - 1] + 1 : 0;
      best = std::max(best, cur[j]);
    }
    std::swap(prev, cur);
  }
  return best;
}

bool has_japanese(std::string_view text) {
  size_t pos = 0;
  while (pos < text.size()) {
    const uint32_t cp = gemba::utf8_decode(text, pos);
    if ((cp >= 0x3041 && cp <= 0x30FF) || (cp >= 0x4E00 && cp <= 0x9FFF)) return true;
  }
  return false;
}

// "raw/en/Config_Reference.md:1234" -> {"raw/en/Config_Reference.md", 1234}; line 0 if malformed.
std::pair<std::string, size_t> split_source(const std::string& source) {
  const size_t colon = source.rfind(':');
  if (colon == std::string::npos || colon + 1 == source.size()) return {source, 0};
  const std::string number = source.substr(colon + 1);
  if (!std::all_of(number.begin(), number.end(), [](char c) { return c >= '0' && c <= '9'; })) return {source, 0};
  return {source.substr(0, colon), std::stoul(number)};
}

// The lines of a corpus file (cached), empty if the file is missing.
const std::vector<std::string>& corpus_lines(const std::string& rel_path) {
  static std::map<std::string, std::vector<std::string>> cache;
  auto it = cache.find(rel_path);
  if (it != cache.end()) return it->second;
  std::vector<std::string> lines;
  const std::string path = kCorpus + "/" + rel_path;
  if (fs::is_regular_file(path)) {
    const std::string text = gemba::read_file(path);
    size_t start = 0;
    while (start <= text.size()) {
      size_t end = text.find('\n', start);
      if (end == std::string::npos) end = text.size();
      lines.push_back(text.substr(start, end - start));
      start = end + 1;
    }
  }
  return cache.emplace(rel_path, std::move(lines)).first->second;
}

// The FAQ pairs (folded answers) and the doc sections they were taken from: FAQ.md whole,
// plus the level-2 sections named in faq.jsonl ("Common Questions" of TMC_Drivers.md, ...).
struct Faq {
  std::vector<std::string> answers;
  std::set<std::pair<std::string, std::string>> sections;  // {file name, "## " heading}
};

const Faq& faq() {
  static Faq all = [] {
    Faq out;
    for (const char* name : {"faq.jsonl", "faq_ja.jsonl"}) {
      const std::string text = gemba::read_file(kCorpus + "/" + name);
      size_t start = 0;
      while (start < text.size()) {
        size_t end = text.find('\n', start);
        if (end == std::string::npos) end = text.size();
        if (end > start) {
          const Json pair = gemba::parse_json(text.substr(start, end - start), name);
          out.answers.push_back(fold(pair.value("answer", "")));
          const std::string source = pair.value("source", "");
          const Json section = pair.value("section", Json());
          if (section.is_string() && section.get<std::string>() != "faq_page")
            out.sections.insert({fs::path(source).filename().string(), section.get<std::string>()});
        }
        start = end + 1;
      }
    }
    return out;
  }();
  return all;
}

// True if the line lies in an FAQ answer: anywhere in FAQ.md, or under one of the FAQ
// sections of the other docs.
bool in_faq_section(const std::string& rel_path, size_t line_no) {
  const std::string name = fs::path(rel_path).filename().string();
  if (name == "FAQ.md") return true;
  const auto& lines = corpus_lines(rel_path);
  for (size_t i = std::min(line_no, lines.size()); i >= 1; --i) {
    const std::string& line = lines[i - 1];
    if (line.rfind("## ", 0) == 0) return faq().sections.count({name, line.substr(3)}) > 0;
  }
  return false;
}

std::string id_of(const Json& item) { return item.value("id", std::string("<no id>")); }

bool is_string_field(const Json& item, const char* key) {
  return item.contains(key) && item[key].is_string() && !item[key].get<std::string>().empty();
}

TEST(KlipperTrueFalse, FilesParseAndEveryItemHasEveryField) {
  for (auto& file : files()) {
    SCOPED_TRACE(file.name);
    for (const auto& error : file.load_errors) ADD_FAILURE() << error;
    std::set<std::string> ids, fact_ids;
    size_t index = 0;
    for (const auto& item : file.items) {
      ++index;
      const std::string id = id_of(item);
      ASSERT_TRUE(item.is_object()) << file.name << " line " << index;
      for (const char* key : {"id", "lang", "evidence_lang", "split", "category", "entity", "fact_id", "statement",
                              "reference_answer", "source"})
        EXPECT_TRUE(is_string_field(item, key)) << id << ": field '" << key << "' missing, empty or not a string";
      EXPECT_TRUE(item.contains("label") && item["label"].is_boolean()) << id << ": label must be true/false";
      ASSERT_TRUE(item.contains("evidence_words") && item["evidence_words"].is_array()) << id << ": evidence_words";
      if (!is_string_field(item, "id") || !is_string_field(item, "lang") || !is_string_field(item, "statement") ||
          !is_string_field(item, "reference_answer") || !item["label"].is_boolean())
        continue;

      EXPECT_EQ(id.rfind(file.prefix, 0), 0u) << id << ": ids in " << file.name << " start with " << file.prefix;
      EXPECT_TRUE(ids.insert(id).second) << id << ": duplicate id";
      if (is_string_field(item, "fact_id")) {
        EXPECT_TRUE(fact_ids.insert(item["fact_id"].get<std::string>()).second)
            << id << ": fact_id used twice in " << file.name;
      }

      const std::string lang = item["lang"];
      const std::string split = item.value("split", "");
      EXPECT_TRUE(lang == "en" || lang == "ja") << id << ": lang " << lang;
      EXPECT_TRUE(split == "faq" || split == "manual") << id << ": split " << split;
      const std::string evidence_lang = item.value("evidence_lang", "");
      EXPECT_TRUE(evidence_lang == "en" || evidence_lang == "ja") << id << ": evidence_lang " << evidence_lang;
      if (lang == "en") {
        EXPECT_EQ(evidence_lang, "en") << id << ": an English item is decided by an English doc";
      } else {
        EXPECT_TRUE(has_japanese(item["statement"].get<std::string>())) << id << ": statement is not Japanese";
      }

      const bool label = item["label"];
      const std::string answer = item["reference_answer"];
      const std::string expected = lang == "ja" ? (label ? "正しい。" : "誤り。正しくは、")
                                                : (label ? "True. " : "False. Correct statement: ");
      EXPECT_EQ(answer.rfind(expected, 0), 0u) << id << ": reference_answer should start with \"" << expected << "\"";
      EXPECT_GT(answer.size(), expected.size() + 10) << id << ": reference_answer states nothing";

      const auto& evidence = item["evidence_words"];
      EXPECT_GE(evidence.size(), 2u) << id << ": evidence_words needs 2 to 6 entries";
      EXPECT_LE(evidence.size(), 6u) << id << ": evidence_words needs 2 to 6 entries";
      for (const auto& word : evidence) {
        ASSERT_TRUE(word.is_string() && !word.get<std::string>().empty()) << id << ": empty evidence word";
        EXPECT_LE(gemba::utf8_code_points(word.get<std::string>()), kMaxEvidenceCodePoints)
            << id << ": evidence word too long (store words, not the sentence): " << word;
      }
    }
  }
}

TEST(KlipperTrueFalse, SizesSplitsLabelsAndLanguagesAreBalanced) {
  for (auto& file : files()) {
    SCOPED_TRACE(file.name);
    EXPECT_GE(file.items.size(), file.min_items) << file.name << " has too few items";
    std::map<std::string, std::pair<size_t, size_t>> by_split;  // split -> {true, false}
    size_t japanese = 0, faq_items = 0;
    for (const auto& item : file.items) {
      if (!item.is_object() || !item.contains("label") || !item["label"].is_boolean()) continue;
      const std::string split = item.value("split", "");
      (item["label"].get<bool>() ? by_split[split].first : by_split[split].second)++;
      japanese += item.value("lang", "") == "ja";
      faq_items += split == "faq";
    }
    for (const auto& [split, counts] : by_split) {
      const size_t diff = counts.first > counts.second ? counts.first - counts.second : counts.second - counts.first;
      EXPECT_LE(diff, 1u) << file.name << " split " << split << ": " << counts.first << " true vs " << counts.second
                          << " false";
    }
    EXPECT_EQ(by_split.size(), 2u) << file.name << " needs both a faq and a manual split";
    if (file.items.empty()) continue;
    const double n = static_cast<double>(file.items.size());
    EXPECT_GE(japanese / n, kMinJapaneseShare) << file.name << ": " << japanese << " Japanese items of " << n;
    EXPECT_GE(faq_items / n, kMinFaqShare) << file.name << ": " << faq_items << " faq items of " << n;
    EXPECT_LE(faq_items / n, kMaxFaqShare) << file.name << ": " << faq_items << " faq items of " << n;
  }
}

TEST(KlipperTrueFalse, HeldoutSharesNoFactWithTheDevelopmentTest) {
  ASSERT_EQ(files().size(), 2u);
  std::set<std::string> dev_facts, dev_ids;
  for (const auto& item : files()[0].items) {
    dev_facts.insert(item.value("fact_id", ""));
    dev_ids.insert(id_of(item));
  }
  for (const auto& item : files()[1].items) {
    EXPECT_EQ(dev_facts.count(item.value("fact_id", "")), 0u)
        << id_of(item) << ": fact_id " << item.value("fact_id", "") << " is also in truefalse.jsonl";
    EXPECT_EQ(dev_ids.count(id_of(item)), 0u) << id_of(item) << ": id also in truefalse.jsonl";
  }
}

TEST(KlipperTrueFalse, EvidenceWordsAreOnTheSourceLine) {
  if (!corpus_present()) GTEST_SKIP() << "no corpus at " << kCorpus;
  for (auto& file : files()) {
    for (const auto& item : file.items) {
      const std::string id = id_of(item);
      const auto [path, line_no] = split_source(item.value("source", ""));
      ASSERT_GT(line_no, 0u) << id << ": source must be <path>:<line>, got " << item.value("source", "");
      const std::string evidence_lang = item.value("evidence_lang", "");
      EXPECT_EQ(path.rfind("raw/" + evidence_lang + "/", 0), 0u)
          << id << ": evidence_lang " << evidence_lang << " but source " << path;
      ASSERT_TRUE(fs::is_regular_file(kCorpus + "/" + path)) << id << ": no file " << path;
      const auto& lines = corpus_lines(path);
      ASSERT_LE(line_no, lines.size()) << id << ": " << path << " has " << lines.size() << " lines";
      const std::string line = fold(lines[line_no - 1]);
      for (const auto& word : item.value("evidence_words", Json::array())) {
        if (!word.is_string()) continue;
        EXPECT_NE(line.find(fold(word.get<std::string>())), std::string::npos)
            << id << ": evidence '" << word.get<std::string>() << "' is not on " << path << ":" << line_no << ": "
            << lines[line_no - 1];
      }
    }
  }
}

TEST(KlipperTrueFalse, StatementsParaphraseTheirSourceLine) {
  if (!corpus_present()) GTEST_SKIP() << "no corpus at " << kCorpus;
  for (auto& file : files()) {
    for (const auto& item : file.items) {
      const auto [path, line_no] = split_source(item.value("source", ""));
      const auto& lines = corpus_lines(path);
      if (line_no == 0 || line_no > lines.size()) continue;  // reported by EvidenceWordsAreOnTheSourceLine
      const size_t run =
          longest_shared_run(words(fold(item.value("statement", ""))), words(fold(lines[line_no - 1])));
      EXPECT_LE(run, kMaxCopiedWords) << id_of(item) << ": the statement copies " << run
                                      << " consecutive words of its source line";
    }
  }
}

TEST(KlipperTrueFalse, FaqItemsAreStatedInAnFaqAnswer) {
  if (!corpus_present()) GTEST_SKIP() << "no corpus at " << kCorpus;
  ASSERT_FALSE(faq().answers.empty());
  for (auto& file : files()) {
    for (const auto& item : file.items) {
      const std::string id = id_of(item);
      const auto [path, line_no] = split_source(item.value("source", ""));
      if (line_no == 0) continue;
      const bool faq_source = in_faq_section(path, line_no);
      if (item.value("split", "") == "manual") {
        EXPECT_FALSE(faq_source) << id << ": a manual item is decided by a line of an FAQ answer (" << path << ":"
                                 << line_no << ")";
        continue;
      }
      EXPECT_TRUE(faq_source) << id << ": a faq item must be decided by a line of an FAQ answer, not " << path;
      // The pairs strip Markdown, so the evidence must appear, together, in one FAQ answer.
      std::vector<std::string> evidence;
      for (const auto& word : item.value("evidence_words", Json::array()))
        if (word.is_string()) evidence.push_back(fold(word.get<std::string>()));
      const bool found = std::any_of(faq().answers.begin(), faq().answers.end(), [&](const std::string& answer) {
        return std::all_of(evidence.begin(), evidence.end(),
                           [&](const std::string& w) { return answer.find(w) != std::string::npos; });
      });
      EXPECT_TRUE(found) << id << ": no FAQ answer in faq.jsonl/faq_ja.jsonl contains all its evidence words";
    }
  }
}

}  // namespace
