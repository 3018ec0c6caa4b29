#include "engine/lora-merge.h"

#include <array>
#include <filesystem>
#include <memory>
#include <regex>

#include "core/atomic-output.h"
#include "core/error.h"
#include "core/log.h"
#include "core/thread-pool.h"
#include "engine/float-convert.h"
#include "engine/row-codec.h"
#include "engine/serving-defaults.h"
#include "format/gguf.h"
#include "format/safetensors.h"

namespace gemba::engine {

namespace {

namespace fs = std::filesystem;
using format::GgmlType;

struct Term {
  const LoraPair* pair;
  float scale;  // user scale * alpha / r
};

// The adapters' pairs per (layer, projection), in the base model's q/k row order.
class MergePlan {
 public:
  MergePlan(const std::vector<ScaledLora>& adapters, const format::ModelConfig& config, RopeStyle order, const std::string& base)
      : terms_(static_cast<size_t>(config.n_layers)) {
    for (const auto& a : adapters) {
      validate_lora_for_model(a.adapter, config, base);
      owned_.push_back(std::make_unique<LoraAdapter>(with_qk_rows(a.adapter, order, config.head_dim())));
      for (const LoraPair& p : owned_.back()->pairs)
        terms_[static_cast<size_t>(p.layer)][static_cast<size_t>(p.projection)].push_back({&p, a.scale * a.adapter.pair_scale(p)});
    }
  }
  const std::vector<Term>* terms(int64_t layer, Projection p) const {
    if (layer < 0 || layer >= static_cast<int64_t>(terms_.size())) return nullptr;
    const auto& t = terms_[static_cast<size_t>(layer)][static_cast<size_t>(p)];
    return t.empty() ? nullptr : &t;
  }
  size_t n_merged = 0;

