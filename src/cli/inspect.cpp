// gemba inspect: what is inside a model file (GGUF, .safetensors) or a Hugging Face model
// directory: metadata, tensors (type, shape, bytes), totals, and the model config.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>

#include "cli/verb.h"
#include "core/error.h"
#include "core/json.h"
#include "format/gguf.h"
#include "format/model-config.h"
#include "format/safetensors.h"

namespace {

namespace fs = std::filesystem;
using gemba::Json;
using namespace gemba::format;

struct InspectArgs {
  std::string path;
  bool json = false;
  size_t max_array = 8;
};

struct Row {
  std::string name, type, shape;
  uint64_t elements = 0, bytes = 0;
};

std::string join_dims(const auto& dims) {
  std::string s = "[";
  for (size_t k = 0; k < dims.size(); ++k) {
    if (k) s += ", ";
    s += std::to_string(dims[k]);
  }
  return s + "]";
}

std::string human_bytes(uint64_t n) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  double v = static_cast<double>(n);
  int u = 0;
  while (v >= 1024 && u < 4) {
    v /= 1024;
    ++u;
  }
  char buf[32];
  std::snprintf(buf, sizeof(buf), u ? "%.2f %s" : "%.0f %s", v, units[u]);
  return buf;
}

std::string human_count(uint64_t n) {
  char buf[32];
  if (n >= 1000000000ull) std::snprintf(buf, sizeof(buf), "%.3gB", n / 1e9);
  else if (n >= 1000000ull) std::snprintf(buf, sizeof(buf), "%.3gM", n / 1e6);
  else if (n >= 1000ull) std::snprintf(buf, sizeof(buf), "%.3gK", n / 1e3);
  else std::snprintf(buf, sizeof(buf), "%llu", static_cast<unsigned long long>(n));
  return buf;
}

void print_rows(const std::vector<Row>& rows) {
  size_t wn = 4, wt = 4, ws = 5;
  for (const auto& r : rows) {
    wn = std::max(wn, r.name.size());
    wt = std::max(wt, r.type.size());
    ws = std::max(ws, r.shape.size());
  }
  uint64_t elements = 0, bytes = 0;
  std::printf("tensors (%zu):\n", rows.size());
  std::printf("  %-*s  %-*s  %-*s  %14s\n", int(wn), "name", int(wt), "type", int(ws), "shape", "bytes");
  for (const auto& r : rows) {
    std::printf("  %-*s  %-*s  %-*s  %14llu\n", int(wn), r.name.c_str(), int(wt), r.type.c_str(), int(ws),
                r.shape.c_str(), static_cast<unsigned long long>(r.bytes));
    elements += r.elements;
    bytes += r.bytes;
  }
  std::printf("total: %zu tensors, %llu elements (%s), %llu bytes (%s)\n", rows.size(),
              static_cast<unsigned long long>(elements), human_count(elements).c_str(),
              static_cast<unsigned long long>(bytes), human_bytes(bytes).c_str());
}

Json rows_json(const std::vector<Row>& rows, Json extra_per_row = Json::array()) {
  Json out = Json::array();
  for (size_t k = 0; k < rows.size(); ++k) {
    Json t = {{"name", rows[k].name}, {"type", rows[k].type}, {"elements", rows[k].elements}, {"bytes", rows[k].bytes}};
    if (k < extra_per_row.size()) t.update(extra_per_row[k]);
    out.push_back(std::move(t));
  }
  return out;
}

Json totals_json(const std::vector<Row>& rows) {
  uint64_t elements = 0, bytes = 0;
  for (const auto& r : rows) {
    elements += r.elements;
    bytes += r.bytes;
  }
  return {{"tensors", rows.size()}, {"elements", elements}, {"bytes", bytes}};
}

