#include "train/lora.h"

#include <ATen/CPUGeneratorImpl.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <set>

#include "core/error.h"
#include "core/json.h"
#include "format/safetensors.h"

namespace gemba::train {

namespace fs = std::filesystem;

namespace {

// The seven projections LoRA may target, in canonical order.
struct Target {
  const char* short_name;  // "q"
  const char* module;      // "q_proj" (PEFT's target_modules spelling)
  const char* path;        // "self_attn.q_proj" (below model.layers.{i})
};
constexpr Target kTargets[] = {
    {"q", "q_proj", "self_attn.q_proj"},  {"k", "k_proj", "self_attn.k_proj"},
    {"v", "v_proj", "self_attn.v_proj"},  {"o", "o_proj", "self_attn.o_proj"},
    {"gate", "gate_proj", "mlp.gate_proj"}, {"up", "up_proj", "mlp.up_proj"},
    {"down", "down_proj", "mlp.down_proj"},
};

std::string valid_target_names() {
  std::string s;
  for (const auto& t : kTargets) s += std::string(s.empty() ? "" : ",") + t.short_name;
  return s + " (or " + kTargets[0].module + ", ...)";
}

const Target* find_target(const std::string& name) {
  for (const auto& t : kTargets)
    if (name == t.short_name || name == t.module) return &t;
  return nullptr;
}

// Names (short or *_proj) -> targets in canonical order, duplicates dropped.
std::vector<const Target*> resolve_targets(const std::vector<std::string>& names, const std::string& what) {
  std::set<const Target*> chosen;
  for (const auto& name : names) {
    const Target* t = find_target(name);
    if (!t) fail(what, ": unknown LoRA target '", name, "'; valid targets are ", valid_target_names());
    chosen.insert(t);
  }
  if (chosen.empty()) fail(what, ": no LoRA targets given; valid targets are ", valid_target_names());
  std::vector<const Target*> out;
  for (const auto& t : kTargets)
    if (chosen.count(&t)) out.push_back(&t);
  return out;
}

torch::nn::AnyModule& projection_slot(DecoderLayerImpl& layer, const Target& t) {
  const std::string m = t.module;
  auto& a = *layer.self_attn;
  auto& f = *layer.mlp;
  if (m == "q_proj") return a.q_proj;
  if (m == "k_proj") return a.k_proj;
  if (m == "v_proj") return a.v_proj;
  if (m == "o_proj") return a.o_proj;
  if (m == "gate_proj") return f.gate_proj;
  if (m == "up_proj") return f.up_proj;
  return f.down_proj;
}

std::shared_ptr<LoraLinearImpl> adapter_at(LlamaForCausalLM& model, int64_t layer, const Target& t) {
  return std::dynamic_pointer_cast<LoraLinearImpl>(projection_slot(*model->layer(layer), t).ptr());
}

struct Adapter {
  int64_t layer;
  const Target* target;
  std::shared_ptr<LoraLinearImpl> module;
  // HF parameter prefix: "model.layers.{i}.self_attn.q_proj"
  std::string prefix() const { return "model.layers." + std::to_string(layer) + "." + target->path; }
};

// Every LoRA projection of the model, layer by layer, targets in canonical order.
std::vector<Adapter> adapters_of(LlamaForCausalLM& model) {
  std::vector<Adapter> out;
  for (int64_t i = 0; i < model->config().n_layers; ++i)
    for (const auto& t : kTargets)
      if (auto a = adapter_at(model, i, t)) out.push_back({i, &t, a});
  return out;
}

void check_options(const LoraOptions& o, const std::string& what) {
  if (o.rank < 0) fail(what, ": LoRA rank ", o.rank, " must be positive (0 turns LoRA off)");
  if (!(o.alpha > 0) || !std::isfinite(o.alpha)) fail(what, ": LoRA alpha ", o.alpha, " must be a positive number");
  if (!(o.dropout >= 0 && o.dropout < 1)) fail(what, ": LoRA dropout ", o.dropout, " must be in [0, 1)");
}

std::vector<std::string> short_names(const std::vector<const Target*>& targets) {
  std::vector<std::string> out;
  for (const auto* t : targets) out.push_back(t->short_name);
  return out;
}

// A Linear that holds exactly `weight` ([out, in]), made without touching the global RNG (a
// fresh Linear draws its own init first).
torch::nn::Linear plain_linear(const torch::Tensor& weight) {
  at::Generator global = at::detail::getDefaultCPUGenerator();
  torch::Tensor rng_state;
  {
    std::lock_guard<std::mutex> lock(global.mutex());
    rng_state = global.get_state();
  }
  torch::nn::Linear linear(torch::nn::LinearOptions(weight.size(1), weight.size(0)).bias(false));
  {
    std::lock_guard<std::mutex> lock(global.mutex());
    global.set_state(rng_state);
  }
  linear->to(weight.device());
  torch::NoGradGuard no_grad;
  linear->weight.copy_(weight);
  linear->weight.requires_grad_(false);
  return linear;
}

// PEFT stores numbers like lora_alpha as ints when they are whole (LoraConfig types them int).
Json number_json(double v) {
  if (v == std::floor(v) && std::fabs(v) < 1e15) return static_cast<int64_t>(v);
  return v;
}

}  // namespace

std::vector<std::string> parse_lora_targets(const std::string& csv) {
  std::vector<std::string> names;
  size_t start = 0;
  while (start <= csv.size()) {
    size_t end = csv.find(',', start);
    if (end == std::string::npos) end = csv.size();
    std::string name = csv.substr(start, end - start);
    name.erase(0, name.find_first_not_of(" \t"));
    name.erase(name.find_last_not_of(" \t") + 1);
    if (!name.empty()) names.push_back(name);
    start = end + 1;
  }
  return short_names(resolve_targets(names, "--lora-targets '" + csv + "'"));
}

// ---- the LoRA linear ---------------------------------------------------------------------

LoraLinearImpl::LoraLinearImpl(torch::Tensor base_weight, int64_t rank_, double alpha_, double dropout_,
                               at::Generator& generator)
    : rank(rank_), alpha(alpha_), dropout(dropout_) {
  GEMBA_ASSERT(base_weight.dim() == 2 && rank > 0, "LoRA needs a 2-D weight and a positive rank");
  const int64_t out = base_weight.size(0), in = base_weight.size(1);
  weight = register_parameter("weight", base_weight, /*requires_grad=*/false);

  // PEFT's A init: kaiming_uniform(a=√5) on [r, in]: gain √(2/(1+5)), bound gain·√(3/in) = 1/√in.
  const double bound = 1.0 / std::sqrt(static_cast<double>(in));
  torch::Tensor a = torch::empty({rank, in}, torch::kFloat32);
  a.uniform_(-bound, bound, generator);
  auto options = base_weight.options();
  // Each matrix lives in its own child module so its name ends in ".weight", as PEFT's does.
  auto a_holder = register_module("lora_A", std::make_shared<torch::nn::Module>("LoraA"));
  auto b_holder = register_module("lora_B", std::make_shared<torch::nn::Module>("LoraB"));
  lora_A = a_holder->register_parameter("weight", a.to(options));                // [r, in]
  lora_B = b_holder->register_parameter("weight", torch::zeros({out, rank}, options));  // [out, r]
}

torch::Tensor LoraLinearImpl::forward(const torch::Tensor& x) {
  namespace F = torch::nn::functional;
  auto base = F::linear(x, weight);  // [..., out]
  if (!active) return base;
  auto h = dropout > 0 ? F::dropout(x, F::DropoutFuncOptions().p(dropout).training(is_training())) : x;
  auto delta = F::linear(F::linear(h, lora_A), lora_B);  // [..., r] -> [..., out]
  return base + delta * scale();
}

torch::Tensor LoraLinearImpl::merged_weight() const {
  torch::NoGradGuard no_grad;
  return weight + torch::matmul(lora_B, lora_A) * scale();  // [out, in]
}

// ---- applying, inspecting, merging ---------------------------------------------------------

void apply_lora(LlamaForCausalLM& model, const LoraOptions& options, uint64_t seed) {
  check_options(options, "apply_lora");
  if (!options.enabled()) return;
  auto targets = resolve_targets(options.targets, "apply_lora");
  if (has_lora(model)) fail("apply_lora: the model already has LoRA adapters; merge_lora first to stack another");

  for (auto& p : model->parameters()) p.requires_grad_(false);  // everything of the base model
  at::Generator generator = at::make_generator<at::CPUGeneratorImpl>(seed);
  for (int64_t i = 0; i < model->config().n_layers; ++i) {
    for (const Target* t : targets) {
      auto linear = std::dynamic_pointer_cast<torch::nn::LinearImpl>(projection_slot(*model->layer(i), *t).ptr());
      GEMBA_ASSERT(linear && !linear->options.bias(), "layer ", i, " ", t->path, " is not a bias-free Linear");
      LoraLinear lora(linear->weight, options.rank, options.alpha, options.dropout, generator);
      lora->train(model->is_training());
      model->replace_projection(i, t->path, torch::nn::AnyModule(lora));
    }
  }
}

bool has_lora(LlamaForCausalLM& model) { return !adapters_of(model).empty(); }

LoraOptions lora_options_of(LlamaForCausalLM& model) {
  LoraOptions o;
  o.targets.clear();
  auto adapters = adapters_of(model);
  if (adapters.empty()) return o;
  o.rank = adapters.front().module->rank;
  o.alpha = adapters.front().module->alpha;
  o.dropout = adapters.front().module->dropout;
  for (const auto& t : kTargets)
    if (adapter_at(model, 0, t)) o.targets.push_back(t.short_name);
  return o;
}

LoraDisabled::LoraDisabled(LlamaForCausalLM& model) {
  for (const auto& a : adapters_of(model)) {
    previous_.emplace_back(a.module, a.module->active);
    a.module->active = false;
  }
}

LoraDisabled::~LoraDisabled() {
  for (auto& [module, was_active] : previous_) module->active = was_active;
}

void merge_lora(LlamaForCausalLM& model) {
  for (const auto& a : adapters_of(model))
    model->replace_projection(a.layer, a.target->path, torch::nn::AnyModule(plain_linear(a.module->merged_weight())));
}

// ---- PEFT directories ----------------------------------------------------------------------

namespace {

constexpr const char* kAdapterConfig = "adapter_config.json";
constexpr const char* kAdapterWeights = "adapter_model.safetensors";
constexpr const char* kPeftPrefix = "base_model.model.";  // PeftModel wraps the CausalLM twice

bool same_number(double a, double b) { return std::fabs(a - b) <= 1e-9 * std::max(1.0, std::fabs(b)); }

// A PEFT option this loader does not implement must be absent or at its default.
void require_default(const Json& config, const std::string& key, const std::string& what) {
  auto it = config.find(key);
  if (it == config.end() || it->is_null() || *it == false || (it->is_object() && it->empty()) ||
      (it->is_array() && it->empty()))
    return;
  fail(what, ": '", key, "' is ", it->dump(), "; gemba's LoRA supports only plain adapters without it");
}

}  // namespace

void save_peft_adapter(LlamaForCausalLM& model, const LoraOptions& options, const std::string& dir,
                       const std::string& base_model) {
  const LoraOptions actual = lora_options_of(model);
  if (!actual.enabled()) fail("save_peft_adapter ", dir, ": the model has no LoRA adapters (apply_lora first)");
  const auto wanted = short_names(resolve_targets(options.targets, "save_peft_adapter"));
  if (options.rank != actual.rank || !same_number(options.alpha, actual.alpha) ||
      !same_number(options.dropout, actual.dropout) || wanted != actual.targets)
    fail("save_peft_adapter ", dir, ": options (rank ", options.rank, ", alpha ", options.alpha, ", dropout ",
         options.dropout, ") do not describe the model's adapters (rank ", actual.rank, ", alpha ", actual.alpha,
         ", dropout ", actual.dropout, ")");

  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) fail(dir, ": cannot create the adapter directory (", ec.message(), ")");

