#include "train/model.h"

#include <torch/version.h>

#include <cmath>
#include <cstring>
#include <filesystem>

#include "core/atomic-output.h"
#include "core/error.h"
#include "core/json.h"
#include "engine/serving-defaults.h"
#include "format/safetensors.h"
#include "train/autocast.h"
#include "train/fused-rms-norm.h"
#include "train/fused-rope.h"
#include "train/fused-swiglu.h"

namespace gemba::train {

namespace fs = std::filesystem;

namespace {

torch::nn::AnyModule make_linear(int64_t in, int64_t out) {
  return torch::nn::AnyModule(torch::nn::Linear(torch::nn::LinearOptions(in, out).bias(false)));
}

// Recomputes one decoder layer in backward (gradient checkpointing, Chen et al. 2016).
// libtorch has no torch::utils::checkpoint, so this is the reentrant variant written out:
// forward runs without a graph; backward re-runs the layer with grad enabled and pushes the
// incoming gradient through it, which accumulates the layer's parameter gradients.
struct CheckpointedLayer : public torch::autograd::Function<CheckpointedLayer> {
  static torch::Tensor forward(torch::autograd::AutogradContext* ctx, torch::Tensor x, torch::Tensor cos,
                               torch::Tensor sin, int64_t layer_address) {
    ctx->save_for_backward({x, cos, sin});
    ctx->saved_data["layer"] = layer_address;
    // ... and run in the same precision: backward runs outside the trainer's autocast scope.
    const auto autocast = active_autocast_dtype(x.device());
    ctx->saved_data["autocast"] = static_cast<int64_t>(autocast ? *autocast : torch::kFloat32);
    // The recomputation must draw the same dropout masks (LoRA dropout) as this pass.
    at::Generator gen = at::globalContext().defaultGenerator(x.device());
    {
      std::lock_guard<std::mutex> lock(gen.mutex());
      ctx->saved_data["rng"] = gen.get_state();
    }
    torch::NoGradGuard no_grad;
    auto* layer = reinterpret_cast<DecoderLayerImpl*>(layer_address);
    return layer->forward(x, RopeTables{cos, sin});
  }

  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::variable_list grad_out) {
    auto saved = ctx->get_saved_variables();
    auto* layer = reinterpret_cast<DecoderLayerImpl*>(ctx->saved_data["layer"].toInt());
    auto x = saved[0].detach().requires_grad_(true);
    torch::Tensor y;
    {
      // Replay with the forward pass's RNG state, then put the stream back where it was.
      at::Generator gen = at::globalContext().defaultGenerator(x.device());
      torch::Tensor now;
      {
        std::lock_guard<std::mutex> lock(gen.mutex());
        now = gen.get_state();
        gen.set_state(ctx->saved_data["rng"].toTensor());
      }
      torch::AutoGradMode grad_on(true);
      AutocastScope autocast(x.device(), static_cast<torch::Dtype>(ctx->saved_data["autocast"].toInt()));
      y = layer->forward(x, RopeTables{saved[1], saved[2]});
      std::lock_guard<std::mutex> lock(gen.mutex());
      gen.set_state(now);
    }
    torch::autograd::backward({y}, {grad_out[0]});
    return {x.grad(), torch::Tensor(), torch::Tensor(), torch::Tensor()};
  }
};

}  // namespace

// ---- RMSNorm ---------------------------------------------------------------------------

RmsNormImpl::RmsNormImpl(int64_t dim, double eps_) : eps(eps_) {
  weight = register_parameter("weight", torch::ones({dim}));
}

torch::Tensor RmsNormImpl::forward(const torch::Tensor& x) {
  return rms_norm(x, weight, eps);  // [..., D]
}

// ---- RoPE --------------------------------------------------------------------------------

