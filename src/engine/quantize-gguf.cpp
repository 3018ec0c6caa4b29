#include "engine/quantize-gguf.h"

#include <cstring>
#include <vector>

#include "core/error.h"
#include "core/log.h"
#include "core/thread-pool.h"
#include "engine/cpu/matmul.h"
#include "engine/gguf-layout.h"
#include "engine/row-codec.h"
#include "engine/serving-defaults.h"

namespace gemba::engine {

void quantize_gguf(const std::string& in_path, const std::string& out_path, format::GgmlType type, int n_threads) {
  require_writable_type(type, out_path);
  const format::GgufFile in = format::GgufFile::open(in_path);
  format::GgufWriter writer(in.alignment());
  for (const auto& [key, value] : in.metadata())
    if (key != "general.alignment") writer.set(key, value);
  writer.set_u32("general.file_type", gguf_file_type(type));
  add_missing_serving_metadata(writer, in);
  ThreadPool pool(n_threads > 0 ? n_threads : ThreadPool::hardware_threads());
  for (const auto& t : in.tensors()) {
    const uint64_t cols = t.dims.empty() ? 1 : t.dims[0];
    const uint64_t rows = cols == 0 ? 0 : t.n_elements() / cols;
    const format::GgmlType out_type = gguf_storage_type(t.name, t.dims.size(), cols, type);
    if (out_type == t.type) {
      writer.add_tensor(t.name, t.dims, t.type, t.data, t.n_bytes);
      continue;
    }
    const bool decodable = t.type == format::GgmlType::F32 || t.type == format::GgmlType::F16 ||
                           t.type == format::GgmlType::BF16 || matmul_supports(t.type);
    if (!format::ggml_type_known(t.type) || !decodable)
      fail(in_path, ": tensor '", t.name, "' has type ", format::ggml_type_name(t.type), ", which gemba cannot decode");
    const uint64_t in_row = format::ggml_row_bytes(t.type, cols), out_row = format::ggml_row_bytes(out_type, cols);
    const uint8_t* src = t.data;
    const format::GgmlType in_type = t.type;
    writer.add_tensor(t.name, t.dims, out_type, out_row * rows, [=, &pool](uint8_t* dst) {
      pool.parallel_for(static_cast<size_t>(rows), [&](size_t b, size_t e, int) {
        std::vector<float> row(static_cast<size_t>(cols));
        for (size_t r = b; r < e; ++r) {
          decode_row(in_type, src + r * in_row, row.data(), static_cast<int64_t>(cols));
          encode_row(out_type, row.data(), dst + r * out_row, static_cast<int64_t>(cols));
        }
      });
    });
  }
  writer.write(out_path);
  log_info("wrote ", out_path, " (", in.tensors().size(), " tensors, ", format::ggml_type_name(type), ")");
}

}  // namespace gemba::engine
