// gemba inspect end to end: files written by the format library, read by the built binary.
#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <vector>

#include "core/atomic-output.h"
#include "core/json.h"
#include "format/gguf.h"
#include "format/model-config.h"
#include "format/safetensors.h"
#include "support/run-shell.h"

namespace fs = std::filesystem;
using namespace gemba;
using namespace gemba::format;

namespace {

using Result = test::ShellResult;

// stdout and stderr together
Result run(const std::string& args) { return test::run_shell(std::string(GEMBA_BINARY) + " " + args + " 2>&1"); }

class InspectTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("gemba-test-inspect-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }
  fs::path dir_;
};

void write_gguf(const std::string& file) {
  ModelConfig c = ModelConfig::preset("tiny");
  GgufWriter w;
  c.to_gguf(w);
  std::vector<std::string> tokens;
  for (int k = 0; k < c.vocab_size; ++k) tokens.push_back("tok" + std::to_string(k));
  w.set("tokenizer.ggml.tokens", GgufValue::from_strings(tokens));
  std::vector<uint16_t> embd(c.vocab_size * c.hidden_size, 0);
  std::vector<float> norm(c.hidden_size, 1.0f);
  std::vector<uint8_t> q8(c.hidden_size / 32 * 34 * c.hidden_size, 0);
  w.add_tensor("token_embd", {uint64_t(c.hidden_size), uint64_t(c.vocab_size)}, GgmlType::F16, embd.data(), embd.size() * 2);
  w.add_tensor("blk.0.attn_q", {uint64_t(c.hidden_size), uint64_t(c.hidden_size)}, GgmlType::Q8_0, q8.data(), q8.size());
  w.add_tensor("output_norm", {uint64_t(c.hidden_size)}, GgmlType::F32, norm.data(), norm.size() * 4);
  w.write(file);
}

}  // namespace

TEST_F(InspectTest, ShowsGgufMetadataAndTensors) {
  write_gguf(path("m.gguf"));
  Result r = run("inspect " + path("m.gguf"));
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("GGUF v3"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("general.architecture = \"llama\""), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("llama.block_count = 2"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("token_embd"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("blk.0.attn_q"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("q8_0"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("[64, 512]"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("504 more"), std::string::npos) << r.out;  // 512 tokens, 8 shown
  EXPECT_EQ(r.out.find("tok511"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("3 tensors"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("vocab 512, hidden 64, layers 2"), std::string::npos) << r.out;

  Result j = run("inspect --json " + path("m.gguf"));
  ASSERT_EQ(j.code, 0) << j.out;
  Json doc = Json::parse(j.out);
  EXPECT_EQ(doc["format"], "gguf");
  EXPECT_EQ(doc["tensors"].size(), 3u);
  EXPECT_EQ(doc["tensors"][0]["name"], "token_embd");
  EXPECT_EQ(doc["tensors"][0]["bytes"], 512 * 64 * 2);
  EXPECT_EQ(doc["metadata"]["tokenizer.ggml.tokens"]["length"], 512);
  EXPECT_EQ(doc["config"]["num_hidden_layers"], 2);
  EXPECT_EQ(doc["totals"]["tensors"], 3);
}

TEST_F(InspectTest, ShowsSafetensorsFileAndHfDir) {
  fs::create_directories(path("hf"));
  ModelConfig c = ModelConfig::preset("tiny");
  write_json_file(path("hf/config.json"), c.to_hf_json());
  std::vector<float> w(c.vocab_size * c.hidden_size, 0.5f);
  SafetensorsWriter st;
  st.set_metadata("format", "pt");
  st.add("model.embed_tokens.weight", DType::F32, {c.vocab_size, c.hidden_size}, w.data());
  st.add("model.norm.weight", DType::BF16, {c.hidden_size}, w.data());
  st.write(path("hf/model.safetensors"));

  Result r = run("inspect " + path("hf/model.safetensors"));
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("model.embed_tokens.weight"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("[512, 64]"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("BF16"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("format = pt"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(std::to_string(512 * 64 * 4)), std::string::npos) << r.out;

  Result d = run("inspect " + path("hf"));
  ASSERT_EQ(d.code, 0) << d.out;
  EXPECT_NE(d.out.find("Hugging Face model directory"), std::string::npos) << d.out;
  EXPECT_NE(d.out.find("model.norm.weight"), std::string::npos) << d.out;
  EXPECT_NE(d.out.find(std::to_string(c.n_params())), std::string::npos) << d.out;

  Result j = run("inspect --json " + path("hf"));
  ASSERT_EQ(j.code, 0) << j.out;
  Json doc = Json::parse(j.out);
  EXPECT_EQ(doc["config"]["n_params"], c.n_params());
  EXPECT_EQ(doc["tensors"].size(), 2u);
}

TEST_F(InspectTest, TruncatedFilesExitOneNamingTheFile) {
  write_gguf(path("m.gguf"));
  std::string bytes = read_file(path("m.gguf"));
  write_file_atomic(path("cut.gguf"), bytes.substr(0, bytes.size() / 2));
  Result r = run("inspect " + path("cut.gguf"));
  EXPECT_EQ(r.code, 1) << r.out;
  EXPECT_NE(r.out.find(path("cut.gguf")), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("error"), std::string::npos) << r.out;

  SafetensorsWriter st;
  std::vector<float> w(100, 1.0f);
  st.add("x", DType::F32, {100}, w.data());
  st.write(path("m.safetensors"));
  bytes = read_file(path("m.safetensors"));
  write_file_atomic(path("cut.safetensors"), bytes.substr(0, bytes.size() - 10));
  r = run("inspect " + path("cut.safetensors"));
  EXPECT_EQ(r.code, 1) << r.out;
  EXPECT_NE(r.out.find(path("cut.safetensors")), std::string::npos) << r.out;

  r = run("inspect " + path("missing.gguf"));
  EXPECT_EQ(r.code, 1) << r.out;
  EXPECT_NE(r.out.find(path("missing.gguf")), std::string::npos) << r.out;
}
