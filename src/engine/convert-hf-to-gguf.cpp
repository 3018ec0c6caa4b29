#include "engine/convert-hf-to-gguf.h"

#include <filesystem>
#include <vector>

#include "core/error.h"
#include "core/log.h"
#include "core/thread-pool.h"
#include "engine/float-convert.h"
#include "engine/gguf-layout.h"
#include "engine/rope.h"
#include "engine/serving-defaults.h"
#include "engine/row-codec.h"
#include "format/model-config.h"
#include "format/safetensors.h"
#include "tokenizer/tokenizer.h"

namespace gemba::engine {

namespace {

FloatKind float_kind_of(const format::TensorView& t, const std::string& dir) {
  switch (t.dtype) {
    case format::DType::F32: return FloatKind::kF32;
    case format::DType::F16: return FloatKind::kF16;
    case format::DType::BF16: return FloatKind::kBF16;
    default:
      fail(dir, ": tensor '", t.name, "' has dtype ", format::dtype_name(t.dtype),
           "; only F32, F16 and BF16 weights can be converted");
  }
}

}  // namespace

void convert_hf_to_gguf(const std::string& hf_dir, const std::string& out_path, GgmlType type, int n_threads) {
  require_writable_type(type, out_path);
  const format::ModelConfig config = format::ModelConfig::from_hf_dir(hf_dir);
  config.validate(hf_dir + "/config.json");
  const format::SafetensorsModel model = format::SafetensorsModel::open_dir(hf_dir);
  const tokenizer::Tokenizer tok = tokenizer::Tokenizer::load(hf_dir);
  const int64_t head_dim = config.head_dim();

  format::GgufWriter writer;
  config.to_gguf(writer);
  writer.set_string("general.name", std::filesystem::path(hf_dir).filename().string());
  writer.set_u32("general.file_type", gguf_file_type(type));
  tok.to_gguf(writer, config.vocab_size);
  write_serving_metadata(writer, chat_template_of_hf_dir(hf_dir));

  ThreadPool pool(n_threads > 0 ? n_threads : ThreadPool::hardware_threads());
  int n_written = 0;
  for (const format::TensorView* t : model.tensors()) {
    const std::string name = gguf_name_for_hf(t->name);
    if (name.empty()) {
      log_warn(hf_dir, ": skipping tensor '", t->name, "' (not a Llama parameter)");
      continue;
    }
    if (t->shape.empty() || t->shape.size() > 2)
      fail(hf_dir, ": tensor '", t->name, "' has ", t->shape.size(), " dimensions; expected 1 or 2");
    const FloatKind kind = float_kind_of(*t, hf_dir);
    const int64_t rows = t->shape.size() == 2 ? t->shape[0] : 1;
    const int64_t cols = t->shape.back();
    const GgmlType out_type = gguf_storage_type(name, t->shape.size(), static_cast<uint64_t>(cols), type);
    const uint64_t out_row_bytes = format::ggml_row_bytes(out_type, static_cast<uint64_t>(cols));
    const RopePermute permute = rope_permute_for_gguf(name);
    if (permute != RopePermute::kNone && rows % head_dim != 0)
      fail(hf_dir, ": tensor '", t->name, "' has ", rows, " rows, not a multiple of head_dim ", head_dim);
    const size_t in_row_bytes = static_cast<size_t>(cols) * format::dtype_bytes(t->dtype);
    if (t->n_bytes != in_row_bytes * static_cast<uint64_t>(rows))
      fail(hf_dir, ": tensor '", t->name, "' holds ", t->n_bytes, " bytes; its shape needs ", in_row_bytes * rows);
    std::vector<uint64_t> dims = {static_cast<uint64_t>(cols)};
    if (t->shape.size() == 2) dims.push_back(static_cast<uint64_t>(rows));
    const uint8_t* src = t->data;
    writer.add_tensor(name, dims, out_type, out_row_bytes * static_cast<uint64_t>(rows),
                      [=, &pool](uint8_t* dst) {
                        pool.parallel_for(static_cast<size_t>(rows), [&](size_t begin, size_t end, int) {
                          std::vector<float> row(static_cast<size_t>(cols));
                          for (size_t r = begin; r < end; ++r) {
                            const int64_t from = permute == RopePermute::kNone
                                                     ? static_cast<int64_t>(r)
                                                     : rope_gguf_source_row(static_cast<int64_t>(r), head_dim);
                            float_row_to_f32(kind, src + static_cast<size_t>(from) * in_row_bytes, row.data(), cols);
                            encode_row(out_type, row.data(), dst + r * out_row_bytes, cols);
                          }
                        });
                      });
    ++n_written;
  }
  if (n_written == 0) fail(hf_dir, ": no Llama weights found (expected model.embed_tokens.weight, model.layers.N.*)");
  writer.write(out_path);
  log_info("wrote ", out_path, " (", n_written, " tensors, ", format::ggml_type_name(type), ")");
}

}  // namespace gemba::engine
