// data: `gemba data prepare` end to end on a tiny corpus (outputs, report, shards, no
// leakage, determinism, atomic output) and on the shared Klipper corpus.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>

#include "core/atomic-output.h"
#include "core/error.h"
#include "core/json.h"
#include "data/normalize.h"
#include "data/prepare.h"
#include "data/token-shard.h"
#include "tokenizer/tokenizer.h"

namespace fs = std::filesystem;
using namespace gemba;
using namespace gemba::data;

namespace {

class PrepareTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("gemba-test-prepare-" + std::to_string(::getpid()));
    fs::remove_all(root_);
    fs::create_directories(root_ / "manuals");
  }
  void TearDown() override { fs::remove_all(root_); }
  void write(const std::string& rel, const std::string& bytes) {
    fs::create_directories((root_ / rel).parent_path());
    std::ofstream(root_ / rel, std::ios::binary) << bytes;
  }
  std::string path(const std::string& rel) const { return (root_ / rel).string(); }

  // 22 product manuals that differ in their facts, plus a copy and a near copy.
  void write_corpus() {
    for (int i = 0; i < 22; ++i) {
      std::string n = std::to_string(i);
      write("manuals/servo-" + n + ".md",
            "# ＳＶ－" + n + "00 サーボアンプ\n\n## 仕様\n\n| 項目 | 値 |\n|---|---|\n| 定格電流 | " + n + ".5 A |\n\n"
            "## エラーコード\n\nE-" + n + "1: エンコーダ異常。ケーブルの断線、コネクタの接続不良を確認し、"
            "必要に応じてケーブルを交換してください。型式 SV-" + n + "00 に固有の手順です。\n\n"
            "Common safety note: switch off the main power and wait five minutes before touching the terminals.\n");
    }
    write("manuals/copy/servo-3.md", read_file(path("manuals/servo-3.md")));
    std::string near = read_file(path("manuals/servo-4.md"));
    near.replace(near.find("必要に応じて"), std::string("必要に応じて").size(), "必要ならば");
    write("manuals/near-copy-servo-4.md", near);
    write("manuals/broken.txt", std::string("\x83\x54\x81", 3));
    write("faq/faq.jsonl",
          "{\"question\": \"E-01とは?\", \"answer\": \"エンコーダ異常です。\"}\n"
          "{\"question\": \"E-01とは?\", \"answer\": \"エンコーダ異常です。\"}\n"
          "{\"messages\": [{\"role\": \"user\", \"content\": \"定格電流は?\"}, {\"role\": \"assistant\", \"content\": \"0.5 Aです。\"}]}\n");
    write("faq/faq.csv", "question,answer\nHow to reset?,\"Press RESET, then wait.\"\nWhat is SV-100?,A servo amplifier.\n");
  }

  PrepareOptions options() {
    PrepareOptions o;
    o.manuals = {path("manuals")};
    o.faq = {path("faq/faq.jsonl"), path("faq/faq.csv")};
    o.output = path("out");
    o.vocab_size = 400;
    o.val_fraction = 0.2;
    o.val_documents = 0.2;
    o.seed = 42;
    o.threads = 1;
    return o;
  }

  fs::path root_;
};

std::vector<std::string> documents_of(const std::string& text) {
  std::vector<std::string> docs;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find("\n\n\n", start);
    if (end == std::string::npos) end = text.size();
    docs.push_back(text.substr(start, end - start));
    start = end + 3;
  }
  return docs;
}

}  // namespace