  std::vector<torch::Tensor> keep;  // contiguous f32 CPU copies, alive until write()
  format::SafetensorsWriter writer;
  for (const auto& a : adapters_of(model)) {
    for (const auto& [name, tensor] : {std::pair{"lora_A", a.module->lora_A}, std::pair{"lora_B", a.module->lora_B}}) {
      auto t = tensor.detach().to(torch::kCPU, torch::kFloat32).contiguous();
      keep.push_back(t);
      writer.add(kPeftPrefix + a.prefix() + "." + name + ".weight", format::DType::F32, t.sizes().vec(),
                 t.data_ptr<float>());
    }
  }
  writer.set_metadata("format", "pt");
  writer.write(dir + "/" + kAdapterWeights);

  Json modules = Json::array();
  for (const auto& name : actual.targets) modules.push_back(find_target(name)->module);
  Json config = {
      {"peft_type", "LORA"},
      {"task_type", "CAUSAL_LM"},
      {"base_model_name_or_path", base_model},
      {"r", actual.rank},
      {"lora_alpha", number_json(actual.alpha)},
      {"lora_dropout", actual.dropout},
      {"target_modules", modules},
      {"bias", "none"},
      {"fan_in_fan_out", false},
      {"inference_mode", true},
      {"init_lora_weights", true},
      {"use_rslora", false},
      {"use_dora", false},
      {"modules_to_save", nullptr},
      {"layers_to_transform", nullptr},
      {"layers_pattern", nullptr},
      {"rank_pattern", Json::object()},
      {"alpha_pattern", Json::object()},
      {"revision", nullptr},
  };
  write_json_file(dir + "/" + kAdapterConfig, config);
}