RopeTables rope_tables(int64_t seq_len, int64_t head_dim, double theta, torch::Device device) {
  // inv_freq[i] = theta^(-2i/hd), i < hd/2; computed in double then rounded, as HF does in f32.
  auto idx = torch::arange(0, head_dim, 2, torch::TensorOptions().dtype(torch::kFloat64));
  auto inv_freq = torch::pow(theta, -idx / static_cast<double>(head_dim)).to(torch::kFloat32);  // [hd/2]
  auto pos = torch::arange(seq_len, torch::TensorOptions().dtype(torch::kFloat32));              // [T]
  auto freqs = torch::outer(pos, inv_freq);                                                      // [T, hd/2]
  auto emb = torch::cat({freqs, freqs}, -1);                                                     // [T, hd]
  return {emb.cos().to(device), emb.sin().to(device)};
}

// ---- Attention ---------------------------------------------------------------------------

AttentionImpl::AttentionImpl(const format::ModelConfig& c)
    : n_heads(c.n_heads), n_kv_heads(c.n_kv_heads), head_dim(c.head_dim()) {
  q_proj = make_linear(c.hidden_size, n_heads * head_dim);
  k_proj = make_linear(c.hidden_size, n_kv_heads * head_dim);
  v_proj = make_linear(c.hidden_size, n_kv_heads * head_dim);
  o_proj = make_linear(n_heads * head_dim, c.hidden_size);
  register_module("q_proj", q_proj.ptr());
  register_module("k_proj", k_proj.ptr());
  register_module("v_proj", v_proj.ptr());
  register_module("o_proj", o_proj.ptr());
}

torch::Tensor AttentionImpl::forward(const torch::Tensor& x, const RopeTables& rope) {
  const int64_t B = x.size(0), T = x.size(1);
  auto cos = rope.cos.narrow(0, 0, T);  // [T, hd]
  auto sin = rope.sin.narrow(0, 0, T);
  // RoPE on the projections' own [B, T, heads, hd] layout (contiguous), then heads first.
  auto q = train::rope(q_proj.forward(x).view({B, T, n_heads, head_dim}), cos, sin).transpose(1, 2);     // [B, H, T, hd]
  auto k = train::rope(k_proj.forward(x).view({B, T, n_kv_heads, head_dim}), cos, sin).transpose(1, 2);  // [B, KV, T, hd]
  auto v = v_proj.forward(x).view({B, T, n_kv_heads, head_dim}).transpose(1, 2);                         // [B, KV, T, hd]

  if (n_kv_heads != n_heads) {  // GQA: kv head j serves query heads j*rep .. j*rep+rep-1
    const int64_t rep = n_heads / n_kv_heads;
    k = k.repeat_interleave(rep, 1);  // [B, H, T, hd]
    v = v.repeat_interleave(rep, 1);
  }

#if TORCH_VERSION_MAJOR >= 2
  auto out = at::scaled_dot_product_attention(q, k, v, {}, 0.0, /*is_causal=*/true);  // [B, H, T, hd]
#else
  // The scale goes on q ([B, H, T, hd]) rather than on the scores ([B, H, T, T]), and the causal
  // mask is added by the same product (baddbmm): on the demo's shapes in bf16 this attention ran
  // 2.9 ms forward + backward per layer against 4.4 for scores / sqrt(hd), masked_fill and a
  // softmax cast to f32 and back (bench/RESULTS.md, session 13). The softmax reduces in f32
  // internally either way; its output is the matmul's dtype as before.
  const int64_t BH = B * n_heads;
  auto causal = torch::ones({T, T}, torch::TensorOptions().dtype(torch::kBool).device(x.device())).triu(1);
  auto mask = torch::zeros({T, T}, q.options()).masked_fill(causal, -std::numeric_limits<float>::infinity());  // [T, T]
  auto scores = torch::baddbmm(mask.expand({BH, T, T}), (q * (1.0 / std::sqrt(static_cast<double>(head_dim)))).reshape({BH, T, head_dim}),
                               k.reshape({BH, T, head_dim}).transpose(1, 2));  // [B*H, T, T]
  auto probs = torch::softmax(scores, -1);                                     // [B*H, T, T]
  auto out = torch::bmm(probs.to(v.scalar_type()), v.reshape({BH, T, head_dim})).view({B, n_heads, T, head_dim});  // [B, H, T, hd]
#endif
  out = out.transpose(1, 2).reshape({B, T, n_heads * head_dim});  // [B, T, H*hd]
  return o_proj.forward(out);                                     // [B, T, D]
}