TEST_F(PrepareTest, WritesShardsSplitsManifestAndReport) {
  write_corpus();
  Json report = prepare_data(options());
  std::string out = path("out");
  for (const char* f : {"train.tok", "val.tok", "manuals-train.txt", "manuals-val.txt", "faq-train.jsonl", "faq-val.jsonl",
                        "manifest.json", "report.json", "tokenizer/tokenizer.model", "passages.jsonl", "entities.jsonl"})
    EXPECT_TRUE(fs::exists(out + "/" + f)) << f;
  EXPECT_EQ(read_json_file(out + "/report.json"), report);

  // Files and skips.
  EXPECT_EQ(report["files"]["md"]["files"], 24);
  EXPECT_EQ(report["skipped"].size(), 1u);
  EXPECT_EQ(report["skipped_by_reason"]["invalid-utf8"], 1);
  // Dedupe: the copy and the near copy go; the sibling manuals (different numbers) stay.
  EXPECT_EQ(report["documents"]["ingested"], 24);
  EXPECT_EQ(report["documents"]["exact_duplicates"], 1);
  EXPECT_EQ(report["documents"]["near_duplicates"], 1);
  EXPECT_EQ(report["documents"]["train"].get<int>() + report["documents"]["val"].get<int>(), 22);
  EXPECT_EQ(report["documents"]["val"], 4);
  // The shared safety paragraph survives once, in training.
  EXPECT_EQ(report["paragraphs"]["exact_duplicates"], 21);
  EXPECT_EQ(report["faq"]["exact_duplicates"], 1);
  EXPECT_EQ(report["faq"]["train"].get<int>() + report["faq"]["val"].get<int>(), 4);

  // Normalized text: full-width model names became ASCII.
  std::string train_text = read_file(out + "/manuals-train.txt");
  std::string val_text = read_file(out + "/manuals-val.txt");
  EXPECT_EQ(train_text.find("ＳＶ"), std::string::npos);
  EXPECT_NE(train_text.find("\nSV-"), std::string::npos);  // the heading, without its Markdown mark
  EXPECT_EQ(train_text.find("Common safety note"), train_text.rfind("Common safety note"));

  // No leakage: no paragraph of a validation document appears in training.
  ASSERT_FALSE(val_text.empty());
  for (const auto& doc : documents_of(val_text))
    for (const auto& p : split_paragraphs(doc))
      if (p.size() >= 40) {
        EXPECT_EQ(train_text.find(p), std::string::npos) << "leaked: " << p;
      }

  // Shards: every document is BOS ... EOS; counts match the report.
  TokenShard train = TokenShard::open(out + "/train.tok");
  TokenShard val = TokenShard::open(out + "/val.tok");
  EXPECT_EQ(train.size(), report["tokens"]["train"].get<uint64_t>());
  EXPECT_EQ(val.size(), report["tokens"]["val"].get<uint64_t>());
  int32_t bos = report["tokenizer"]["bos_id"], eos = report["tokenizer"]["eos_id"];
  auto count_docs = [&](const TokenShard& s) {
    size_t docs = 0;
    for (uint64_t i = 0; i < s.size(); ++i) {
      if (s[i] == eos) {
        ++docs;
        if (i + 1 < s.size()) {
          EXPECT_EQ(s[i + 1], bos);
        }
      }
    }
    EXPECT_EQ(s[0], bos);
    EXPECT_EQ(s[s.size() - 1], eos);
    return docs;
  };
  EXPECT_EQ(count_docs(train), report["documents"]["train"].get<size_t>());
  // val.tok: the held-out documents, then the FAQ validation pairs (each [BOS] text EOS too).
  EXPECT_EQ(count_docs(val), report["documents"]["val"].get<size_t>() + report["faq"]["val"].get<size_t>());

  // Manifest: every ingested document with its split or why it was dropped.
  Json manifest = read_json_file(out + "/manifest.json");
  ASSERT_EQ(manifest["documents"].size(), 24u);
  std::set<std::string> splits;
  for (const auto& d : manifest["documents"]) splits.insert(d["split"].get<std::string>());
  EXPECT_EQ(splits, (std::set<std::string>{"train", "val", "dropped"}));
  EXPECT_NE(format_report_table(report).find("near duplicates removed"), std::string::npos);
}

TEST_F(PrepareTest, DeterministicBySeed) {
  write_corpus();
  PrepareOptions o = options();
  prepare_data(o);
  std::string manifest1 = read_file(path("out/manifest.json"));
  std::string shard1 = read_file(path("out/train.tok"));
  prepare_data(o);  // replaces the existing directory
  EXPECT_EQ(read_file(path("out/manifest.json")), manifest1);
  EXPECT_EQ(read_file(path("out/train.tok")), shard1);
  o.seed = 7;
  o.output = path("out7");
  prepare_data(o);
  EXPECT_NE(read_file(path("out7/manifest.json")), manifest1);
}

TEST_F(PrepareTest, ReusesAGivenTokenizer) {
  write_corpus();
  prepare_data(options());
  PrepareOptions o = options();
  o.tokenizer = path("out/tokenizer");
  o.output = path("again");
  Json report = prepare_data(o);
  EXPECT_EQ(report["tokenizer"]["source"], "given");
  EXPECT_FALSE(fs::exists(path("again/tokenizer")));
  EXPECT_EQ(read_file(path("again/train.tok")), read_file(path("out/train.tok")));
}

