// The embedded sample domain (examples/fa-sample): the generator is deterministic, the
// committed files are exactly its output, and the test set is balanced and checkable
// against the knowledge base.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <map>
#include <set>
#include <string>

#include "core/atomic-output.h"
#include "core/json.h"
#include "core/utf8.h"

namespace fs = std::filesystem;
using gemba::Json;

namespace {

std::string generator_path() {
#ifdef GEMBA_FA_SAMPLE_GEN
  return GEMBA_FA_SAMPLE_GEN;
#else
  return (fs::path(GEMBA_BINARY).parent_path() / "fa-sample-gen").string();
#endif
}

std::string temp_dir(const std::string& name) {
  fs::path dir = fs::path(testing::TempDir()) / ("gemba-fa-sample-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  return (dir / name).string();
}

// Runs the generator; returns its exit status, stderr in *err.
int run_generator(const std::string& args, std::string* err = nullptr) {
  std::string err_file = temp_dir("stderr.txt");
  std::string cmd = "'" + generator_path() + "' " + args + " 2>'" + err_file + "'";
  int status = std::system(cmd.c_str());
  if (err) *err = gemba::read_file(err_file);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::map<std::string, std::string> read_tree(const std::string& root) {
  std::map<std::string, std::string> files;
  for (const auto& entry : fs::recursive_directory_iterator(root))
    if (entry.is_regular_file()) files[fs::relative(entry.path(), root).string()] = gemba::read_file(entry.path().string());
  return files;
}

std::vector<Json> read_jsonl(const std::string& path) {
  std::vector<Json> lines;
  std::string text = gemba::read_file(path);
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    if (end > start) lines.push_back(gemba::parse_json(text.substr(start, end - start), path));
    start = end + 1;
  }
  return lines;
}

bool contains(const std::string& hay, const std::string& needle) { return hay.find(needle) != std::string::npos; }

// Generated once for all tests: two runs with the default seed.
class FaSample : public testing::Test {
 protected:
  static void SetUpTestSuite() {
    first_ = temp_dir("first");
    second_ = temp_dir("second");
    ASSERT_EQ(run_generator("-o '" + first_ + "'"), 0) << generator_path();
    ASSERT_EQ(run_generator("-o '" + second_ + "'"), 0);
    knowledge_ = gemba::read_json_file(first_ + "/knowledge.json");
    for (const Json& f : knowledge_.at("facts")) facts_[f.at("id").get<std::string>()] = f;
  }
  static void TearDownTestSuite() {
    std::error_code ec;
    fs::remove_all(fs::path(first_).parent_path(), ec);
  }
  static const Json& product(const std::string& model) {
    for (const Json& p : knowledge_.at("products"))
      if (p.at("model") == model) return p;
    ADD_FAILURE() << "no product " << model;
    return knowledge_;
  }
  static std::string first_, second_;
  static Json knowledge_;
  static std::map<std::string, Json> facts_;
};
std::string FaSample::first_, FaSample::second_;
Json FaSample::knowledge_;
std::map<std::string, Json> FaSample::facts_;

TEST_F(FaSample, GeneratorIsDeterministic) {
  auto a = read_tree(first_), b = read_tree(second_);
  ASSERT_GT(a.size(), 10u);
  EXPECT_EQ(a.size(), b.size());
  for (const auto& [path, text] : a) EXPECT_TRUE(b.count(path) && b[path] == text) << path << " differs between two runs";
}

TEST_F(FaSample, CommittedFilesMatchTheGenerator) {
  auto generated = read_tree(first_);
  auto committed = read_tree(std::string(GEMBA_SOURCE_DIR) + "/examples/fa-sample");
  for (const auto& [path, text] : generated)
    EXPECT_TRUE(committed.count(path) && committed[path] == text)
        << "examples/fa-sample/" << path << " is missing or drifted from tools/fa-sample-gen; regenerate with "
        << "fa-sample-gen -o examples/fa-sample";
  for (const auto& [path, text] : committed) EXPECT_TRUE(generated.count(path)) << "examples/fa-sample/" << path << " is not generated";
}

TEST_F(FaSample, SeedChangesTheDomainAndBadArgumentsFail) {
  std::string other = temp_dir("seed7");
  ASSERT_EQ(run_generator("-o '" + other + "' --seed 7"), 0);
  EXPECT_NE(gemba::read_file(other + "/truefalse.jsonl"), gemba::read_file(first_ + "/truefalse.jsonl"));
  std::string err;
  EXPECT_EQ(run_generator("-o '" + other + "' --seed abc", &err), 2);
  EXPECT_TRUE(contains(err, "--seed")) << err;
  EXPECT_EQ(run_generator("--seed 3", &err), 2);
  EXPECT_TRUE(contains(err, "-o DIR")) << err;
  EXPECT_EQ(run_generator("-o '" + other + "' --bogus", &err), 2);
  EXPECT_TRUE(contains(err, "--bogus")) << err;
  EXPECT_EQ(run_generator("-o /dev/null/sample", &err), 2);  // an output that cannot be created
  EXPECT_TRUE(contains(err, "/dev/null/sample")) << err;
}

TEST_F(FaSample, FilesAreValidUtf8AndSized) {
  size_t manual_bytes = 0;
  for (const auto& [path, text] : read_tree(first_)) {
    EXPECT_TRUE(gemba::utf8_valid(text)) << path;
    if (path.rfind("manuals/", 0) == 0) manual_bytes += text.size();
  }
  EXPECT_GT(manual_bytes, 700u * 1024) << "manuals should be about 1-2 MB";
  EXPECT_LT(manual_bytes, 2500u * 1024);
  size_t general = gemba::read_file(first_ + "/general.txt").size();
  EXPECT_GT(general, 500u * 1024);
  EXPECT_LT(general, 1100u * 1024);
}

// Both tests: the main one and the same facts in other words.
TEST_F(FaSample, TrueFalseIsBalancedAndCheckable) {
  std::set<std::string> main_statements;
  for (const Json& item : read_jsonl(first_ + "/truefalse.jsonl")) main_statements.insert(item["statement"].get<std::string>());
  for (const std::string file : {"truefalse.jsonl", "truefalse-paraphrased.jsonl"}) {
    SCOPED_TRACE(file);
    const bool paraphrased = file != "truefalse.jsonl";
    auto items = read_jsonl(first_ + "/" + file);
    ASSERT_GE(items.size(), 300u);
    ASSERT_LE(items.size(), 600u);
    std::map<std::string, int> label_count;  // split/label
    std::set<std::string> ids;
    for (const Json& item : items) {
      for (const char* key : {"id", "statement", "reference_answer", "fact_id", "product", "split", "category", "lang"})
        ASSERT_TRUE(item.contains(key) && item[key].is_string()) << key << " in " << item.dump();
      ASSERT_TRUE(item.contains("label") && item["label"].is_boolean()) << item.dump();
      EXPECT_TRUE(ids.insert(item["id"].get<std::string>()).second) << "duplicate id " << item["id"];
      EXPECT_EQ(item["id"].get<std::string>().rfind(paraphrased ? "tp-" : "tf-", 0), 0u) << item["id"];
      if (paraphrased)
        EXPECT_FALSE(main_statements.count(item["statement"].get<std::string>())) << "worded as in the main test: " << item["statement"];
      const std::string fact_id = item["fact_id"];
      ASSERT_TRUE(facts_.count(fact_id)) << "fact_id " << fact_id << " is not in knowledge.json";
      const Json& fact = facts_[fact_id];
      EXPECT_EQ(item["product"], fact["product"]);
      EXPECT_EQ(item["split"], fact["split"]);
      EXPECT_EQ(item["category"], fact["category"]);
      const std::string lang = item["lang"];
      ASSERT_TRUE(lang == "ja" || lang == "en");
      const std::string value = fact["value_" + lang];
      const std::string statement = item["statement"];
      EXPECT_TRUE(contains(statement, item["product"].get<std::string>())) << statement;
      EXPECT_TRUE(contains(item["reference_answer"].get<std::string>(), value)) << item.dump();
      if (item["label"].get<bool>()) {
        EXPECT_TRUE(contains(statement, value)) << "true statement without the fact's value: " << statement;
      } else {
        bool uses_wrong = false;
        for (const Json& w : fact["wrong_values"]) {
          EXPECT_NE(w[lang], value);
          uses_wrong = uses_wrong || contains(statement, w[lang].get<std::string>());
        }
        EXPECT_TRUE(uses_wrong) << "false statement without a wrong value: " << statement;
      }
      ++label_count[item["split"].get<std::string>() + "/" + (item["label"].get<bool>() ? "true" : "false")];
    }
    for (const char* split : {"faq", "manual"}) {
      int t = label_count[std::string(split) + "/true"], f = label_count[std::string(split) + "/false"];
      EXPECT_GE(t + f, 100) << split;
      EXPECT_LE(std::abs(t - f), 2) << split << ": " << t << " true vs " << f << " false";
    }
  }
}

// A false statement's value is the same attribute of another product of the same family.
TEST_F(FaSample, WrongValuesComeFromAnotherProduct) {
  for (const auto& [id, fact] : facts_) {
    const std::string family = fact["family"], model = fact["product"], kind = fact["kind"], subject = fact["subject"];
    ASSERT_FALSE(fact["wrong_values"].empty()) << id;
    for (const Json& w : fact["wrong_values"]) {
      bool found = false;
      for (const Json& p : knowledge_["products"]) {
        if (p["family"] != family || p["model"] == model) continue;
        if (kind == "spec") {
          for (const Json& s : p["specs"]) found = found || (s["key"] == fact["attribute"] && s["value_ja"] == w["ja"]);
        } else if (kind == "param-default" || kind == "param-range") {
          const char* field = kind == "param-default" ? "default_ja" : "range_ja";
          for (const Json& e : p["parameters"]) found = found || (e["number"] == subject && e[field] == w["ja"]);
        } else if (kind == "error-meaning" || kind == "error-remedy") {
          const char* field = kind == "error-meaning" ? "meaning_ja" : "remedy_ja";
          for (const Json& e : p["errors"]) found = found || e[field] == w["ja"];
        } else {
          for (const Json& e : p["procedures"]) found = found || ("procedure/" + e["key"].get<std::string>() == fact["attribute"] && e["step_ja"] == w["ja"]);
        }
      }
      EXPECT_TRUE(found) << id << ": wrong value '" << w["ja"] << "' is not another product's value";
    }
  }
}

TEST_F(FaSample, FaqCoversExactlyTheFaqSplit) {
  std::set<std::string> in_faq;
  for (const Json& qa : read_jsonl(first_ + "/faq.jsonl")) {
    for (const char* key : {"id", "question", "answer", "product", "fact_id", "lang"})
      ASSERT_TRUE(qa.contains(key) && qa[key].is_string()) << key << " in " << qa.dump();
    const std::string fact_id = qa["fact_id"];
    ASSERT_TRUE(facts_.count(fact_id)) << fact_id;
    EXPECT_EQ(facts_[fact_id]["split"], "faq") << fact_id << " is a manual-only fact but appears in faq.jsonl";
    EXPECT_TRUE(contains(qa["answer"], facts_[fact_id]["value_" + qa["lang"].get<std::string>()].get<std::string>())) << qa.dump();
    in_faq.insert(fact_id);
  }
  size_t faq_facts = 0;
  for (const auto& [id, fact] : facts_)
    if (fact["split"] == "faq") {
      ++faq_facts;
      EXPECT_TRUE(in_faq.count(id)) << id << " (split faq) has no FAQ entry";
    }
  EXPECT_GT(faq_facts, facts_.size() / 3);
  EXPECT_LT(faq_facts, facts_.size() * 2 / 3);
}

TEST_F(FaSample, EveryFactValueAppearsInTheProductManuals) {
  std::map<std::string, std::pair<std::string, std::string>> manuals;  // model -> (ja, en)
  for (const Json& p : knowledge_["products"]) {
    std::string ja = gemba::read_file(first_ + "/" + p["manual_ja"].get<std::string>());
    std::string en = gemba::read_file(first_ + "/" + p["manual_en"].get<std::string>());
    for (const char* section : {"## 仕様", "## パラメーター一覧", "## エラーコード一覧", "## トラブルシューティング", "## 操作手順"})
      EXPECT_TRUE(contains(ja, section)) << p["manual_ja"] << " lacks " << section;
    for (const char* section : {"## Specifications", "## Parameter list", "## Error code list", "## Troubleshooting", "## Operating procedures"})
      EXPECT_TRUE(contains(en, section)) << p["manual_en"] << " lacks " << section;
    manuals[p["model"]] = {ja, en};
  }
  for (const auto& [id, fact] : facts_) {
    const auto& [ja, en] = manuals.at(fact["product"].get<std::string>());
    EXPECT_TRUE(contains(ja, fact["value_ja"])) << id << ": '" << fact["value_ja"] << "' not in the Japanese manual";
    EXPECT_TRUE(contains(en, fact["value_en"])) << id << ": '" << fact["value_en"] << "' not in the English manual";
  }
}

TEST_F(FaSample, GeneralTextNamesNoProduct) {
  std::string general = gemba::read_file(first_ + "/general.txt");
  std::vector<std::string> names = knowledge_["names"];
  for (const Json& p : knowledge_["products"]) names.push_back(p["model"]);
  ASSERT_GT(names.size(), 30u);
  for (const std::string& name : names) EXPECT_FALSE(contains(general, name)) << "general.txt names '" << name << "'";
  EXPECT_TRUE(contains(general, "PLC"));
  EXPECT_TRUE(contains(general, "インバーター"));
}

}  // namespace