// ---- MLP ---------------------------------------------------------------------------------

MlpImpl::MlpImpl(const format::ModelConfig& c) {
  gate_proj = make_linear(c.hidden_size, c.ffn_size);
  up_proj = make_linear(c.hidden_size, c.ffn_size);
  down_proj = make_linear(c.ffn_size, c.hidden_size);
  register_module("gate_proj", gate_proj.ptr());
  register_module("up_proj", up_proj.ptr());
  register_module("down_proj", down_proj.ptr());
}

torch::Tensor MlpImpl::forward(const torch::Tensor& x) {
  auto gate = gate_proj.forward(x);                          // [B, T, F]
  auto up = up_proj.forward(x);                              // [B, T, F]
  return down_proj.forward(swiglu(gate, up));                // [B, T, D]
}

// ---- Decoder layer -----------------------------------------------------------------------

DecoderLayerImpl::DecoderLayerImpl(const format::ModelConfig& c) {
  input_layernorm = register_module("input_layernorm", RmsNorm(c.hidden_size, c.rms_eps));
  self_attn = register_module("self_attn", Attention(c));
  post_attention_layernorm = register_module("post_attention_layernorm", RmsNorm(c.hidden_size, c.rms_eps));
  mlp = register_module("mlp", Mlp(c));
}

torch::Tensor DecoderLayerImpl::forward(const torch::Tensor& x, const RopeTables& rope) {
  auto h = x + self_attn->forward(input_layernorm->forward(x), rope);  // [B, T, D]
  return h + mlp->forward(post_attention_layernorm->forward(h));       // [B, T, D]
}

// ---- Whole model -------------------------------------------------------------------------

LlamaBodyImpl::LlamaBodyImpl(const format::ModelConfig& c) {
  embed_tokens = register_module("embed_tokens", torch::nn::Embedding(c.vocab_size, c.hidden_size));
  layers = register_module("layers", torch::nn::ModuleList());
  for (int64_t i = 0; i < c.n_layers; ++i) layers->push_back(DecoderLayer(c));
  norm = register_module("norm", RmsNorm(c.hidden_size, c.rms_eps));
}

LlamaForCausalLMImpl::LlamaForCausalLMImpl(const format::ModelConfig& c) : config_(c) {
  config_.validate("model config");
  model = register_module("model", LlamaBody(c));
  for (size_t i = 0; i < model->layers->size(); ++i)
    layers_.push_back(DecoderLayer(model->layers->ptr<DecoderLayerImpl>(i)));
  if (!c.tie_embeddings)
    lm_head = register_module("lm_head", torch::nn::Linear(torch::nn::LinearOptions(c.hidden_size, c.vocab_size).bias(false)));
}

torch::Tensor LlamaForCausalLMImpl::hidden_states(const torch::Tensor& input_ids) {
  const int64_t T = input_ids.size(1);
  auto rope = rope_tables(T, config_.head_dim(), config_.rope_theta, input_ids.device());
  auto h = model->embed_tokens->forward(input_ids);  // [B, T, D]
  const bool checkpoint = checkpointing_ && is_training() && torch::GradMode::is_enabled();
  // A checkpointed layer's output needs grad only if its input does; with a frozen embedding
  // (LoRA) it would not, and no gradient would reach the layers' trainable parameters.
  if (checkpoint && !h.requires_grad()) h.requires_grad_(true);
  for (auto& layer : layers_) {
    if (checkpoint)
      h = CheckpointedLayer::apply(h, rope.cos, rope.sin, reinterpret_cast<int64_t>(layer.get()));
    else
      h = layer->forward(h, rope);
  }
  return model->norm->forward(h);  // [B, T, D]
}

