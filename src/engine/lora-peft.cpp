#include "engine/lora-peft.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <regex>

#include "core/atomic-output.h"
#include "core/error.h"
#include "core/json.h"
#include "format/safetensors.h"

namespace gemba::engine {

namespace {

// A config flag that must be off (absent, null or false) for plain LoRA.
void require_off(const Json& j, const std::string& key, const std::string& what, const char* why) {
  if (j.contains(key) && !j[key].is_null() && j[key] != false)
    fail(what, ": '", key, "' is ", j[key].dump(), "; gemba reads plain LoRA adapters only (", why, ")");
}

}  // namespace

LoraAdapter read_peft_adapter(const std::string& dir) {
  const std::string config_path = dir + "/adapter_config.json";
  const std::string weights_path = dir + "/adapter_model.safetensors";
  if (!std::filesystem::exists(config_path)) fail(dir, ": no adapter_config.json (not a PEFT adapter directory)");
  if (!std::filesystem::exists(weights_path)) {
    if (std::filesystem::exists(dir + "/adapter_model.bin"))
      fail(dir, ": only adapter_model.bin (a pickle) is present; save the adapter with safe_serialization=True");
    fail(dir, ": no adapter_model.safetensors");
  }
  const Json cfg = read_json_file(config_path);
  const std::string type = json_optional<std::string>(cfg, "peft_type", "LORA", config_path);
  if (type != "LORA") fail(config_path, ": peft_type is '", type, "'; only LORA adapters are supported");
  require_off(cfg, "use_dora", config_path, "DoRA rescales the weight columns");
  require_off(cfg, "use_rslora", config_path, "rsLoRA scales by alpha/sqrt(r)");
  require_off(cfg, "fan_in_fan_out", config_path, "transposed Conv1D weights");
  if (cfg.contains("modules_to_save") && !cfg["modules_to_save"].is_null() && !cfg["modules_to_save"].empty())
    fail(config_path, ": modules_to_save ", cfg["modules_to_save"].dump(),
         " stores fully trained modules, which a LoRA adapter file cannot carry; merge them into the base model instead");
  const std::string bias = json_optional<std::string>(cfg, "bias", "none", config_path);
  if (bias != "none") fail(config_path, ": bias is '", bias, "'; gemba reads adapters with bias \"none\" only (Llama has no biases)");
  if (cfg.contains("alpha_pattern") && cfg["alpha_pattern"].is_object() && !cfg["alpha_pattern"].empty())
    fail(config_path, ": per-module alpha_pattern is not supported; use one lora_alpha");
  const int64_t r = json_require<int64_t>(cfg, "r", config_path);
  if (r <= 0) fail(config_path, ": r must be positive, got ", r);
  const bool has_rank_pattern = cfg.contains("rank_pattern") && cfg["rank_pattern"].is_object() && !cfg["rank_pattern"].empty();

  LoraAdapter adapter;
  adapter.source = dir;
  adapter.alpha = json_optional<float>(cfg, "lora_alpha", static_cast<float>(r), config_path);
  adapter.qk_rows = RopeStyle::kRotateHalf;
  adapter.base_model = json_optional<std::string>(cfg, "base_model_name_or_path", "", config_path);

  const format::SafetensorsFile file = format::SafetensorsFile::open(weights_path);
  static const std::regex kName(
      R"(^(?:base_model\.model\.)?model\.layers\.(\d+)\.(self_attn|mlp)\.(\w+)\.lora_([AB])(?:\.default)?\.weight$)");
  struct Halves {
    const format::TensorView* a = nullptr;
    const format::TensorView* b = nullptr;
  };
  std::map<std::pair<int64_t, int>, Halves> found;
  for (const auto& t : file.tensors()) {
    std::smatch m;
    const auto p = std::regex_match(t.name, m, kName) ? projection_from_hf_module(m[3].str()) : std::nullopt;
    if (!p || m[2].str() != hf_block_name(*p))
      fail(weights_path, ": tensor '", t.name,
           "' is not a LoRA factor of a Llama projection (expected base_model.model.model.layers.N.{self_attn,mlp}."
           "{q,k,v,o,gate,up,down}_proj.lora_{A,B}.weight)");
    if (t.shape.size() != 2) fail(weights_path, ": tensor '", t.name, "' has ", t.shape.size(), " dimensions; expected 2");
    const int64_t layer = std::stoll(m[1].str());
    Halves& h = found[{layer, static_cast<int>(*p)}];
    (m[4] == "A" ? h.a : h.b) = &t;
  }
  for (const auto& [key, h] : found) {
    const format::TensorView* some = h.a ? h.a : h.b;
    if (!h.a || !h.b)
      fail(weights_path, ": tensor '", some->name, "' has no matching lora_", h.a ? "B" : "A", " tensor (the file is incomplete)");
    LoraPair pair;
    pair.layer = key.first;
    pair.projection = static_cast<Projection>(key.second);
    pair.name = h.a->name;
    pair.rank = h.a->shape[0];
    pair.in = h.a->shape[1];
    pair.out = h.b->shape[0];
    if (h.b->shape[1] != pair.rank)
      fail(weights_path, ": '", h.a->name, "' is [", h.a->shape[0], ", ", h.a->shape[1], "] but '", h.b->name, "' is [", h.b->shape[0],
           ", ", h.b->shape[1], "]; lora_B must be [out, r] with lora_A's r");
    if (!has_rank_pattern && pair.rank != r)
      fail(weights_path, ": '", h.a->name, "' has rank ", pair.rank, " but ", config_path, " says r = ", r);
    if (pair.rank <= 0 || pair.in <= 0 || pair.out <= 0) fail(weights_path, ": tensor '", h.a->name, "' has an empty shape");
    try {
      pair.a = format::to_f32(*h.a);
      pair.b = format::to_f32(*h.b);
    } catch (const Error& e) {
      fail(weights_path, ": ", e.what());
    }
    adapter.pairs.push_back(std::move(pair));
  }
  if (adapter.pairs.empty()) fail(weights_path, ": no LoRA tensors found");
  return adapter;
}

void write_peft_adapter(const LoraAdapter& adapter_in, const std::string& dir, int64_t head_dim) {
  const LoraAdapter adapter = with_qk_rows(adapter_in, RopeStyle::kRotateHalf, head_dim);
  int64_t r = adapter.max_rank();
  Json targets = Json::array();
  Json rank_pattern = Json::object();
  for (const auto& p : adapter.pairs) {
    const std::string module = hf_module_name(p.projection);
    if (std::find(targets.begin(), targets.end(), module) == targets.end()) targets.push_back(module);
    if (p.rank != r) rank_pattern["model.layers." + std::to_string(p.layer) + "." + hf_block_name(p.projection) + "." + module] = p.rank;
  }
  const Json config = {{"peft_type", "LORA"},       {"task_type", "CAUSAL_LM"}, {"r", r},
                       {"lora_alpha", adapter.alpha}, {"lora_dropout", 0.0},    {"target_modules", targets},
                       {"bias", "none"},             {"use_dora", false},       {"use_rslora", false},
                       {"fan_in_fan_out", false},    {"rank_pattern", rank_pattern},
                       {"base_model_name_or_path", adapter.base_model}};
  format::SafetensorsWriter writer;
  for (const auto& p : adapter.pairs) {
    const std::string stem = "base_model.model.model.layers." + std::to_string(p.layer) + "." + hf_block_name(p.projection) + "." +
                             hf_module_name(p.projection);
    writer.add(stem + ".lora_A.weight", format::DType::F32, {p.rank, p.in}, p.a.data());
    writer.add(stem + ".lora_B.weight", format::DType::F32, {p.out, p.rank}, p.b.data());
  }
  AtomicDir out(dir);
  write_json_file(out.file("adapter_config.json"), config);
  writer.write(out.file("adapter_model.safetensors"));
  out.commit();
}

}  // namespace gemba::engine
