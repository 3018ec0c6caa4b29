// LoRA end to end through the built binary: a PEFT adapter written here is applied with
// `gemba run --lora`, merged with `gemba merge` (HF and GGUF bases) and converted with
// `gemba lora-convert`; every route must generate the same greedy text, different from the
// base model's. Bad adapters exit non-zero with the file named; bench accepts --lora.
#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <random>
#include <vector>

#include "support/run-shell.h"
#include "core/json.h"
#include "format/safetensors.h"

namespace fs = std::filesystem;
using namespace gemba;

namespace {

using Result = test::ShellResult;

// Runs gemba with `args`; stdout only unless `with_stderr`.
Result gemba_run(const std::string& args, bool with_stderr = false) {
  return test::run_shell(std::string(GEMBA_BINARY) + " " + args + (with_stderr ? " 2>&1" : " 2>/dev/null"));
}

// The tiny-gqa preset's projections: hidden 64, 4 heads of 16, 2 KV heads, ffn 176, 2 layers.
void write_peft(const std::string& dir, uint32_t seed) {
  struct Target {
    const char* block;
    const char* module;
    int64_t out, in;
  };
  const Target targets[] = {{"self_attn", "q_proj", 64, 64},  {"self_attn", "k_proj", 32, 64}, {"self_attn", "v_proj", 32, 64},
                            {"self_attn", "o_proj", 64, 64},  {"mlp", "gate_proj", 176, 64},   {"mlp", "up_proj", 176, 64},
                            {"mlp", "down_proj", 64, 176}};
  const int64_t r = 4;
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> u(-0.3f, 0.3f);
  std::vector<std::vector<float>> store;
  format::SafetensorsWriter w;
  for (int layer = 0; layer < 2; ++layer)
    for (const auto& t : targets) {
      const std::string stem = "base_model.model.model.layers." + std::to_string(layer) + "." + t.block + "." + t.module;
      store.emplace_back(static_cast<size_t>(r * t.in));
      for (auto& v : store.back()) v = u(rng);
      w.add(stem + ".lora_A.weight", format::DType::F32, {r, t.in}, store.back().data());
      store.emplace_back(static_cast<size_t>(t.out * r));
      for (auto& v : store.back()) v = u(rng);
      w.add(stem + ".lora_B.weight", format::DType::F32, {t.out, r}, store.back().data());
    }
  fs::create_directories(dir);
  w.write(dir + "/adapter_model.safetensors");
  write_json_file(dir + "/adapter_config.json",
                  Json{{"peft_type", "LORA"}, {"r", r}, {"lora_alpha", 8}, {"bias", "none"}, {"use_dora", false},
                       {"target_modules", Json::array({"q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"})}});
}

class LoraCli : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = (fs::temp_directory_path() / ("gemba-test-lora-" + std::to_string(::getpid()))).string();
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string path(const std::string& name) const { return dir_ + "/" + name; }
  std::string dir_;
};

TEST_F(LoraCli, RunMergeConvertAgree) {
  ASSERT_EQ(gemba_run("model init --preset tiny-gqa --random --seed 5 --std 0.1 -o " + path("base"), true).code, 0);
  write_peft(path("peft"), 1);
  const std::string gen = " -p 'Hello there' -n 12 --temp 0 --ignore-eos -t 2";

  const Result base = gemba_run("run -m " + path("base") + gen);
  ASSERT_EQ(base.code, 0);
  const Result unmerged = gemba_run("run -m " + path("base") + " --lora " + path("peft") + gen);
  ASSERT_EQ(unmerged.code, 0);
  EXPECT_NE(unmerged.out, base.out) << "the adapter should change the greedy text";

  const Result merge = gemba_run("merge --base " + path("base") + " --adapter " + path("peft") + ":1 -o " + path("merged"), true);
  ASSERT_EQ(merge.code, 0) << merge.out;
  EXPECT_EQ(gemba_run("run -m " + path("merged") + gen).out, unmerged.out);

  // GGUF route: converted base + converted adapter, unmerged and merged.
  ASSERT_EQ(gemba_run("quantize " + path("base") + " " + path("base.gguf") + " f32", true).code, 0);
  const Result conv = gemba_run("lora-convert " + path("peft") + " " + path("a.gguf") + " --base " + path("base"), true);
  ASSERT_EQ(conv.code, 0) << conv.out;
  EXPECT_EQ(gemba_run("run -m " + path("base.gguf") + " --lora " + path("a.gguf") + gen).out, unmerged.out);
  ASSERT_EQ(gemba_run("merge --base " + path("base.gguf") + " --adapter " + path("a.gguf") + " -o " + path("merged.gguf"), true).code,
            0);
  EXPECT_EQ(gemba_run("run -m " + path("merged.gguf") + gen).out, unmerged.out);
  // Scale 0 is the base model.
  EXPECT_EQ(gemba_run("run -m " + path("base.gguf") + " --lora " + path("a.gguf") + ":0" + gen).out, base.out);

  // Bad adapters: non-zero exit, the file named.
  const Result missing = gemba_run("run -m " + path("base") + " --lora " + path("nope") + gen, true);
  EXPECT_NE(missing.code, 0);
  EXPECT_NE(missing.out.find(path("nope")), std::string::npos) << missing.out;
  const Result model_as_adapter = gemba_run("run -m " + path("base") + " --lora " + path("base.gguf") + gen, true);
  EXPECT_NE(model_as_adapter.code, 0);
  EXPECT_NE(model_as_adapter.out.find("general.type"), std::string::npos) << model_as_adapter.out;

  const Result bench = gemba_run("bench -m " + path("base") + " --lora " + path("a.gguf") + " -p 8 -n 8 -r 1 -t 2", true);
  EXPECT_EQ(bench.code, 0) << bench.out;
  EXPECT_NE(bench.out.find("+LoRA"), std::string::npos) << bench.out;
}

}  // namespace