void print_config(const ModelConfig& c) {
  std::printf("model config: vocab %lld, hidden %lld, layers %lld, heads %lld, kv heads %lld, head dim %lld, ffn %lld,\n"
              "  context %lld, rope theta %g, rms eps %g, %s embeddings, bos %lld eos %lld pad %lld, dtype %s\n",
              (long long)c.vocab_size, (long long)c.hidden_size, (long long)c.n_layers, (long long)c.n_heads,
              (long long)c.n_kv_heads, (long long)c.head_dim(), (long long)c.ffn_size, (long long)c.max_position,
              c.rope_theta, c.rms_eps, c.tie_embeddings ? "tied" : "untied", (long long)c.bos_id,
              (long long)c.eos_id, (long long)c.pad_id, c.torch_dtype.c_str());
  std::printf("parameters (from the config): %llu (%s)\n", static_cast<unsigned long long>(c.n_params()),
              human_count(c.n_params()).c_str());
}

Json config_json(const ModelConfig& c) {
  Json j = c.to_hf_json();
  j["n_params"] = c.n_params();
  return j;
}

Json value_json(const GgufValue& v, size_t max_array) {
  auto scalar = [](const GgufValue& s) -> Json {
    switch (s.type) {
      case GgufValueType::UINT8: case GgufValueType::UINT16: case GgufValueType::UINT32: case GgufValueType::UINT64:
        return s.u;
      case GgufValueType::INT8: case GgufValueType::INT16: case GgufValueType::INT32: case GgufValueType::INT64:
        return s.i;
      case GgufValueType::FLOAT32: case GgufValueType::FLOAT64: return s.f;
      case GgufValueType::BOOL: return s.u != 0;
      case GgufValueType::STRING: return s.s;
      default: return nullptr;
    }
  };
  if (v.type != GgufValueType::ARRAY) return {{"type", gguf_value_type_name(v.type)}, {"value", scalar(v)}};
  Json values = Json::array();
  for (size_t k = 0; k < v.array.size() && (max_array == 0 || k < max_array); ++k) values.push_back(scalar(v.array[k]));
  return {{"type", "array"}, {"element_type", gguf_value_type_name(v.array_type)}, {"length", v.array.size()},
          {"values", values}};
}

int inspect_gguf(const InspectArgs& a) {
  GgufFile f = GgufFile::open(a.path);
  std::vector<Row> rows;
  Json offsets = Json::array();
  for (const auto& t : f.tensors()) {
    rows.push_back({t.name, ggml_type_name(t.type), join_dims(t.dims), t.n_elements(), t.n_bytes});
    offsets.push_back({{"dims", t.dims}, {"offset", t.offset}});
  }
  std::unique_ptr<ModelConfig> config;
  std::string config_error;
  if (f.get_string("general.architecture", "") == "llama") {
    try {
      config = std::make_unique<ModelConfig>(ModelConfig::from_gguf(f));
    } catch (const gemba::Error& e) {
      config_error = e.what();
    }
  }
  if (a.json) {
    Json meta = Json::object();
    for (const auto& [k, v] : f.metadata()) meta[k] = value_json(v, a.max_array);
    Json doc = {{"path", a.path}, {"format", "gguf"}, {"version", f.version()}, {"alignment", f.alignment()},
                {"data_offset", f.data_offset()}, {"file_size", f.file_size()}, {"metadata", meta},
                {"tensors", rows_json(rows, offsets)}, {"totals", totals_json(rows)}};
    if (config) doc["config"] = config_json(*config);
    if (!config_error.empty()) doc["config_error"] = config_error;
    std::printf("%s\n", doc.dump(2, ' ', false, Json::error_handler_t::replace).c_str());
    return 0;
  }
  std::printf("%s: GGUF v%u, %s, alignment %llu, data at byte %llu\n", a.path.c_str(), f.version(),
              human_bytes(f.file_size()).c_str(), static_cast<unsigned long long>(f.alignment()),
              static_cast<unsigned long long>(f.data_offset()));
  std::printf("metadata (%zu keys):\n", f.metadata().size());
  for (const auto& [k, v] : f.metadata())
    std::printf("  %s = %s  (%s)\n", k.c_str(), v.to_display(a.max_array == 0 ? SIZE_MAX : a.max_array).c_str(),
                gguf_value_type_name(v.type).c_str());
  std::printf("tensor dims are listed fastest-varying first, as GGUF stores them\n");
  print_rows(rows);
  if (config) print_config(*config);
  if (!config_error.empty()) std::printf("model config: incomplete (%s)\n", config_error.c_str());
  return 0;
}