torch::Tensor LlamaForCausalLMImpl::logits(const torch::Tensor& hidden) {
  if (lm_head) return lm_head->forward(hidden);
  return torch::nn::functional::linear(hidden, model->embed_tokens->weight);  // tied: [.., V]
}

torch::Tensor LlamaForCausalLMImpl::forward(const torch::Tensor& input_ids) {
  return logits(hidden_states(input_ids));  // [B, T, V]
}

void LlamaForCausalLMImpl::replace_projection(int64_t i, const std::string& name, torch::nn::AnyModule module) {
  GEMBA_ASSERT(i >= 0 && i < static_cast<int64_t>(layers_.size()), "layer ", i);
  auto& layer = layers_[static_cast<size_t>(i)];
  torch::nn::AnyModule* slot = nullptr;
  torch::nn::Module* parent = nullptr;
  std::string leaf;
  if (name.rfind("self_attn.", 0) == 0) {
    parent = layer->self_attn.get();
    leaf = name.substr(10);
    auto& a = *layer->self_attn;
    slot = leaf == "q_proj" ? &a.q_proj : leaf == "k_proj" ? &a.k_proj : leaf == "v_proj" ? &a.v_proj
         : leaf == "o_proj" ? &a.o_proj : nullptr;
  } else if (name.rfind("mlp.", 0) == 0) {
    parent = layer->mlp.get();
    leaf = name.substr(4);
    auto& m = *layer->mlp;
    slot = leaf == "gate_proj" ? &m.gate_proj : leaf == "up_proj" ? &m.up_proj : leaf == "down_proj" ? &m.down_proj : nullptr;
  }
  if (!slot) fail("replace_projection: unknown projection '", name, "'; use self_attn.{q,k,v,o}_proj or mlp.{gate,up,down}_proj");
  parent->replace_module(leaf, module.ptr());
  *slot = std::move(module);
}

void LlamaForCausalLMImpl::init_weights(double stddev) {
  torch::NoGradGuard no_grad;
  for (auto& item : named_parameters()) {
    if (item.value().dim() >= 2)
      item.value().normal_(0.0, stddev);
    else
      item.value().fill_(1.0);
  }
}

// ---- HF directories ----------------------------------------------------------------------

torch::Tensor tensor_from_view(const format::TensorView& view) {
  std::vector<float> values = format::to_f32(view);
  return torch::from_blob(values.data(), view.shape, torch::kFloat32).clone();
}

namespace {

// LoRA adapter matrices (train/lora.h): "...q_proj.lora_A.weight", "...q_proj.lora_B.weight".
bool is_lora_tensor_name(const std::string& name) {
  return name.find(".lora_A.") != std::string::npos || name.find(".lora_B.") != std::string::npos;
}

void write_hf_files_impl(LlamaForCausalLM& model, const std::string& dir, const std::string& tokenizer_dir) {
  format::ModelConfig config = model->config();
  config.torch_dtype = "float32";
  write_json_file(dir + "/config.json", config.to_hf_json());
  write_json_file(dir + "/generation_config.json", engine::generation_config_json(config));  // greedy in transformers too

  std::vector<torch::Tensor> keep;  // contiguous f32 CPU copies, alive until write()
  format::SafetensorsWriter writer;
  for (auto& item : model->named_parameters()) {
    auto t = item.value().detach().to(torch::kCPU, torch::kFloat32).contiguous();
    keep.push_back(t);
    writer.add(item.key(), format::DType::F32, t.sizes().vec(), t.data_ptr<float>());
  }
  writer.set_metadata("format", "pt");
  writer.write(dir + "/model.safetensors");
  copy_tokenizer_files(tokenizer_dir, dir);
}

}  // namespace

