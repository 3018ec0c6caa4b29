// LoRA adapter files: PEFT <-> GGUF round trips keep every factor (q/k rows permuted on the
// way to GGUF and back), llama.cpp's metadata and shapes are written, and bad inputs (wrong
// dims, missing tensors, truncated files, DoRA/rsLoRA/bias configs, a model given as an
// adapter) are gemba::Error naming the file, never a crash.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "core/atomic-output.h"
#include "core/json.h"
#include "engine/convert-hf-to-gguf.h"
#include "engine/lora-gguf.h"
#include "engine/lora-merge.h"
#include "engine/lora-peft.h"
#include "engine/lora-test-util.h"
#include "format/gguf.h"
#include "format/safetensors.h"

namespace gemba::engine {
namespace {

namespace fs = std::filesystem;
using testing::random_lora;
using testing::ScratchDir;
using testing::tiny_config;

void expect_same_factors(const LoraAdapter& got, const LoraAdapter& want) {
  ASSERT_EQ(got.pairs.size(), want.pairs.size());
  EXPECT_EQ(got.alpha, want.alpha);
  EXPECT_EQ(got.qk_rows, want.qk_rows);
  for (const auto& w : want.pairs) {
    const LoraPair* g = got.find(w.layer, w.projection);
    ASSERT_NE(g, nullptr) << w.name;
    EXPECT_EQ(g->rank, w.rank) << w.name;
    EXPECT_EQ(g->in, w.in) << w.name;
    EXPECT_EQ(g->out, w.out) << w.name;
    EXPECT_EQ(g->a, w.a) << w.name;
    EXPECT_EQ(g->b, w.b) << w.name;
  }
}

// Runs fn, which must throw gemba::Error whose message contains every one of `parts`.
template <class Fn>
void expect_error(Fn fn, const std::vector<std::string>& parts) {
  try {
    fn();
    ADD_FAILURE() << "expected a gemba::Error mentioning " << parts.front();
  } catch (const Error& e) {
    const std::string msg = e.what();
    for (const auto& p : parts) EXPECT_NE(msg.find(p), std::string::npos) << "'" << p << "' not in: " << msg;
  }
}

void truncate_file(const std::string& from, const std::string& to, double fraction) {
  const std::string bytes = read_file(from);
  write_file_atomic(to, std::string_view(bytes).substr(0, static_cast<size_t>(static_cast<double>(bytes.size()) * fraction)));
}

const format::ModelConfig kConfig = tiny_config(4, 2, false);

TEST(LoraFiles, PeftToGgufAndBackIsExact) {
  ScratchDir dir;
  const LoraAdapter original = random_lora(kConfig, 8, 16.0f, 1);
  write_peft_adapter(original, dir / "peft");
  const LoraAdapter peft = read_peft_adapter(dir / "peft");
  expect_same_factors(peft, original);

  const std::string hf = testing::write_tiny_hf(dir, "base");
  convert_peft_to_gguf(dir / "peft", dir / "a.gguf", hf);
  const LoraAdapter gguf = read_gguf_lora_adapter(dir / "a.gguf");
  EXPECT_EQ(gguf.qk_rows, RopeStyle::kAdjacentPairs);
  // q/k B rows are permuted in the file; undoing it gives the PEFT factors back bit for bit.
  const LoraPair* q_file = gguf.find(0, Projection::kQ);
  ASSERT_NE(q_file, nullptr);
  EXPECT_NE(q_file->b, original.find(0, Projection::kQ)->b) << "q rows should be in GGUF order in the file";
  expect_same_factors(with_qk_rows(gguf, RopeStyle::kRotateHalf, kConfig.head_dim()), original);
  // And back to PEFT.
  write_peft_adapter(gguf, dir / "peft2", kConfig.head_dim());
  expect_same_factors(read_peft_adapter(dir / "peft2"), original);
}

TEST(LoraFiles, GgufHasLlamaCppLayout) {
  ScratchDir dir;
  const LoraAdapter a = random_lora(kConfig, 8, 16.0f, 2);
  write_gguf_lora_adapter(a, dir / "a.gguf", kConfig.head_dim());
  const auto f = format::GgufFile::open(dir / "a.gguf");
  EXPECT_EQ(f.get("general.type").as_string("t"), "adapter");
  EXPECT_EQ(f.get("general.architecture").as_string("t"), "llama");
  EXPECT_EQ(f.get("adapter.type").as_string("t"), "lora");
  EXPECT_EQ(f.get("adapter.lora.alpha").type, format::GgufValueType::FLOAT32);  // llama.cpp reads it as f32
  EXPECT_EQ(f.get("adapter.lora.alpha").as_float("a"), 16.0);
  const auto& la = f.tensor("blk.1.ffn_down.weight.lora_a");
  const auto& lb = f.tensor("blk.1.ffn_down.weight.lora_b");
  EXPECT_EQ(la.dims, (std::vector<uint64_t>{static_cast<uint64_t>(kConfig.ffn_size), 8}));     // ne [in, r]
  EXPECT_EQ(lb.dims, (std::vector<uint64_t>{8, static_cast<uint64_t>(kConfig.hidden_size)}));  // ne [r, out]
  EXPECT_EQ(f.tensors().size(), 2u * 7u * static_cast<size_t>(kConfig.n_layers));
  EXPECT_NE(f.find_tensor("blk.0.attn_output.weight.lora_a"), nullptr);

  // f16 and q8_0 files read back within their precision.
  for (auto type : {format::GgmlType::F16, format::GgmlType::Q8_0}) {
    const std::string path = dir / (format::ggml_type_name(type) + ".gguf");
    write_gguf_lora_adapter(a, path, kConfig.head_dim(), type);
    const LoraAdapter back = with_qk_rows(read_gguf_lora_adapter(path), RopeStyle::kRotateHalf, kConfig.head_dim());
    double err = 0;
    for (const auto& p : a.pairs) {
      const LoraPair* g = back.find(p.layer, p.projection);
      ASSERT_NE(g, nullptr);
      for (size_t i = 0; i < p.a.size(); ++i) err = std::max(err, static_cast<double>(std::abs(g->a[i] - p.a[i])));
      for (size_t i = 0; i < p.b.size(); ++i) err = std::max(err, static_cast<double>(std::abs(g->b[i] - p.b[i])));
    }
    EXPECT_GT(err, 0.0) << format::ggml_type_name(type);
    EXPECT_LT(err, type == format::GgmlType::F16 ? 2e-4 : 3e-3) << format::ggml_type_name(type);
  }
}

TEST(LoraFiles, WrongDimsNameFileTensorAndShapes) {
  ScratchDir dir;
  format::ModelConfig other = kConfig;
  other.ffn_size = 128;
  write_peft_adapter(random_lora(other, 4, 8.0f, 3, {Projection::kUp}), dir / "peft");
  const std::string hf = testing::write_tiny_hf(dir, "base");
  const LoraAdapter a = read_peft_adapter(dir / "peft");
  LlamaModel model(ModelWeights::load(hf), 1);
  expect_error([&] { attach_lora_adapters(model, {dir / "peft"}); },
               {dir / "peft", "layers.0.mlp.up_proj.lora_A.weight", "[128, 64]", "[96, 64]"});
  expect_error([&] { merge_lora(hf, {{a, 1.0f}}, dir / "merged", 1); }, {dir / "peft", "up_proj", "[128, 64]"});
  EXPECT_FALSE(fs::exists(dir / "merged"));
  expect_error([&] { convert_peft_to_gguf(dir / "peft", dir / "x.gguf", hf); }, {dir / "peft", "[96, 64]"});
  // An adapter for more layers than the model has.
  format::ModelConfig deeper = kConfig;
  deeper.n_layers = 3;
  write_gguf_lora_adapter(random_lora(deeper, 4, 8.0f, 3, {Projection::kV}), dir / "deep.gguf", kConfig.head_dim());
  expect_error([&] { attach_lora_adapters(model, {dir / "deep.gguf"}); }, {dir / "deep.gguf", "blk.2.attn_v", "layer 2"});
  // q/k targets cannot be converted to GGUF without knowing head_dim.
  write_peft_adapter(random_lora(kConfig, 4, 8.0f, 3, {Projection::kQ}), dir / "q");
  expect_error([&] { convert_peft_to_gguf(dir / "q", dir / "q.gguf"); }, {dir / "q", "base model"});
}

TEST(LoraFiles, MissingTensorIsNamed) {
  ScratchDir dir;
  write_peft_adapter(random_lora(kConfig, 4, 8.0f, 4), dir / "peft");
  // PEFT without one lora_B.
  fs::create_directories(dir / "cut");
  fs::copy_file(dir / "peft/adapter_config.json", dir / "cut/adapter_config.json");
  {
    const auto st = format::SafetensorsFile::open(dir / "peft/adapter_model.safetensors");
    format::SafetensorsWriter w;
    for (const auto& t : st.tensors())
      if (t.name != "base_model.model.model.layers.1.self_attn.k_proj.lora_B.weight") w.add(t.name, t.dtype, t.shape, t.data);
    w.write(dir / "cut/adapter_model.safetensors");
  }
  expect_error([&] { read_lora_adapter(dir / "cut"); }, {dir / "cut", "layers.1.self_attn.k_proj.lora_A", "lora_B"});
  // GGUF without one lora_a.
  write_gguf_lora_adapter(random_lora(kConfig, 4, 8.0f, 4), dir / "a.gguf", kConfig.head_dim());
  {
    const auto f = format::GgufFile::open(dir / "a.gguf");
    format::GgufWriter w;
    for (const auto& [k, v] : f.metadata()) w.set(k, v);
    for (const auto& t : f.tensors())
      if (t.name != "blk.0.ffn_gate.weight.lora_a") w.add_tensor(t.name, t.dims, t.type, t.data, t.n_bytes);
    w.write(dir / "cut.gguf");
  }
  expect_error([&] { read_lora_adapter(dir / "cut.gguf"); }, {dir / "cut.gguf", "blk.0.ffn_gate.weight.lora_b", "lora_a"});
  // No adapter files at all.
  fs::create_directories(dir / "empty");
  expect_error([&] { read_lora_adapter(dir / "empty"); }, {dir / "empty", "adapter_config.json"});
  expect_error([&] { read_lora_adapter(dir / "nothing-here.gguf"); }, {dir / "nothing-here.gguf"});
}

TEST(LoraFiles, TruncatedFilesAreErrors) {
  ScratchDir dir;
  const LoraAdapter a = random_lora(kConfig, 4, 8.0f, 5);
  write_gguf_lora_adapter(a, dir / "a.gguf", kConfig.head_dim());
  write_peft_adapter(a, dir / "peft");
  for (double fraction : {0.0, 0.01, 0.3, 0.999}) {
    SCOPED_TRACE(fraction);
    truncate_file(dir / "a.gguf", dir / "t.gguf", fraction);
    expect_error([&] { read_lora_adapter(dir / "t.gguf"); }, {dir / "t.gguf"});
    fs::create_directories(dir / "tp");
    fs::copy_file(dir / "peft/adapter_config.json", dir / "tp/adapter_config.json", fs::copy_options::overwrite_existing);
    truncate_file(dir / "peft/adapter_model.safetensors", dir / "tp/adapter_model.safetensors", fraction);
    expect_error([&] { read_lora_adapter(dir / "tp"); }, {dir / "tp/adapter_model.safetensors"});
  }
  truncate_file(dir / "peft/adapter_config.json", dir / "tp/adapter_config.json", 0.5);
  expect_error([&] { read_lora_adapter(dir / "tp"); }, {dir / "tp/adapter_config.json"});
}

TEST(LoraFiles, UnsupportedPeftVariantsAreRefused) {
  ScratchDir dir;
  write_peft_adapter(random_lora(kConfig, 4, 8.0f, 6), dir / "peft");
  const Json good = read_json_file(dir / "peft/adapter_config.json");
  const struct {
    const char* key;
    Json value;
  } cases[] = {{"use_dora", true}, {"use_rslora", true}, {"bias", "lora_only"}, {"fan_in_fan_out", true},
               {"modules_to_save", Json::array({"lm_head"})}, {"peft_type", "IA3"}, {"r", 5}};
  for (const auto& c : cases) {
    SCOPED_TRACE(c.key);
    Json bad = good;
    bad[c.key] = c.value;
    write_json_file(dir / "peft/adapter_config.json", bad);
    expect_error([&] { read_lora_adapter(dir / "peft"); }, {dir / "peft/adapter_config.json", c.key});
  }
  write_json_file(dir / "peft/adapter_config.json", good);
  EXPECT_NO_THROW(read_lora_adapter(dir / "peft"));
}

TEST(LoraFiles, AModelIsNotAnAdapter) {
  ScratchDir dir;
  const std::string hf = testing::write_tiny_hf(dir, "base");
  convert_hf_to_gguf(hf, dir / "model.gguf", GgmlType::F32, 1);
  expect_error([&] { read_lora_adapter(dir / "model.gguf"); }, {dir / "model.gguf", "general.type"});
  expect_error([&] { read_lora_adapter(hf); }, {hf, "adapter_config.json"});
}

TEST(LoraFiles, UnprefixedPeftNamesAreAccepted) {
  ScratchDir dir;
  const LoraAdapter a = random_lora(kConfig, 4, 8.0f, 7, {Projection::kO});
  write_peft_adapter(a, dir / "peft");
  const auto st = format::SafetensorsFile::open(dir / "peft/adapter_model.safetensors");
  fs::create_directories(dir / "plain");
  fs::copy_file(dir / "peft/adapter_config.json", dir / "plain/adapter_config.json");
  format::SafetensorsWriter w;
  for (const auto& t : st.tensors()) w.add(t.name.substr(std::string("base_model.model.").size()), t.dtype, t.shape, t.data);
  w.write(dir / "plain/adapter_model.safetensors");
  expect_same_factors(read_lora_adapter(dir / "plain"), a);
}

}  // namespace
}  // namespace gemba::engine
