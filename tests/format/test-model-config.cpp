// ModelConfig: presets and their parameter counts, validation, HF config.json and GGUF
// round trips.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <functional>

#include <unistd.h>

#include "core/error.h"
#include "core/json.h"
#include "format/gguf.h"
#include "format/model-config.h"

namespace fs = std::filesystem;
using namespace gemba;
using namespace gemba::format;

namespace {

class ModelConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("gemba-test-mc-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }
  fs::path dir_;
};

// Parameter count written out tensor by tensor as a Llama checkpoint holds them.
uint64_t count_by_tensors(const ModelConfig& c) {
  const uint64_t h = c.hidden_size, kv = c.n_kv_heads * (c.hidden_size / c.n_heads), f = c.ffn_size;
  uint64_t n = c.vocab_size * h;  // embed_tokens [vocab, hidden]
  for (int64_t l = 0; l < c.n_layers; ++l) {
    n += h * h;      // q_proj [hidden, hidden]
    n += kv * h;     // k_proj [kv_dim, hidden]
    n += kv * h;     // v_proj [kv_dim, hidden]
    n += h * h;      // o_proj [hidden, hidden]
    n += f * h * 2;  // gate_proj, up_proj [ffn, hidden]
    n += h * f;      // down_proj [hidden, ffn]
    n += 2 * h;      // input_layernorm, post_attention_layernorm
  }
  n += h;                                          // final norm
  if (!c.tie_embeddings) n += c.vocab_size * h;    // lm_head [vocab, hidden]
  return n;
}

void expect_same(const ModelConfig& a, const ModelConfig& b) {
  EXPECT_EQ(a.vocab_size, b.vocab_size);
  EXPECT_EQ(a.hidden_size, b.hidden_size);
  EXPECT_EQ(a.n_layers, b.n_layers);
  EXPECT_EQ(a.n_heads, b.n_heads);
  EXPECT_EQ(a.n_kv_heads, b.n_kv_heads);
  EXPECT_EQ(a.ffn_size, b.ffn_size);
  EXPECT_EQ(a.max_position, b.max_position);
  EXPECT_EQ(a.rope_theta, b.rope_theta);
  EXPECT_EQ(a.rms_eps, b.rms_eps);
  EXPECT_EQ(a.tie_embeddings, b.tie_embeddings);
  EXPECT_EQ(a.bos_id, b.bos_id);
  EXPECT_EQ(a.eos_id, b.eos_id);
  EXPECT_EQ(a.pad_id, b.pad_id);
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "<no error>";
}

}  // namespace

TEST_F(ModelConfigTest, PresetsHaveTheDocumentedShapes) {
  ModelConfig c = ModelConfig::preset("llm-jp-3-1.8b");
  EXPECT_EQ(c.vocab_size, 99584);
  EXPECT_EQ(c.hidden_size, 2048);
  EXPECT_EQ(c.n_layers, 24);
  EXPECT_EQ(c.n_heads, 16);
  EXPECT_EQ(c.n_kv_heads, 16);
  EXPECT_EQ(c.ffn_size, 7168);
  EXPECT_EQ(c.max_position, 4096);
  EXPECT_FALSE(c.tie_embeddings);
  EXPECT_EQ(c.rope_theta, 10000.0);
  EXPECT_EQ(c.rms_eps, 1e-5);
  EXPECT_EQ(c.bos_id, 1);
  EXPECT_EQ(c.eos_id, 2);
  EXPECT_EQ(c.pad_id, 4);
  EXPECT_EQ(c.head_dim(), 128);
  ModelConfig d = ModelConfig::preset("llm-jp-3-3.7b");
  EXPECT_EQ(d.hidden_size, 3072);
  EXPECT_EQ(d.n_layers, 28);
  EXPECT_EQ(d.n_heads, 24);
  EXPECT_EQ(d.ffn_size, 8192);
  EXPECT_EQ(ModelConfig::preset("tiny-gqa").n_kv_heads, 2);
  EXPECT_EQ(ModelConfig::preset("tiny").n_kv_heads, 4);
  EXPECT_EQ(ModelConfig::preset("tiny").ffn_size, 176);
  std::string msg = error_of([] { ModelConfig::preset("llama-70b"); });
  EXPECT_NE(msg.find("llama-70b"), std::string::npos);
  EXPECT_NE(msg.find("tiny-gqa"), std::string::npos);  // lists the valid names
}

