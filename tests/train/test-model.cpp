// The trainer's Llama model: HF parameter names, forward parity against a plain
// double-precision reference written here, HF directory round trip, activation checkpointing,
// and the fused RoPE, RMSNorm and SwiGLU ops against the plain torch math.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <filesystem>
#include <map>

#include "core/error.h"
#include "core/json.h"
#include "engine/llama-model.h"
#include "engine/model-weights.h"
#include "format/model-config.h"
#include "format/safetensors.h"
#include "train/autocast.h"
#include "train/fused-rms-norm.h"
#include "train/fused-rope.h"
#include "train/fused-swiglu.h"
#include "train/fused-token-log-probs.h"
#include "train/swiglu-kernel.h"
#include "train/model.h"

namespace fs = std::filesystem;
using gemba::format::ModelConfig;
using gemba::train::LlamaForCausalLM;

namespace {

ModelConfig tiny_config(bool tied = false, int64_t kv_heads = 2) {
  ModelConfig c;
  c.vocab_size = 97;
  c.hidden_size = 64;
  c.n_layers = 2;
  c.n_heads = 4;
  c.n_kv_heads = kv_heads;
  c.ffn_size = 96;
  c.max_position = 64;
  c.rope_theta = 10000.0;
  c.rms_eps = 1e-5;
  c.tie_embeddings = tied;
  return c;
}

std::string temp_dir(const std::string& name) {
  auto dir = fs::temp_directory_path() / ("gemba-test-model-" + name + "-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir.string();
}

// ---- a plain double-precision Llama forward (the oracle) -------------------------------

using Mat = std::vector<double>;  // row-major

struct RefWeights {
  std::map<std::string, Mat> w;
  std::map<std::string, std::vector<int64_t>> shape;
};

RefWeights ref_weights(LlamaForCausalLM& model) {
  RefWeights r;
  for (auto& item : model->named_parameters()) {
    auto t = item.value().detach().to(torch::kFloat64).contiguous();
    r.w[item.key()] = Mat(t.data_ptr<double>(), t.data_ptr<double>() + t.numel());
    r.shape[item.key()] = t.sizes().vec();
  }
  return r;
}

// y[T, out] = x[T, in] · W[out, in]^T
Mat linear(const Mat& x, int64_t T, const Mat& W, int64_t out, int64_t in) {
  Mat y(static_cast<size_t>(T * out), 0.0);
  for (int64_t t = 0; t < T; ++t)
    for (int64_t o = 0; o < out; ++o) {
      double s = 0;
      for (int64_t i = 0; i < in; ++i) s += x[t * in + i] * W[o * in + i];
      y[t * out + o] = s;
    }
  return y;
}

Mat rms_norm(const Mat& x, int64_t T, int64_t D, const Mat& w, double eps) {
  Mat y(x.size());
  for (int64_t t = 0; t < T; ++t) {
    double ss = 0;
    for (int64_t i = 0; i < D; ++i) ss += x[t * D + i] * x[t * D + i];
    const double inv = 1.0 / std::sqrt(ss / static_cast<double>(D) + eps);
    for (int64_t i = 0; i < D; ++i) y[t * D + i] = x[t * D + i] * inv * w[i];
  }
  return y;
}

// HF rotate-half RoPE on one head vector v[hd] at position pos.
void rope(double* v, int64_t hd, int64_t pos, double theta) {
  const int64_t half = hd / 2;
  for (int64_t i = 0; i < half; ++i) {
    const double freq = std::pow(theta, -2.0 * static_cast<double>(i) / static_cast<double>(hd));
    const double a = static_cast<double>(pos) * freq, c = std::cos(a), s = std::sin(a);
    const double x1 = v[i], x2 = v[i + half];
    v[i] = x1 * c - x2 * s;
    v[i + half] = x2 * c + x1 * s;
  }
}

// logits [T, V] for one sequence.
Mat reference_forward(const ModelConfig& c, RefWeights& r, const std::vector<int64_t>& ids) {
  const int64_t T = static_cast<int64_t>(ids.size()), D = c.hidden_size, H = c.n_heads, KV = c.n_kv_heads;
  const int64_t hd = c.head_dim(), F = c.ffn_size, V = c.vocab_size;
  Mat x(static_cast<size_t>(T * D));
  for (int64_t t = 0; t < T; ++t)
    for (int64_t i = 0; i < D; ++i) x[t * D + i] = r.w["model.embed_tokens.weight"][ids[t] * D + i];
  for (int64_t l = 0; l < c.n_layers; ++l) {
    const std::string p = "model.layers." + std::to_string(l) + ".";
    Mat h = rms_norm(x, T, D, r.w[p + "input_layernorm.weight"], c.rms_eps);
    Mat q = linear(h, T, r.w[p + "self_attn.q_proj.weight"], H * hd, D);
    Mat k = linear(h, T, r.w[p + "self_attn.k_proj.weight"], KV * hd, D);
    Mat v = linear(h, T, r.w[p + "self_attn.v_proj.weight"], KV * hd, D);
    for (int64_t t = 0; t < T; ++t) {
      for (int64_t hh = 0; hh < H; ++hh) rope(&q[(t * H + hh) * hd], hd, t, c.rope_theta);
      for (int64_t hh = 0; hh < KV; ++hh) rope(&k[(t * KV + hh) * hd], hd, t, c.rope_theta);
    }
    Mat att(static_cast<size_t>(T * H * hd), 0.0);
    for (int64_t hh = 0; hh < H; ++hh) {
      const int64_t kvh = hh / (H / KV);
      for (int64_t t = 0; t < T; ++t) {
        std::vector<double> s(static_cast<size_t>(t + 1));
        double mx = -1e300;
        for (int64_t u = 0; u <= t; ++u) {
          double dot = 0;
          for (int64_t i = 0; i < hd; ++i) dot += q[(t * H + hh) * hd + i] * k[(u * KV + kvh) * hd + i];
          s[u] = dot / std::sqrt(static_cast<double>(hd));
          mx = std::max(mx, s[u]);
        }
        double z = 0;
        for (auto& e : s) z += (e = std::exp(e - mx));
        for (int64_t u = 0; u <= t; ++u)
          for (int64_t i = 0; i < hd; ++i) att[(t * H + hh) * hd + i] += s[u] / z * v[(u * KV + kvh) * hd + i];
      }
    }
    Mat o = linear(att, T, r.w[p + "self_attn.o_proj.weight"], D, H * hd);
    for (size_t i = 0; i < x.size(); ++i) x[i] += o[i];
    h = rms_norm(x, T, D, r.w[p + "post_attention_layernorm.weight"], c.rms_eps);
    Mat g = linear(h, T, r.w[p + "mlp.gate_proj.weight"], F, D);
    Mat u = linear(h, T, r.w[p + "mlp.up_proj.weight"], F, D);
    for (size_t i = 0; i < g.size(); ++i) g[i] = g[i] / (1.0 + std::exp(-g[i])) * u[i];
    Mat d = linear(g, T, r.w[p + "mlp.down_proj.weight"], D, F);
    for (size_t i = 0; i < x.size(); ++i) x[i] += d[i];
  }
  Mat h = rms_norm(x, T, D, r.w["model.norm.weight"], c.rms_eps);
  const Mat& head = c.tie_embeddings ? r.w["model.embed_tokens.weight"] : r.w["lm_head.weight"];
  return linear(h, T, head, V, D);
}

LlamaForCausalLM random_model(const ModelConfig& c, uint64_t seed) {
  torch::manual_seed(seed);
  LlamaForCausalLM model(c);
  model->init_weights(0.08);
  torch::NoGradGuard no_grad;
  for (auto& p : model->parameters())  // norms away from 1 so their weights matter
    if (p.dim() == 1) p.uniform_(0.5, 1.5);
  return model;
}

double max_rel_error(const torch::Tensor& got, const Mat& want) {
  auto g = got.to(torch::kFloat64).contiguous();
  const double* gp = g.data_ptr<double>();
  double max_ref = 0, max_diff = 0;
  for (size_t i = 0; i < want.size(); ++i) {
    max_ref = std::max(max_ref, std::abs(want[i]));
    max_diff = std::max(max_diff, std::abs(gp[i] - want[i]));
  }
  return max_diff / max_ref;
}

}  // namespace

TEST(TrainModel, ParameterNamesMatchTransformers) {
  LlamaForCausalLM model(tiny_config());
  std::vector<std::string> names;
  for (auto& item : model->named_parameters()) names.push_back(item.key());
  std::vector<std::string> want = {"model.embed_tokens.weight"};
  for (int l = 0; l < 2; ++l) {
    const std::string p = "model.layers." + std::to_string(l) + ".";
    for (const char* n : {"input_layernorm.weight", "self_attn.q_proj.weight", "self_attn.k_proj.weight",
                          "self_attn.v_proj.weight", "self_attn.o_proj.weight", "post_attention_layernorm.weight",
                          "mlp.gate_proj.weight", "mlp.up_proj.weight", "mlp.down_proj.weight"})
      want.push_back(p + n);
  }
  want.push_back("model.norm.weight");
  want.push_back("lm_head.weight");
  std::sort(names.begin(), names.end());
  std::sort(want.begin(), want.end());
  EXPECT_EQ(names, want);
  EXPECT_EQ(model->named_parameters()["model.layers.1.self_attn.k_proj.weight"].sizes(), torch::IntArrayRef({32, 64}));

  LlamaForCausalLM tied(tiny_config(/*tied=*/true));
  EXPECT_EQ(tied->named_parameters().find("lm_head.weight"), nullptr);
}

TEST(TrainModel, ForwardMatchesDoubleReference) {
  for (bool tied : {false, true}) {
    for (int64_t kv : {4, 2, 1}) {  // multi-head, GQA, multi-query
      ModelConfig c = tiny_config(tied, kv);
      auto model = random_model(c, 7 + static_cast<uint64_t>(kv));
      model->eval();
      std::vector<int64_t> ids = {1, 5, 96, 42, 0, 13, 77, 8, 8, 31, 2};
      auto input = torch::tensor(ids, torch::kInt64).view({1, -1});
      torch::Tensor logits;
      {
        torch::NoGradGuard no_grad;
        logits = model->forward(input)[0];  // [T, V]
      }
      auto refw = ref_weights(model);
      Mat want = reference_forward(c, refw, ids);
      ASSERT_EQ(logits.numel(), static_cast<int64_t>(want.size()));
      EXPECT_LT(max_rel_error(logits, want), 1e-4) << "tied=" << tied << " kv_heads=" << kv;
    }
  }
}

TEST(TrainModel, ForwardIsCausalAndBatched) {
  auto model = random_model(tiny_config(), 3);
  torch::NoGradGuard no_grad;
  auto a = torch::tensor(std::vector<int64_t>{4, 9, 16, 25, 36, 49}, torch::kInt64).view({1, -1});
  auto b = a.clone();
  b[0][5] = 1;  // a different last token must not change earlier positions
  auto la = model->forward(a), lb = model->forward(b);
  EXPECT_TRUE(torch::allclose(la.narrow(1, 0, 5), lb.narrow(1, 0, 5), 1e-5, 1e-6));
  EXPECT_FALSE(torch::allclose(la.narrow(1, 5, 1), lb.narrow(1, 5, 1), 1e-5, 1e-6));
  auto both = model->forward(torch::cat({a, b}, 0));  // batch rows are independent
  EXPECT_TRUE(torch::allclose(both[1], lb[0], 1e-5, 1e-5));
}

TEST(TrainModel, HfDirectoryRoundTrip) {
  const std::string dir = temp_dir("roundtrip");
  auto model = random_model(tiny_config(), 11);
  gemba::train::save_hf_model(model, dir + "/out", "");
  ASSERT_TRUE(fs::exists(dir + "/out/config.json"));
  ASSERT_TRUE(fs::exists(dir + "/out/model.safetensors"));
  auto cfg = gemba::read_json_file(dir + "/out/config.json");
  EXPECT_EQ(cfg.at("hidden_size").get<int64_t>(), 64);
  // transformers decodes greedily, as gemba recommends (engine/serving-defaults.h).
  EXPECT_EQ(gemba::read_json_file(dir + "/out/generation_config.json").at("do_sample"), false);

  auto loaded = gemba::train::load_hf_model(dir + "/out", torch::kCPU);
  auto a = model->named_parameters();
  auto b = loaded->named_parameters();
  ASSERT_EQ(a.size(), b.size());
  for (auto& item : a) EXPECT_TRUE(torch::equal(item.value(), b[item.key()])) << item.key();

  // bf16 weights load too (rounded), and a wrong shape is a user error naming the tensor.
  {
    auto weights = gemba::format::SafetensorsModel::open_dir(dir + "/out");
    std::vector<std::vector<uint16_t>> keep;
    gemba::format::SafetensorsWriter writer;
    for (const auto* t : weights.tensors()) {
      auto values = gemba::format::to_f32(*t);
      keep.emplace_back(values.size());
      for (size_t i = 0; i < values.size(); ++i) {
        uint32_t u;
        std::memcpy(&u, &values[i], 4);
        keep.back()[i] = static_cast<uint16_t>((u + 0x7fffu + ((u >> 16) & 1u)) >> 16);
      }
      writer.add(t->name, gemba::format::DType::BF16, t->shape, keep.back().data());
    }
    fs::create_directories(dir + "/bf16");
    fs::copy_file(dir + "/out/config.json", dir + "/bf16/config.json");
    writer.write(dir + "/bf16/model.safetensors");
  }
  auto from_bf16 = gemba::train::load_hf_model(dir + "/bf16", torch::kCPU);
  auto w = model->named_parameters()["model.layers.0.mlp.up_proj.weight"];
  auto wb = from_bf16->named_parameters()["model.layers.0.mlp.up_proj.weight"];
  EXPECT_FALSE(torch::equal(w, wb));
  EXPECT_TRUE(torch::allclose(w, wb, 1e-2, 1e-3));

  auto cfg_big = cfg;
  cfg_big["hidden_size"] = 128;
  cfg_big["intermediate_size"] = 96;
  gemba::write_json_file(dir + "/bf16/config.json", cfg_big);
  try {
    gemba::train::load_hf_model(dir + "/bf16", torch::kCPU);
    FAIL() << "expected a shape error";
  } catch (const gemba::Error& e) {
    EXPECT_NE(std::string(e.what()).find("model.embed_tokens.weight"), std::string::npos) << e.what();
  }
  fs::remove_all(dir);
}

TEST(TrainModel, ActivationCheckpointingGivesTheSameGradients) {
  auto model = random_model(tiny_config(), 5);
  model->train();
  auto ids = torch::randint(0, 97, {2, 9}, torch::kInt64);
  auto grads = [&](bool ckpt, torch::Dtype dtype) {
    model->set_activation_checkpointing(ckpt);
    model->zero_grad();
    torch::Tensor loss;
    {
      // As the trainer does: autocast around the forward pass only.
      gemba::train::AutocastScope autocast(torch::kCPU, dtype);
      loss = model->forward(ids).to(torch::kFloat32).pow(2).mean();
    }
    loss.backward();
    std::map<std::string, torch::Tensor> g;
    for (auto& item : model->named_parameters()) g[item.key()] = item.value().grad().clone();
    return g;
  };
  // bf16: the recomputation in backward must run under autocast too, as the forward pass did.
  for (auto dtype : {torch::kFloat32, torch::kBFloat16}) {
    SCOPED_TRACE(dtype == torch::kFloat32 ? "f32" : "bf16 autocast");
    auto plain = grads(false, dtype), recomputed = grads(true, dtype);
    for (auto& [name, g] : plain) {
      ASSERT_TRUE(recomputed[name].defined()) << name;
      EXPECT_TRUE(torch::allclose(g, recomputed[name], 1e-5, 1e-7)) << name;
      EXPECT_GT(g.abs().sum().item<double>(), 0) << name;
    }
  }
}

TEST(TrainModel, ReplaceProjectionKeepsTheParameterPath) {
  auto model = random_model(tiny_config(), 9);
  torch::nn::Linear replacement(torch::nn::LinearOptions(64, 64).bias(false));
  model->replace_projection(1, "self_attn.q_proj", torch::nn::AnyModule(replacement));
  auto params = model->named_parameters();
  ASSERT_NE(params.find("model.layers.1.self_attn.q_proj.weight"), nullptr);
  EXPECT_TRUE(params["model.layers.1.self_attn.q_proj.weight"].is_same(replacement->weight));
  EXPECT_THROW(model->replace_projection(0, "self_attn.x_proj", torch::nn::AnyModule(replacement)), gemba::Error);
}

// The two halves compute the same function: trainer logits vs the engine's on one HF dir.
TEST(TrainModel, LogitsMatchTheEngine) {
  const std::string dir = temp_dir("engine");
  for (bool tied : {false, true}) {
    ModelConfig c = tiny_config(tied, 2);
    auto model = random_model(c, 21);
    gemba::train::save_hf_model(model, dir + "/hf", "");
    std::vector<int32_t> ids = {1, 17, 4, 88, 23, 23, 60, 2, 9};
    torch::Tensor want;
    {
      torch::NoGradGuard no_grad;
      std::vector<int64_t> ids64(ids.begin(), ids.end());
      want = model->forward(torch::tensor(ids64, torch::kInt64).view({1, -1}))[0];  // [T, V]
    }
    gemba::engine::LlamaModel engine(gemba::engine::ModelWeights::from_hf_dir(dir + "/hf"), 1);
    auto cache = engine.new_cache(0, gemba::engine::KvType::kF32);
    std::vector<float> got = engine.forward(cache, ids, /*all_logits=*/true);  // [T, V]
    ASSERT_EQ(static_cast<int64_t>(got.size()), want.numel());
    Mat got_d(got.begin(), got.end());
    EXPECT_LT(max_rel_error(want, got_d), 1e-4) << "tied=" << tied;
  }
  fs::remove_all(dir);
}

// ---- fused RoPE (train/fused-rope.h) -------------------------------------------

namespace {

// Largest |a - b| relative to b's largest magnitude.
double rel_diff(const torch::Tensor& a, const torch::Tensor& b) {
  const auto bd = b.to(torch::kFloat64);
  return (a.to(torch::kFloat64) - bd).abs().max().item<double>() / std::max(1e-12, bd.abs().max().item<double>());
}

// A fresh leaf of dtype dt that collects its gradient.
torch::Tensor leaf(const torch::Tensor& t, torch::ScalarType dt) { return t.to(dt).clone().detach().requires_grad_(true); }

}  // namespace

TEST(FusedOps, RopeMatchesRotateHalfWithGradients) {
  torch::manual_seed(2);
  const int64_t B = 2, T = 5, H = 3, hd = 8;
  const auto tables = gemba::train::rope_tables(T, hd, 10000.0, torch::kCPU);
  const auto x0 = torch::randn({B, T, H, hd});
  const auto dy0 = torch::randn({B, T, H, hd});
  for (auto dt : {torch::kFloat32, torch::kBFloat16}) {
    SCOPED_TRACE(dt == torch::kFloat32 ? "f32" : "bf16");
    auto x = leaf(x0, dt);
    auto y = gemba::train::rope(x, tables.cos, tables.sin);
    ASSERT_EQ(y.scalar_type(), dt);
    y.backward(dy0.to(dt));
    auto xd = leaf(x.detach(), torch::kFloat64);
    auto c = tables.cos.to(torch::kFloat64).unsqueeze(1), s = tables.sin.to(torch::kFloat64).unsqueeze(1);  // [T, 1, hd]
    auto rotated = torch::cat({-xd.narrow(-1, hd / 2, hd / 2), xd.narrow(-1, 0, hd / 2)}, -1);
    auto yd = xd * c + rotated * s;
    yd.backward(dy0.to(dt).to(torch::kFloat64));
    const double tol = dt == torch::kFloat32 ? 1e-6 : 1e-2;
    EXPECT_LT(rel_diff(y, yd), tol);
    EXPECT_LT(rel_diff(x.grad(), xd.grad()), tol);
    // Position 0 is the identity rotation.
    EXPECT_TRUE(torch::equal(y.detach().select(1, 0), x.detach().select(1, 0)));
  }
  // A non-contiguous input gives the same result.
  auto wide = torch::randn({B, T, H, 2 * hd});
  auto view = wide.narrow(-1, 0, hd);
  EXPECT_TRUE(torch::allclose(gemba::train::rope(view, tables.cos, tables.sin),
                              gemba::train::rope(view.contiguous(), tables.cos, tables.sin)));
}

// ---- fused RMSNorm (train/fused-rms-norm.h) ------------------------------------

namespace {

// HF's RMSNorm in f64: weight * x / sqrt(mean(x^2) + eps).
torch::Tensor rms_norm_reference(const torch::Tensor& x, const torch::Tensor& w, double eps) {
  return w * x * torch::rsqrt(x.pow(2).mean(-1, /*keepdim=*/true) + eps);
}

}  // namespace

TEST(FusedOps, RmsNormMatchesReferenceWithGradients) {
  torch::manual_seed(3);
  const int64_t B = 3, T = 50, D = 40;  // 150 rows: several weight-gradient blocks and a partial one
  const double eps = 1e-5;
  const auto x0 = torch::randn({B, T, D}) * 3;
  const auto w0 = torch::rand({D}) + 0.5;
  const auto dy0 = torch::randn({B, T, D});
  for (const bool autocast : {false, true}) {
    SCOPED_TRACE(autocast ? "bf16 autocast" : "f32");
    auto x = leaf(x0, torch::kFloat32), w = leaf(w0, torch::kFloat32);
    torch::Tensor y;
    {
      gemba::train::AutocastScope scope(torch::kCPU, autocast ? torch::kBFloat16 : torch::kFloat32);
      y = gemba::train::rms_norm(x, w, eps);
    }
    // Under autocast the output is what autocast's cast of the f32 output would be.
    ASSERT_EQ(y.scalar_type(), autocast ? torch::kBFloat16 : torch::kFloat32);
    y.backward(dy0.to(y.scalar_type()));
    auto xd = leaf(x0, torch::kFloat64), wd = leaf(w0, torch::kFloat64);
    auto yd = rms_norm_reference(xd, wd, eps);
    yd.backward(dy0.to(y.scalar_type()).to(torch::kFloat64));
    const double tol = autocast ? 1e-2 : 1e-5;
    EXPECT_LT(rel_diff(y, yd), tol);
    EXPECT_LT(rel_diff(x.grad(), xd.grad()), 1e-5);  // dx is f32 math on the (rounded) incoming gradient
    EXPECT_LT(rel_diff(w.grad(), wd.grad()), 1e-5);
  }
  // A non-contiguous input gives the same output; a frozen weight gets no gradient.
  auto wide = torch::randn({B, T, 2 * D});
  auto view = wide.narrow(-1, 0, D);
  EXPECT_TRUE(torch::allclose(gemba::train::rms_norm(view, w0, eps), gemba::train::rms_norm(view.contiguous(), w0, eps)));
  auto x = leaf(x0, torch::kFloat32);
  gemba::train::rms_norm(x, w0, eps).sum().backward();
  EXPECT_TRUE(x.grad().defined());
  // The weight gradient does not depend on the thread count (blocks summed in order).
  const int threads = torch::get_num_threads();
  std::vector<torch::Tensor> grads;
  for (int n : {1, 2}) {
    torch::set_num_threads(n);
    auto w = leaf(w0, torch::kFloat32);
    gemba::train::rms_norm(x0, w, eps).backward(dy0);
    grads.push_back(w.grad());
  }
  torch::set_num_threads(threads);
  EXPECT_TRUE(torch::equal(grads[0], grads[1]));
}

// ---- fused SwiGLU (train/fused-swiglu.h) ---------------------------------------

TEST(FusedOps, VectorizableExpIsWithinTwoUlpOfExpf) {
  for (float x = -87.0f; x <= 88.0f; x += 0.0137f) {
    const float want = std::exp(x), got = gemba::train::vectorizable_exp(x);
    ASSERT_LE(std::fabs(got - want), 2.5f * std::fabs(want) * 1.1920929e-7f) << "x = " << x;
  }
  // Clamped outside [-87, 88]: finite and positive, so sigmoid never divides by inf or 0.
  EXPECT_GT(gemba::train::vectorizable_exp(-1000.0f), 0.0f);
  EXPECT_TRUE(std::isfinite(gemba::train::vectorizable_exp(1000.0f)));
}

TEST(FusedOps, SwigluMatchesSiluTimesUpWithGradients) {
  torch::manual_seed(4);
  const auto g0 = torch::randn({2, 7, 300}) * 4;  // 4200 elements: several tasks and a partial block
  const auto u0 = torch::randn({2, 7, 300});
  const auto dh0 = torch::randn({2, 7, 300});
  for (auto dt : {torch::kFloat32, torch::kBFloat16}) {
    SCOPED_TRACE(dt == torch::kFloat32 ? "f32" : "bf16");
    auto g = leaf(g0, dt), u = leaf(u0, dt);
    auto h = gemba::train::swiglu(g, u);
    ASSERT_EQ(h.scalar_type(), dt);
    h.backward(dh0.to(dt));
    auto gd = leaf(g.detach(), torch::kFloat64), ud = leaf(u.detach(), torch::kFloat64);
    auto hd = torch::silu(gd) * ud;
    hd.backward(dh0.to(dt).to(torch::kFloat64));
    const double tol = dt == torch::kFloat32 ? 1e-5 : 1e-2;
    EXPECT_LT(rel_diff(h, hd), tol);
    EXPECT_LT(rel_diff(g.grad(), gd.grad()), tol);
    EXPECT_LT(rel_diff(u.grad(), ud.grad()), tol);
  }
  // Large |gate|: silu(g) -> g for g >> 0 and -> 0 for g << 0, with no NaN.
  auto big = torch::tensor({-200.0f, -90.0f, 90.0f, 200.0f});
  auto h = gemba::train::swiglu(big, torch::ones({4}));
  EXPECT_TRUE(torch::allclose(h, torch::tensor({0.0f, 0.0f, 90.0f, 200.0f}), 1e-6, 1e-6)) << h;
}

// ---- fused token log-probabilities (train/fused-token-log-probs.h) -----------------

TEST(FusedOps, TokenLogProbsMatchLogSoftmaxWithGradients) {
  torch::manual_seed(5);
  constexpr int64_t kIgnore = -100;
  // V = 300: a full 256-element block and a partial one; logits spread like a trained LM head's.
  const auto x0 = torch::randn({2, 9, 300}) * 6;
  auto labels = torch::randint(0, 300, {2, 9}, torch::kInt64);
  labels[0][0] = kIgnore;
  labels[1][4] = kIgnore;
  const auto g0 = torch::randn({2, 9});
  for (auto dt : {torch::kFloat32, torch::kBFloat16}) {
    SCOPED_TRACE(dt == torch::kFloat32 ? "f32" : "bf16");
    auto x = leaf(x0, dt);
    auto lp = gemba::train::token_log_probs(x, labels, kIgnore);
    ASSERT_EQ(lp.scalar_type(), torch::kFloat32);
    ASSERT_EQ(lp.sizes(), labels.sizes());
    lp.backward(g0);
    ASSERT_EQ(x.grad().scalar_type(), dt);
    // The reference: f64 log_softmax of the same (rounded) logits, picked, 0 where ignored.
    auto xd = leaf(x.detach(), torch::kFloat64);
    auto valid = labels.ne(kIgnore);
    auto picked = torch::log_softmax(xd, -1).gather(-1, labels.clamp_min(0).unsqueeze(-1)).squeeze(-1);
    auto want = picked * valid.to(torch::kFloat64);
    want.backward(g0.to(torch::kFloat64));
    EXPECT_LT(rel_diff(lp, want), 1e-5);
    EXPECT_EQ(lp[0][0].item<float>(), 0.0f);
    EXPECT_LT(rel_diff(x.grad(), xd.grad()), dt == torch::kFloat32 ? 1e-5 : 1e-2);
    EXPECT_EQ(x.grad()[1][4].abs().sum().item<float>(), 0.0f);  // no gradient on an ignored row
  }
  // A label outside the vocabulary is an error that says so, not a read past the row.
  auto bad = labels.clone();
  bad[1][1] = 300;
  try {
    gemba::train::token_log_probs(x0, bad, kIgnore);
    FAIL() << "expected gemba::Error";
  } catch (const gemba::Error& e) {
    EXPECT_NE(std::string(e.what()).find("outside the vocabulary"), std::string::npos) << e.what();
  }
}