void load_hf_weights(LlamaForCausalLM& model, const std::string& dir) {
  auto weights = format::SafetensorsModel::open_dir(dir);
  auto params = model->named_parameters();
  // A LoRA training checkpoint's base weights alone are not the trained model.
  for (const auto* view : weights.tensors())
    if (is_lora_tensor_name(view->name) && !params.find(view->name))
      fail(dir, ": holds LoRA adapter tensors ('", view->name, "'): it is a LoRA training checkpoint; resume it with "
           "the same LoRA settings, or use the run's adapter or merged model instead");
  torch::NoGradGuard no_grad;
  for (auto& item : params) {
    const std::string& name = item.key();
    const format::TensorView* view = weights.find(name);
    if (!view && is_lora_tensor_name(name))
      fail(dir, ": tensor '", name, "' is missing: this checkpoint holds no LoRA adapter for it (written without "
           "LoRA, or with other LoRA targets); resume with the settings that wrote it");
    if (!view) fail(dir, ": tensor '", name, "' is missing from the safetensors files; is this a LlamaForCausalLM checkpoint?");
    std::vector<int64_t> expected = item.value().sizes().vec();
    if (view->shape != expected) {
      fail(dir, ": tensor '", name, "' has shape ", c10::IntArrayRef(view->shape), " but config.json implies ",
           c10::IntArrayRef(expected), "; the weights do not match config.json");
    }
    item.value().copy_(tensor_from_view(*view));
  }
}

LlamaForCausalLM load_hf_model(const std::string& dir, torch::Device device) {
  auto config = format::ModelConfig::from_hf_dir(dir);
  if (!config.tie_embeddings && !fs::exists(dir + "/model.safetensors") &&
      !fs::exists(dir + "/model.safetensors.index.json"))
    fail(dir, ": no model.safetensors or model.safetensors.index.json; pass an HF model directory");
  LlamaForCausalLM model(config);
  load_hf_weights(model, dir);
  model->to(device);
  return model;
}

void copy_tokenizer_files(const std::string& from_dir, const std::string& to_dir) {
  if (from_dir.empty()) return;
  for (const char* name : {"tokenizer.json", "tokenizer.model", "tokenizer_config.json", "special_tokens_map.json"}) {
    fs::path src = fs::path(from_dir) / name;
    if (fs::exists(src)) fs::copy_file(src, fs::path(to_dir) / name, fs::copy_options::overwrite_existing);
  }
}

void write_hf_files(LlamaForCausalLM& model, const std::string& dir, const std::string& tokenizer_dir) {
  // Unmerged LoRA tensors beside the base weights would read as the base model to any loader
  // that skips unknown names, so a model with adapters is never written as a plain HF model.
  for (auto& item : model->named_parameters())
    if (is_lora_tensor_name(item.key()))
      fail(dir, ": the model has unmerged LoRA adapters; merge_lora before writing it as an HF model, or "
           "save_peft_adapter to write the adapter alone");
  write_hf_files_impl(model, dir, tokenizer_dir);
}

void write_hf_files_with_adapters(LlamaForCausalLM& model, const std::string& dir, const std::string& tokenizer_dir) {
  write_hf_files_impl(model, dir, tokenizer_dir);
}

void save_hf_model(LlamaForCausalLM& model, const std::string& dir, const std::string& tokenizer_dir) {
  AtomicDir out(dir);
  write_hf_files(model, out.temp_path(), tokenizer_dir);
  out.commit();
}

double train_flops_per_token(const format::ModelConfig& c, int64_t seq_len) {
  const double D = static_cast<double>(c.hidden_size), F = static_cast<double>(c.ffn_size);
  const double hd = static_cast<double>(c.head_dim());
  const double per_layer = D * hd * static_cast<double>(c.n_heads) * 2 +   // q, o
                           D * hd * static_cast<double>(c.n_kv_heads) * 2 +  // k, v
                           3 * D * F;                                          // gate, up, down
  const double n = per_layer * static_cast<double>(c.n_layers) + D * static_cast<double>(c.vocab_size);  // + lm_head
  return 6.0 * n + 12.0 * static_cast<double>(c.n_layers) * D * static_cast<double>(seq_len);
}

}  // namespace gemba::train