TEST_F(ModelConfigTest, ParamCountsMatchTheTensorList) {
  for (const auto& name : ModelConfig::preset_names()) {
    ModelConfig c = ModelConfig::preset(name);
    EXPECT_NO_THROW(c.validate(name));
    EXPECT_EQ(c.n_params(), count_by_tensors(c)) << name;
    c.tie_embeddings = !c.tie_embeddings;
    EXPECT_EQ(c.n_params(), count_by_tensors(c)) << name << " (tie flipped)";
  }
  // llm-jp-3-1.8b is a "1.8B" model: about 1.87e9 with untied embeddings.
  double n = static_cast<double>(ModelConfig::preset("llm-jp-3-1.8b").n_params());
  EXPECT_NEAR(n / 1e9, 1.87, 0.01);
  double m = static_cast<double>(ModelConfig::preset("llm-jp-3-3.7b").n_params());
  EXPECT_NEAR(m / 1e9, 3.78, 0.05);
  double demo = static_cast<double>(ModelConfig::preset("demo").n_params());
  EXPECT_GE(demo, 10e6);
  EXPECT_LE(demo, 20e6);
}

TEST_F(ModelConfigTest, ValidationNamesTheField) {
  ModelConfig c = ModelConfig::preset("tiny");
  c.n_heads = 5;
  EXPECT_NE(error_of([&] { c.validate("cfg.json"); }).find("not divisible by num_attention_heads"), std::string::npos);
  c = ModelConfig::preset("tiny");
  c.n_kv_heads = 3;
  EXPECT_NE(error_of([&] { c.validate("cfg.json"); }).find("num_key_value_heads"), std::string::npos);
  c = ModelConfig::preset("tiny");
  c.vocab_size = 0;
  EXPECT_NE(error_of([&] { c.validate("cfg.json"); }).find("vocab_size"), std::string::npos);
  c = ModelConfig::preset("tiny");
  c.eos_id = 512;
  EXPECT_NE(error_of([&] { c.validate("cfg.json"); }).find("eos_token_id"), std::string::npos);
  c = ModelConfig::preset("tiny");
  c.rms_eps = 0;
  EXPECT_NE(error_of([&] { c.validate("cfg.json"); }).find("rms_norm_eps"), std::string::npos);
  c = ModelConfig::preset("tiny");
  c.torch_dtype = "int4";
  EXPECT_NE(error_of([&] { c.validate("cfg.json"); }).find("torch_dtype"), std::string::npos);
  c = ModelConfig::preset("tiny");
  c.hidden_size = 12;
  c.n_heads = 4;
  c.n_kv_heads = 4;  // head_dim 3: odd
  EXPECT_NE(error_of([&] { c.validate("cfg.json"); }).find("even"), std::string::npos);
  EXPECT_NE(error_of([&] { c.validate("cfg.json"); }).find("cfg.json"), std::string::npos);
}

TEST_F(ModelConfigTest, HfJsonRoundTrip) {
  for (const auto& name : ModelConfig::preset_names()) {
    ModelConfig c = ModelConfig::preset(name);
    Json j = c.to_hf_json();
    EXPECT_EQ(j["architectures"][0], "LlamaForCausalLM");
    EXPECT_EQ(j["model_type"], "llama");
    expect_same(ModelConfig::from_hf_json(j, name), c);
    EXPECT_EQ(ModelConfig::from_hf_json(j, name).torch_dtype, c.torch_dtype);
  }
  ModelConfig t = ModelConfig::preset("tiny-gqa");
  t.tie_embeddings = true;
  t.pad_id = -1;
  fs::create_directories(path("hf"));
  write_json_file(path("hf/config.json"), t.to_hf_json());
  ModelConfig back = ModelConfig::from_hf_dir(path("hf"));
  expect_same(back, t);
  EXPECT_TRUE(read_json_file(path("hf/config.json"))["pad_token_id"].is_null());
}