void load_peft_adapter(LlamaForCausalLM& model, const std::string& dir) {
  const std::string config_path = dir + "/" + kAdapterConfig;
  if (!fs::exists(config_path)) fail(dir, ": no ", kAdapterConfig, "; pass a PEFT LoRA adapter directory");
  const Json config = read_json_file(config_path);
  const auto peft_type = json_require<std::string>(config, "peft_type", config_path);
  if (peft_type != "LORA") fail(config_path, ": peft_type is '", peft_type, "'; only LORA adapters load here");
  for (const char* key : {"use_rslora", "use_dora", "fan_in_fan_out", "modules_to_save", "layers_to_transform",
                          "rank_pattern", "alpha_pattern"})
    require_default(config, key, config_path);
  const auto bias = json_optional<std::string>(config, "bias", "none", config_path);
  if (bias != "none") fail(config_path, ": bias is '", bias, "'; only bias \"none\" adapters are supported");

  const auto rank = json_require<int64_t>(config, "r", config_path);
  const auto alpha = json_require<double>(config, "lora_alpha", config_path);
  const auto dropout = json_optional<double>(config, "lora_dropout", 0.0, config_path);
  LoraOptions file_options{rank, alpha, dropout, {}};
  auto modules = config.find("target_modules");
  if (modules == config.end() || !modules->is_array())
    fail(config_path, ": target_modules must be a list of module names (", valid_target_names(), ")");
  for (const auto& m : *modules) {
    if (!m.is_string()) fail(config_path, ": target_modules holds ", m.dump(), ", not a module name");
    file_options.targets.push_back(m.get<std::string>());
  }
  check_options(file_options, config_path);
  if (!file_options.enabled()) fail(config_path, ": r must be positive");
  const auto file_targets = short_names(resolve_targets(file_options.targets, config_path));

  const LoraOptions model_options = lora_options_of(model);
  if (!model_options.enabled())
    fail("load_peft_adapter ", dir, ": the model has no LoRA adapters; apply_lora with r ", rank, " first");
  if (model_options.rank != rank || model_options.targets != file_targets)
    fail(config_path, ": adapter has r ", rank, " on ", modules->dump(), " but the model's LoRA has r ",
         model_options.rank, " on ", Json(model_options.targets).dump(), "; apply_lora with the adapter's settings");

  const std::string weights_path = dir + "/" + kAdapterWeights;
  if (!fs::exists(weights_path))
    fail(dir, ": no ", kAdapterWeights, fs::exists(dir + "/adapter_model.bin") ? " (adapter_model.bin is not read; save it as safetensors)" : "");
  auto file = format::SafetensorsFile::open(weights_path);
  std::set<std::string> used;
  torch::NoGradGuard no_grad;
  for (const auto& a : adapters_of(model)) {
    for (const auto& [name, param] : {std::pair{"lora_A", a.module->lora_A}, std::pair{"lora_B", a.module->lora_B}}) {
      // PEFT writes "base_model.model.model.layers..."; some tools drop the PeftModel prefix.
      std::string key = a.prefix() + "." + name + ".weight";
      const format::TensorView* view = file.find(kPeftPrefix + key);
      if (view) key = kPeftPrefix + key;
      else view = file.find(key);
      if (!view) fail(weights_path, ": tensor '", kPeftPrefix, key, "' is missing; was the adapter trained for this model?");
      if (view->shape != param.sizes().vec())
        fail(weights_path, ": tensor '", key, "' has shape ", c10::IntArrayRef(view->shape), " but the model needs ",
             param.sizes(), "; the adapter was trained for a different base model");
      param.copy_(tensor_from_view(*view));
      used.insert(key);
    }
    a.module->alpha = alpha;
    a.module->dropout = dropout;
  }
  for (const auto& t : file.tensors())
    if (!used.count(t.name))
      fail(weights_path, ": unexpected tensor '", t.name, "'; only lora_A/lora_B of the ", Json(file_targets).dump(),
           " projections of this model's layers are supported");
}

}  // namespace gemba::train