std::vector<Row> safetensors_rows(const std::vector<const TensorView*>& tensors) {
  std::vector<Row> rows;
  for (const TensorView* t : tensors)
    rows.push_back({t->name, dtype_name(t->dtype), join_dims(t->shape), static_cast<uint64_t>(t->n_elements()), t->n_bytes});
  return rows;
}

int inspect_safetensors(const InspectArgs& a) {
  SafetensorsFile f = SafetensorsFile::open(a.path);
  std::vector<const TensorView*> views;
  for (const auto& t : f.tensors()) views.push_back(&t);
  std::vector<Row> rows = safetensors_rows(views);
  if (a.json) {
    Json doc = {{"path", a.path}, {"format", "safetensors"}, {"metadata", f.metadata()},
                {"tensors", rows_json(rows)}, {"totals", totals_json(rows)}};
    std::printf("%s\n", doc.dump(2, ' ', false, Json::error_handler_t::replace).c_str());
    return 0;
  }
  std::printf("%s: safetensors\n", a.path.c_str());
  std::printf("metadata (%zu keys):\n", f.metadata().size());
  for (const auto& [k, v] : f.metadata()) std::printf("  %s = %s\n", k.c_str(), v.c_str());
  print_rows(rows);
  return 0;
}

int inspect_hf_dir(const InspectArgs& a) {
  ModelConfig config = ModelConfig::from_hf_dir(a.path);
  SafetensorsModel model = SafetensorsModel::open_dir(a.path);
  std::vector<Row> rows = safetensors_rows(model.tensors());
  uint64_t elements = 0;
  for (const auto& r : rows) elements += r.elements;
  std::vector<std::string> files;
  for (const char* name : {"config.json", "tokenizer.json", "tokenizer.model", "tokenizer_config.json",
                           "generation_config.json", "model.safetensors", "model.safetensors.index.json"})
    if (fs::exists(fs::path(a.path) / name)) files.push_back(name);
  if (a.json) {
    Json doc = {{"path", a.path}, {"format", "hf-dir"}, {"files", files}, {"config", config_json(config)},
                {"tensors", rows_json(rows)}, {"totals", totals_json(rows)}};
    std::printf("%s\n", doc.dump(2, ' ', false, Json::error_handler_t::replace).c_str());
    return 0;
  }
  std::printf("%s: Hugging Face model directory\n", a.path.c_str());
  std::printf("files:");
  for (const auto& f : files) std::printf(" %s", f.c_str());
  std::printf("\n");
  print_config(config);
  print_rows(rows);
  if (elements != config.n_params())
    std::printf("note: the tensors hold %llu elements, the config implies %llu parameters\n",
                static_cast<unsigned long long>(elements), static_cast<unsigned long long>(config.n_params()));
  return 0;
}

bool starts_with_gguf_magic(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  char magic[4] = {};
  in.read(magic, 4);
  return in.gcount() == 4 && std::string(magic, 4) == "GGUF";
}

int run_inspect(const InspectArgs& a) {
  std::error_code ec;
  if (!fs::exists(a.path, ec)) gemba::fail(a.path, ": no such file or directory");
  if (fs::is_directory(a.path, ec)) return inspect_hf_dir(a);
  if (starts_with_gguf_magic(a.path)) return inspect_gguf(a);
  if (fs::path(a.path).extension() == ".gguf") return inspect_gguf(a);  // reports the bad magic
  return inspect_safetensors(a);
}

gemba::cli::VerbRegistration inspect_registration{
    "inspect", "Show a model file's metadata and tensors (GGUF, .safetensors, or HF model directory)",
    [](CLI::App& app) {
      auto args = std::make_shared<InspectArgs>();
      app.add_option("file", args->path, "GGUF file, .safetensors file, or Hugging Face model directory")->required();
      app.add_flag("--json", args->json, "Print one JSON document instead of text");
      app.add_option("--max-array", args->max_array, "Array elements shown per metadata key (0: all)")
          ->capture_default_str();
      return [args] { return run_inspect(*args); };
    }};

}  // namespace