TEST_F(ModelConfigTest, HfJsonDefaultsAndErrors) {
  // A transformers-style llm-jp-3-1.8b config.json.
  Json j = Json::parse(R"({
    "architectures": ["LlamaForCausalLM"], "attention_bias": false, "attention_dropout": 0.0,
    "bos_token_id": 1, "eos_token_id": 2, "hidden_act": "silu", "hidden_size": 2048,
    "initializer_range": 0.02, "intermediate_size": 7168, "max_position_embeddings": 4096,
    "mlp_bias": false, "model_type": "llama", "num_attention_heads": 16, "num_hidden_layers": 24,
    "num_key_value_heads": 16, "pad_token_id": 4, "pretraining_tp": 1, "rms_norm_eps": 1e-05,
    "rope_scaling": null, "rope_theta": 10000, "tie_word_embeddings": false,
    "torch_dtype": "bfloat16", "transformers_version": "4.44.0", "use_cache": true, "vocab_size": 99584})");
  ModelConfig c = ModelConfig::from_hf_json(j, "config.json");
  expect_same(c, ModelConfig::preset("llm-jp-3-1.8b"));
  EXPECT_EQ(c.torch_dtype, "bfloat16");

  Json k = j;
  k.erase("num_key_value_heads");
  k.erase("tie_word_embeddings");
  k["eos_token_id"] = Json::array({2, 7});
  ModelConfig d = ModelConfig::from_hf_json(k, "config.json");
  EXPECT_EQ(d.n_kv_heads, 16);  // defaults to num_attention_heads
  EXPECT_FALSE(d.tie_embeddings);
  EXPECT_EQ(d.eos_id, 2);

  auto err = [&](Json bad) { return error_of([&] { ModelConfig::from_hf_json(bad, "x/config.json"); }); };
  Json bad = j;
  bad.erase("hidden_size");
  EXPECT_NE(err(bad).find("'hidden_size' is missing"), std::string::npos);
  EXPECT_NE(err(bad).find("x/config.json"), std::string::npos);
  bad = j;
  bad["hidden_size"] = "big";
  EXPECT_NE(err(bad).find("hidden_size"), std::string::npos);
  bad = j;
  bad["model_type"] = "gpt2";
  EXPECT_NE(err(bad).find("gpt2"), std::string::npos);
  bad = j;
  bad["num_attention_heads"] = 15;
  EXPECT_NE(err(bad).find("not divisible"), std::string::npos);
  bad = j;
  bad["rope_scaling"] = {{"type", "linear"}, {"factor", 2.0}};
  EXPECT_NE(err(bad).find("rope_scaling"), std::string::npos);
  bad = j;
  bad["tie_word_embeddings"] = "yes";
  EXPECT_NE(err(bad).find("tie_word_embeddings"), std::string::npos);
  EXPECT_NE(err(Json::array()).find("object"), std::string::npos);
  EXPECT_THROW(ModelConfig::from_hf_dir(path("nothing-here")), Error);
  fs::create_directories(path("broken"));
  std::ofstream(path("broken/config.json")) << "{\"vocab_size\": ";
  EXPECT_NE(error_of([&] { ModelConfig::from_hf_dir(path("broken")); }).find("config.json"), std::string::npos);
}

TEST_F(ModelConfigTest, GgufRoundTrip) {
  for (const auto& name : ModelConfig::preset_names()) {
    ModelConfig c = ModelConfig::preset(name);
    GgufWriter w;
    c.to_gguf(w);
    w.write(path("m.gguf"));
    GgufFile f = GgufFile::open(path("m.gguf"));
    EXPECT_EQ(f.get_string("general.architecture", ""), "llama");
    EXPECT_EQ(f.get_uint("llama.rope.dimension_count"), static_cast<uint64_t>(c.head_dim()));
    EXPECT_EQ(f.get_uint("llama.vocab_size"), static_cast<uint64_t>(c.vocab_size));
    ModelConfig back = ModelConfig::from_gguf(f);
    expect_same(back, c);  // rope θ and eps come back exactly though stored as f32
  }
}

TEST_F(ModelConfigTest, GgufTiedEmbeddingsAndErrors) {
  ModelConfig c = ModelConfig::preset("tiny");
  std::vector<uint16_t> embd(c.vocab_size * c.hidden_size, 0x3c00);
  std::vector<uint16_t> out(embd);
  for (bool tied : {true, false}) {
    GgufWriter w;
    c.to_gguf(w);
    w.add_tensor("token_embd", {uint64_t(c.hidden_size), uint64_t(c.vocab_size)}, GgmlType::F16, embd.data(),
                 embd.size() * 2);
    if (!tied)
      w.add_tensor("output", {uint64_t(c.hidden_size), uint64_t(c.vocab_size)}, GgmlType::F16, out.data(),
                   out.size() * 2);
    w.write(path("t.gguf"));
    ModelConfig back = ModelConfig::from_gguf(GgufFile::open(path("t.gguf")));
    EXPECT_EQ(back.tie_embeddings, tied);
    EXPECT_EQ(back.torch_dtype, "float16");
  }
  {
    GgufWriter w;
    c.to_gguf(w);
    w.set_string("general.architecture", "gpt2");
    w.write(path("g.gguf"));
    std::string msg = error_of([&] { ModelConfig::from_gguf(GgufFile::open(path("g.gguf"))); });
    EXPECT_NE(msg.find("gpt2"), std::string::npos) << msg;
    EXPECT_NE(msg.find(path("g.gguf")), std::string::npos) << msg;
  }
  {
    GgufWriter w;
    w.set_string("general.architecture", "llama");
    w.set_u32("llama.embedding_length", 64);
    w.write(path("m.gguf"));
    std::string msg = error_of([&] { ModelConfig::from_gguf(GgufFile::open(path("m.gguf"))); });
    EXPECT_NE(msg.find("llama.block_count"), std::string::npos) << msg;
  }
  {
    GgufWriter w;
    c.to_gguf(w);
    w.set_u32("llama.attention.head_count", 5);
    w.write(path("h.gguf"));
    EXPECT_THROW(ModelConfig::from_gguf(GgufFile::open(path("h.gguf"))), Error);
  }
}
