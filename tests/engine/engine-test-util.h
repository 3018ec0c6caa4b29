// Shared helpers for the engine tests: scratch directories, tiny model configs, and a
// plain double-precision reference forward pass written from the Llama paper's equations
// over an HF directory's f32 weights (rotate-half RoPE, as transformers computes it).
#pragma once
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "core/error.h"
#include "format/model-config.h"
#include "format/safetensors.h"

namespace gemba::engine::testing {

// A fresh directory under the system temp dir, removed at destruction.
class ScratchDir {
 public:
  ScratchDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "gemba-engine-test-XXXXXX").string();
    if (!mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
    path_ = tmpl;
  }
  ~ScratchDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  std::string operator/(const std::string& name) const { return path_ + "/" + name; }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

inline format::ModelConfig tiny_config(int64_t n_heads, int64_t n_kv_heads, bool tied) {
  format::ModelConfig c;
  c.vocab_size = 300;  // >= the byte-level tokenizer's 261 entries
  c.hidden_size = 64;
  c.n_layers = 2;
  c.n_heads = n_heads;
  c.n_kv_heads = n_kv_heads;
  c.ffn_size = 96;
  c.max_position = 64;
  c.rope_theta = 10000.0;
  c.rms_eps = 1e-5;
  c.tie_embeddings = tied;
  return c;
}

// Reference forward in double precision: logits [T, vocab] for a whole sequence.
class ReferenceModel {
 public:
  explicit ReferenceModel(const std::string& hf_dir) : config_(format::ModelConfig::from_hf_dir(hf_dir)) {
    auto model = format::SafetensorsModel::open_dir(hf_dir);
    auto get = [&](const std::string& name) {
      auto f = format::to_f32(model.get(name));
      return std::vector<double>(f.begin(), f.end());
    };
    embed_ = get("model.embed_tokens.weight");
    for (int64_t l = 0; l < config_.n_layers; ++l) {
      const std::string p = "model.layers." + std::to_string(l) + ".";
      Layer L;
      L.attn_norm = get(p + "input_layernorm.weight");
      L.q = get(p + "self_attn.q_proj.weight");
      L.k = get(p + "self_attn.k_proj.weight");
      L.v = get(p + "self_attn.v_proj.weight");
      L.o = get(p + "self_attn.o_proj.weight");
      L.ffn_norm = get(p + "post_attention_layernorm.weight");
      L.gate = get(p + "mlp.gate_proj.weight");
      L.up = get(p + "mlp.up_proj.weight");
      L.down = get(p + "mlp.down_proj.weight");
      layers_.push_back(std::move(L));
    }
    norm_ = get("model.norm.weight");
    head_ = model.find("lm_head.weight") ? get("lm_head.weight") : embed_;
  }