TEST_F(PrepareTest, ShuffledCopiesAreAppendedToTrainOnly) {
  write_corpus();
  PrepareOptions o = options();
  Json plain = prepare_data(o);
  const auto plain_train = TokenShard::open(path("out/train.tok"));
  const std::string plain_val = read_file(path("out/val.tok"));
  const uint64_t plain_tokens = plain_train.size();
  o.tokenizer = path("out/tokenizer");
  o.output = path("aug");
  o.shuffled_copies = 3;
  Json report = prepare_data(o);
  const auto train = TokenShard::open(path("aug/train.tok"));
  const uint64_t added = report["augmentation"]["tokens"].get<uint64_t>();
  EXPECT_GT(added, 0u);
  EXPECT_EQ(train.size(), plain_tokens + added) << "the originals stay, the copies follow";
  for (uint64_t i = 0; i < plain_tokens; ++i) ASSERT_EQ(train[i], plain_train[i]) << "token " << i;
  EXPECT_EQ(read_file(path("aug/val.tok")), plain_val) << "validation text is never augmented";
  EXPECT_EQ(report["tokens"]["train"], plain["tokens"]["train"]);
  // Document scope (the default): one shuffled document per training manual per copy.
  auto tok = tokenizer::Tokenizer::load(path("out/tokenizer"));
  int eos = 0;
  for (uint64_t i = plain_tokens; i < train.size(); ++i) eos += train[i] == tok.eos_id();
  EXPECT_EQ(eos, 3 * plain["documents"]["train"].get<int>());
  EXPECT_GT(added, plain_tokens * 3 / 2) << "each copy holds (almost) all of the training text";
  o.shuffle_scope = "corpus";  // one document per copy
  o.output = path("aug-corpus");
  Json corpus = prepare_data(o);
  const auto corpus_train = TokenShard::open(path("aug-corpus/train.tok"));
  eos = 0;
  for (uint64_t i = plain_tokens; i < corpus_train.size(); ++i) eos += corpus_train[i] == tok.eos_id();
  EXPECT_EQ(eos, 3);
  o.shuffle_scope = "line";
  EXPECT_THROW(prepare_data(o), Error);
  o.shuffled_copies = -1;
  EXPECT_THROW(prepare_data(o), Error);
}

TEST_F(PrepareTest, KeepWholeMakesEachProductCodeOneToken) {
  write_corpus();
  PrepareOptions o = options();
  o.keep_whole = "SV-[0-9]{3}";
  Json report = prepare_data(o);
  // SV-000 ... SV-900 each occur in one manual (twice in the copies): the ones seen twice or more are kept.
  auto terms = report["tokenizer"]["whole_terms"].get<std::vector<std::string>>();
  EXPECT_NE(std::find(terms.begin(), terms.end(), "SV-300"), terms.end()) << report["tokenizer"].dump();
  auto tok = tokenizer::Tokenizer::load(path("out/tokenizer"));
  for (const auto& term : terms) {
    auto ids = tok.encode("型式 " + term + " の定格電流", false);
    auto pieces = tok.encode(term, false, /*dummy_prefix=*/false);
    EXPECT_EQ(pieces.size(), 1u) << term << " is one token";
    EXPECT_NE(std::find(ids.begin(), ids.end(), pieces[0]), ids.end()) << term << " stays whole inside a sentence";
  }
  // Without the option the codes are split (digits are single tokens).
  Json plain = prepare_data(options());
  EXPECT_TRUE(plain["tokenizer"]["whole_terms"].empty());
  auto plain_tok = tokenizer::Tokenizer::load(path("out/tokenizer"));
  EXPECT_GT(plain_tok.encode("SV-300", false, false).size(), 1u);

  o.keep_whole = "SV-[";
  EXPECT_THROW(prepare_data(o), Error);
}