 private:
  std::vector<std::unique_ptr<LoraAdapter>> owned_;
  std::vector<std::array<std::vector<Term>, 7>> terms_;
};

// row [in] of W += sum_terms scale * sum_k B[o, k] A[k, :]
void add_delta_row(const std::vector<Term>& terms, int64_t o, float* row, int64_t in) {
  for (const Term& t : terms) {
    const LoraPair& p = *t.pair;
    for (int64_t k = 0; k < p.rank; ++k) {
      const float c = t.scale * p.b[static_cast<size_t>(o * p.rank + k)];
      const float* a = p.a.data() + k * in;
      for (int64_t i = 0; i < in; ++i) row[i] += c * a[i];
    }
  }
}

void merge_hf(const std::string& base, const std::vector<ScaledLora>& adapters, const std::string& out, ThreadPool& pool) {
  const format::ModelConfig config = format::ModelConfig::from_hf_dir(base);
  config.validate(base + "/config.json");
  MergePlan plan(adapters, config, RopeStyle::kRotateHalf, base);
  const format::SafetensorsModel model = format::SafetensorsModel::open_dir(base);
  static const std::regex kName(R"(^model\.layers\.(\d+)\.(self_attn|mlp)\.(\w+)\.weight$)");

  format::SafetensorsWriter writer;
  writer.set_metadata("format", "pt");
  for (const format::TensorView* t : model.tensors()) {
    std::smatch m;
    const std::vector<Term>* terms = nullptr;
    if (std::regex_match(t->name, m, kName))
      if (const auto p = projection_from_hf_module(m[3].str()); p && m[2].str() == hf_block_name(*p))
        terms = plan.terms(std::stoll(m[1].str()), *p);
    if (!terms) {
      writer.add(t->name, t->dtype, t->shape, t->data);
      continue;
    }
    FloatKind kind;
    switch (t->dtype) {
      case format::DType::F32: kind = FloatKind::kF32; break;
      case format::DType::F16: kind = FloatKind::kF16; break;
      case format::DType::BF16: kind = FloatKind::kBF16; break;
      default: fail(base, ": tensor '", t->name, "' has dtype ", format::dtype_name(t->dtype), "; merging needs F32, F16 or BF16");
    }
    const GgmlType out_type = kind == FloatKind::kF32 ? GgmlType::F32 : kind == FloatKind::kF16 ? GgmlType::F16 : GgmlType::BF16;
    if (t->shape.size() != 2) fail(base, ": tensor '", t->name, "' is not a matrix");
    const int64_t rows = t->shape[0], cols = t->shape[1];
    const size_t row_bytes = static_cast<size_t>(cols) * format::dtype_bytes(t->dtype);
    if (t->n_bytes != row_bytes * static_cast<uint64_t>(rows))
      fail(base, ": tensor '", t->name, "' does not hold a [", rows, ", ", cols, "] matrix");
    const uint8_t* src = t->data;
    writer.add(t->name, t->dtype, t->shape, [=, &pool](uint8_t* dst) {
      pool.parallel_for(static_cast<size_t>(rows), [&](size_t begin, size_t end, int) {
        std::vector<float> row(static_cast<size_t>(cols));
        for (size_t r = begin; r < end; ++r) {
          float_row_to_f32(kind, src + r * row_bytes, row.data(), cols);
          add_delta_row(*terms, static_cast<int64_t>(r), row.data(), cols);
          encode_row(out_type, row.data(), dst + r * row_bytes, cols);
        }
      });
    });
    ++plan.n_merged;
  }
  if (plan.n_merged == 0) fail(base, ": no projection of the base model matched the adapters' tensors");

  AtomicDir dir(out);
  for (const auto& entry : fs::directory_iterator(base)) {
    const std::string name = entry.path().filename().string();
    if (!entry.is_regular_file() || entry.path().extension() == ".safetensors" || name == "model.safetensors.index.json") continue;
    fs::copy_file(entry.path(), dir.file(name));
  }
  writer.write(dir.file("model.safetensors"));
  if (!fs::exists(fs::path(base) / "generation_config.json"))
    write_json_file(dir.file("generation_config.json"), generation_config_json(config));
  dir.commit();
  log_info("wrote ", out, " (", plan.n_merged, " projections merged)");
}

void merge_gguf(const std::string& base, const std::vector<ScaledLora>& adapters, const std::string& out, ThreadPool& pool) {
  const format::GgufFile file = format::GgufFile::open(base);
  const format::ModelConfig config = format::ModelConfig::from_gguf(file);
  MergePlan plan(adapters, config, RopeStyle::kAdjacentPairs, base);
  static const std::regex kName(R"(^blk\.(\d+)\.(\w+)\.weight$)");

  format::GgufWriter writer(file.alignment());
  for (const auto& [k, v] : file.metadata()) writer.set(k, v);
  add_missing_serving_metadata(writer, file);
  for (const auto& t : file.tensors()) {
    std::smatch m;
    const std::vector<Term>* terms = nullptr;
    if (std::regex_match(t.name, m, kName))
      if (const auto p = projection_from_gguf_stem(m[2].str())) terms = plan.terms(std::stoll(m[1].str()), *p);
    if (!terms) {
      writer.add_tensor(t.name, t.dims, t.type, t.data, t.n_bytes);
      continue;
    }
    switch (t.type) {
      case GgmlType::F32: case GgmlType::F16: case GgmlType::BF16: break;
      case GgmlType::Q8_0: case GgmlType::Q4_0:
        log_warn(base, ": tensor '", t.name, "' is ", format::ggml_type_name(t.type),
                 "; it is dequantized, merged and quantized again (merge into an f16/f32 model for exact results)");
        break;
      default:
        fail(base, ": tensor '", t.name, "' has type ", format::ggml_type_name(t.type),
             "; merging needs f32, f16, bf16, q8_0 or q4_0 weights");
    }
    if (t.dims.size() != 2) fail(base, ": tensor '", t.name, "' is not a matrix");
    const int64_t cols = static_cast<int64_t>(t.dims[0]), rows = static_cast<int64_t>(t.dims[1]);
    const uint64_t row_bytes = format::ggml_row_bytes(t.type, t.dims[0]);
    const uint8_t* src = t.data;
    const GgmlType type = t.type;
    writer.add_tensor(t.name, t.dims, t.type, t.n_bytes, [=, &pool](uint8_t* dst) {
      pool.parallel_for(static_cast<size_t>(rows), [&](size_t begin, size_t end, int) {
        std::vector<float> row(static_cast<size_t>(cols));
        for (size_t r = begin; r < end; ++r) {
          decode_row(type, src + r * row_bytes, row.data(), cols);
          add_delta_row(*terms, static_cast<int64_t>(r), row.data(), cols);
          encode_row(type, row.data(), dst + r * row_bytes, cols);
        }
      });
    });
    ++plan.n_merged;
  }
  if (plan.n_merged == 0) fail(base, ": no projection of the base model matched the adapters' tensors");
  writer.write(out);
  log_info("wrote ", out, " (", plan.n_merged, " projections merged)");
}

}  // namespace

void merge_lora(const std::string& base, const std::vector<ScaledLora>& adapters, const std::string& out, int n_threads) {
  if (adapters.empty()) fail("merge: no adapter given");
  ThreadPool pool(n_threads > 0 ? n_threads : ThreadPool::hardware_threads());
  if (fs::is_directory(base)) {
    if (fs::exists(out) && !fs::is_directory(out)) fail(out, ": exists and is not a directory (an HF base merges into a directory)");
    merge_hf(base, adapters, out, pool);
  } else if (fs::exists(base)) {
    merge_gguf(base, adapters, out, pool);
  } else {
    fail(base, ": no such base model (an HF directory or a GGUF file)");
  }
}

}  // namespace gemba::engine