  std::vector<double> forward(const std::vector<int32_t>& tokens) const {
    const auto& c = config_;
    const int64_t T = static_cast<int64_t>(tokens.size()), H = c.hidden_size, hd = c.head_dim();
    const int64_t nh = c.n_heads, nkv = c.n_kv_heads, F = c.ffn_size, V = c.vocab_size;
    std::vector<std::vector<double>> x(T);
    for (int64_t t = 0; t < T; ++t) x[t].assign(embed_.begin() + tokens[t] * H, embed_.begin() + (tokens[t] + 1) * H);
    for (const auto& L : layers_) {
      std::vector<std::vector<double>> q(T), k(T), v(T);
      for (int64_t t = 0; t < T; ++t) {
        auto xn = rms(x[t], L.attn_norm);
        q[t] = matvec(L.q, xn, nh * hd);
        k[t] = matvec(L.k, xn, nkv * hd);
        v[t] = matvec(L.v, xn, nkv * hd);
        rope(q[t], nh, t);
        rope(k[t], nkv, t);
      }
      for (int64_t t = 0; t < T; ++t) {
        std::vector<double> att(nh * hd, 0.0);
        for (int64_t h = 0; h < nh; ++h) {
          const int64_t g = h / (nh / nkv);
          std::vector<double> s(t + 1);
          double mx = -1e300;
          for (int64_t j = 0; j <= t; ++j) {
            double d = 0;
            for (int64_t i = 0; i < hd; ++i) d += q[t][h * hd + i] * k[j][g * hd + i];
            s[j] = d / std::sqrt(static_cast<double>(hd));
            mx = std::max(mx, s[j]);
          }
          double sum = 0;
          for (auto& e : s) sum += (e = std::exp(e - mx));
          for (int64_t j = 0; j <= t; ++j)
            for (int64_t i = 0; i < hd; ++i) att[h * hd + i] += s[j] / sum * v[j][g * hd + i];
        }
        auto o = matvec(L.o, att, H);
        for (int64_t i = 0; i < H; ++i) x[t][i] += o[i];
        auto xn = rms(x[t], L.ffn_norm);
        auto g = matvec(L.gate, xn, F), u = matvec(L.up, xn, F);
        for (int64_t i = 0; i < F; ++i) g[i] = g[i] / (1.0 + std::exp(-g[i])) * u[i];
        auto d = matvec(L.down, g, H);
        for (int64_t i = 0; i < H; ++i) x[t][i] += d[i];
      }
    }
    std::vector<double> logits;
    for (int64_t t = 0; t < T; ++t) {
      auto l = matvec(head_, rms(x[t], norm_), V);
      logits.insert(logits.end(), l.begin(), l.end());
    }
    return logits;
  }

  const format::ModelConfig& config() const { return config_; }

 private:
  struct Layer {
    std::vector<double> attn_norm, q, k, v, o, ffn_norm, gate, up, down;
  };
  std::vector<double> rms(const std::vector<double>& x, const std::vector<double>& w) const {
    double ss = 0;
    for (double e : x) ss += e * e;
    const double s = 1.0 / std::sqrt(ss / static_cast<double>(x.size()) + config_.rms_eps);
    std::vector<double> y(x.size());
    for (size_t i = 0; i < x.size(); ++i) y[i] = x[i] * s * w[i];
    return y;
  }
  static std::vector<double> matvec(const std::vector<double>& w, const std::vector<double>& x, int64_t rows) {
    const size_t cols = x.size();
    std::vector<double> y(static_cast<size_t>(rows), 0.0);
    for (int64_t r = 0; r < rows; ++r)
      for (size_t c = 0; c < cols; ++c) y[r] += w[r * cols + c] * x[c];
    return y;
  }
  // transformers' rotate_half: pairs (i, i + d/2), angle pos * theta^(-2i/d).
  void rope(std::vector<double>& x, int64_t n_heads, int64_t pos) const {
    const int64_t hd = config_.head_dim(), half = hd / 2;
    for (int64_t h = 0; h < n_heads; ++h)
      for (int64_t i = 0; i < half; ++i) {
        const double a = pos * std::pow(config_.rope_theta, -2.0 * i / hd);
        double& x0 = x[h * hd + i];
        double& x1 = x[h * hd + i + half];
        const double r0 = x0 * std::cos(a) - x1 * std::sin(a), r1 = x0 * std::sin(a) + x1 * std::cos(a);
        x0 = r0;
        x1 = r1;
      }
  }
  format::ModelConfig config_;
  std::vector<double> embed_, norm_, head_;
  std::vector<Layer> layers_;
};

// max |a - b| / max |b|
template <class A, class B>
double relative_error(const A& a, const B& b) {
  double num = 0, den = 0;
  for (size_t i = 0; i < b.size(); ++i) {
    num = std::max(num, std::abs(static_cast<double>(a[i]) - static_cast<double>(b[i])));
    den = std::max(den, std::abs(static_cast<double>(b[i])));
  }
  return num / den;
}

}  // namespace gemba::engine::testing