TEST_F(PrepareTest, ManualsAreNotHeldOutByDefaultAndSmallCorporaRefuseIt) {
  write_corpus();
  PrepareOptions o = options();
  o.val_documents = 0;
  Json report = prepare_data(o);
  EXPECT_EQ(report["documents"]["val"], 0);
  EXPECT_GT(report["tokens"]["val_faq"].get<uint64_t>(), 0u);  // validation text: the FAQ val pairs
  EXPECT_EQ(report["tokens"]["val"], report["tokens"]["val_faq"]);
  // Passages cite their source: file, heading path and line.
  std::string passages = read_file(path("out") + "/passages.jsonl");
  Json first = parse_json(passages.substr(0, passages.find('\n')), "passages.jsonl");
  EXPECT_FALSE(first["source"].get<std::string>().empty());
  EXPECT_GT(first["line"].get<int>(), 0);
  EXPECT_NE(passages.find("\"kind\":\"table-row\""), std::string::npos);
  EXPECT_NE(passages.find("\"kind\":\"faq\""), std::string::npos);

  // Fewer than 20 documents: holding whole documents out is refused with a warning.
  fs::remove_all(path("out"));
  for (int i = 5; i < 22; ++i) fs::remove(path("manuals/servo-" + std::to_string(i) + ".md"));
  o.val_documents = 0.3;
  report = prepare_data(o);
  EXPECT_EQ(report["documents"]["val"], 0);
  ASSERT_EQ(report["split"]["warnings"].size(), 1u);
  EXPECT_NE(report["split"]["warnings"][0].get<std::string>().find("only statement"), std::string::npos);
}

TEST_F(PrepareTest, ExcludedManualsAreLeftOut) {
  write_corpus();
  PrepareOptions o = options();
  o.exclude = {"servo-1*.md", "*/copy/*"};
  Json report = prepare_data(o);
  EXPECT_EQ(report["excluded_files"].size(), 12u);  // servo-1, servo-10..19, copy/servo-3
  EXPECT_EQ(read_file(path("out") + "/manuals-train.txt").find("SV-100 "), std::string::npos);
}

TEST_F(PrepareTest, NothingUsableIsAnErrorAndLeavesNoOutput) {
  write("manuals/bad.txt", std::string("\0\0", 2));
  PrepareOptions o = options();
  o.faq.clear();
  EXPECT_THROW(prepare_data(o), Error);
  EXPECT_FALSE(fs::exists(path("out")));
  for (const auto& entry : fs::directory_iterator(root_))
    EXPECT_EQ(entry.path().filename().string().find("out.tmp"), std::string::npos) << "temporary left behind";
  o.faq = {path("faq/missing.jsonl")};
  EXPECT_THROW(prepare_data(o), Error);
}

TEST(PrepareKlipper, SharedCorpusGivesASaneReport) {
  fs::path dir = fs::path(GEMBA_SHARED_DIR) / "corpora" / "klipper";
  if (!fs::exists(dir / "manual.txt")) GTEST_SKIP() << "shared corpus not found at " << dir;
  fs::path out = fs::temp_directory_path() / ("gemba-test-klipper-" + std::to_string(::getpid()));
  PrepareOptions o;
  o.manuals = {(dir / "manual.txt").string(), (dir / "manual_ja.txt").string()};
  o.faq = {(dir / "faq.jsonl").string(), (dir / "faq_ja.jsonl").string()};
  o.output = out.string();
  o.vocab_size = 2000;
  o.val_fraction = 0.1;
  Json report = prepare_data(o);
  EXPECT_TRUE(report["skipped"].empty()) << report["skipped"].dump();
  EXPECT_EQ(report["files"]["txt"]["files"], 2);
  // manual.txt holds 48 documents separated by blank-line pairs; manual_ja.txt 6.
  EXPECT_GE(report["documents"]["ingested"].get<int>(), 40);
  // No document is held out by default (each states its facts once); validation is the FAQ's.
  EXPECT_EQ(report["documents"]["val"], 0);
  EXPECT_GE(report["documents"]["train"].get<int>(), 40);
  EXPECT_GT(report["tokens"]["val_faq"].get<uint64_t>(), 0u);
  EXPECT_GT(report["passages"].get<int>(), 1000);
  EXPECT_EQ(report["faq"]["train"].get<int>() + report["faq"]["val"].get<int>(), 59);  // 35 English + 24 Japanese
  uint64_t tokens = report["tokens"]["train"].get<uint64_t>();
  uint64_t chars = report["chars"]["train"].get<uint64_t>() + report["chars"]["val"].get<uint64_t>();
  EXPECT_GT(chars, 700000u);
  // Discovered entities: Klipper's config keys are among the top ones, found without a pattern.
  bool rotation_distance = false;
  for (const auto& e : report["entities"]["top"]) rotation_distance |= e["name"] == "rotation_distance";
  EXPECT_TRUE(rotation_distance) << report["entities"].dump();
  EXPECT_GT(tokens, chars / 8);  // a 2000-piece vocabulary: a few characters per token
  EXPECT_LT(tokens, chars);
  EXPECT_EQ(TokenShard::open((out / "train.tok").string()).size(), report["tokens"]["train"].get<uint64_t>());
  fs::remove_all(out);
}
