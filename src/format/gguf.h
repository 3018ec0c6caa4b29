// GGUF v3 (llama.cpp's model file): reader over a memory-mapped file with zero-copy tensor
// views, and a streaming writer. Layout: magic "GGUF", u32 version, u64 tensor count,
// u64 KV count, typed KV pairs, tensor infos (name, n_dims, dims fastest-varying first,
// type, offset), padding to `general.alignment` (default 32), tensor data.
// Every length, count and offset read is bounds-checked against the file size.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/mapped-file.h"

namespace gemba::format {

// Tensor element types, numbered as in GGUF/ggml.
enum class GgmlType : uint32_t {
  F32 = 0, F16 = 1, Q4_0 = 2, Q4_1 = 3, Q5_0 = 6, Q5_1 = 7, Q8_0 = 8, Q8_1 = 9,
  Q2_K = 10, Q3_K = 11, Q4_K = 12, Q5_K = 13, Q6_K = 14, Q8_K = 15,
  IQ2_XXS = 16, IQ2_XS = 17, IQ3_XXS = 18, IQ1_S = 19, IQ4_NL = 20, IQ3_S = 21, IQ2_S = 22, IQ4_XS = 23,
  I8 = 24, I16 = 25, I32 = 26, I64 = 27, F64 = 28, IQ1_M = 29, BF16 = 30,
};

// "q4_0", "f16", ...; "unknown(N)" for a number gemba does not know.
std::string ggml_type_name(GgmlType type);
// True if gemba knows the block layout (size) of this type.
bool ggml_type_known(GgmlType type);
// Elements per block (1 for plain types, 32 for Q8_0/Q4_0, 256 for K-quants).
uint64_t ggml_block_elements(GgmlType type);
// Bytes per block.
uint64_t ggml_block_bytes(GgmlType type);
// Bytes for a row of n elements (n must be a multiple of the block size).
uint64_t ggml_row_bytes(GgmlType type, uint64_t n);
// Parses "f32", "f16", "bf16", "q8_0", "q4_0", ...; throws gemba::Error otherwise.
GgmlType parse_ggml_type(const std::string& name);
// llama.cpp's `general.file_type` number for a file whose weights are mostly `type`
// (Q3_K/Q4_K/Q5_K map to the _M mixes); throws for types without one.
uint32_t llama_file_type(GgmlType type);

enum class GgufValueType : uint32_t {
  UINT8 = 0, INT8 = 1, UINT16 = 2, INT16 = 3, UINT32 = 4, INT32 = 5, FLOAT32 = 6, BOOL = 7,
  STRING = 8, ARRAY = 9, UINT64 = 10, INT64 = 11, FLOAT64 = 12,
};
std::string gguf_value_type_name(GgufValueType type);

// One metadata value. Scalars keep their declared type; arrays hold elements of one type.
struct GgufValue {
  GgufValueType type = GgufValueType::UINT32;
  uint64_t u = 0;      // UINT*, BOOL
  int64_t i = 0;       // INT*
  double f = 0;        // FLOAT*
  std::string s;       // STRING
  GgufValueType array_type = GgufValueType::UINT32;
  std::vector<GgufValue> array;  // ARRAY

  static GgufValue from_u32(uint32_t v);
  static GgufValue from_u64(uint64_t v);
  static GgufValue from_i32(int32_t v);
  static GgufValue from_f32(float v);
  static GgufValue from_bool(bool v);
  static GgufValue from_string(std::string v);
  static GgufValue from_strings(const std::vector<std::string>& v);
  static GgufValue from_f32s(const std::vector<float>& v);
  static GgufValue from_i32s(const std::vector<int32_t>& v);

  // Typed reads; throw gemba::Error naming `what` (the key) when the type does not fit.
  uint64_t as_uint(const std::string& what) const;  // any unsigned/signed >= 0 integer
  int64_t as_int(const std::string& what) const;    // any integer
  double as_float(const std::string& what) const;   // any float or integer
  bool as_bool(const std::string& what) const;
  const std::string& as_string(const std::string& what) const;
  std::vector<std::string> as_strings(const std::string& what) const;
  std::vector<float> as_floats(const std::string& what) const;
  std::vector<int64_t> as_ints(const std::string& what) const;

  std::string to_display(size_t max_array_items = 8) const;  // for `gemba inspect`
};

struct GgufTensorInfo {
  std::string name;
  std::vector<uint64_t> dims;  // fastest-varying first: a [rows, cols] matrix is {cols, rows}
  GgmlType type = GgmlType::F32;
  uint64_t offset = 0;         // relative to the start of the data section
  const uint8_t* data = nullptr;  // into the mapped file
  uint64_t n_bytes = 0;
  uint64_t n_elements() const;
};

class GgufFile {
 public:
  // Maps and validates the file; throws gemba::Error "<path>: <problem>" on any defect.
  static GgufFile open(const std::string& path);
  GgufFile(GgufFile&&) noexcept = default;
  GgufFile& operator=(GgufFile&&) noexcept = default;

  const std::string& path() const { return file_.path(); }
  uint32_t version() const { return version_; }
  uint64_t alignment() const { return alignment_; }
  uint64_t data_offset() const { return data_offset_; }
  uint64_t file_size() const { return file_.size(); }

  const std::vector<std::pair<std::string, GgufValue>>& metadata() const { return kv_; }
  const GgufValue* find(const std::string& key) const;
  const GgufValue& get(const std::string& key) const;  // throws "<path>: missing key 'k'"
  // Convenience typed getters with the file path in errors.
  uint64_t get_uint(const std::string& key) const;
  uint64_t get_uint(const std::string& key, uint64_t fallback) const;
  double get_float(const std::string& key, double fallback) const;
  std::string get_string(const std::string& key, const std::string& fallback) const;

  const std::vector<GgufTensorInfo>& tensors() const { return tensors_; }
  const GgufTensorInfo* find_tensor(const std::string& name) const;
  const GgufTensorInfo& tensor(const std::string& name) const;  // throws naming file + tensor

 private:
  GgufFile() = default;
  MappedFile file_;
  uint32_t version_ = 0;
  uint64_t alignment_ = 32;
  uint64_t data_offset_ = 0;
  std::vector<std::pair<std::string, GgufValue>> kv_;
  std::vector<GgufTensorInfo> tensors_;
};

// Writes a GGUF v3 file atomically. Tensors are produced one at a time at write() so a
// multi-GB model never has to sit in memory twice.
class GgufWriter {
 public:
  using Fill = std::function<void(uint8_t* dst)>;  // writes exactly n_bytes

  explicit GgufWriter(uint64_t alignment = 32);
  void set(const std::string& key, GgufValue value);  // replaces an existing key
  void set_u32(const std::string& key, uint32_t v) { set(key, GgufValue::from_u32(v)); }
  void set_f32(const std::string& key, float v) { set(key, GgufValue::from_f32(v)); }
  void set_bool(const std::string& key, bool v) { set(key, GgufValue::from_bool(v)); }
  void set_string(const std::string& key, std::string v) { set(key, GgufValue::from_string(std::move(v))); }

  // dims fastest-varying first. `data` must stay valid until write().
  void add_tensor(const std::string& name, std::vector<uint64_t> dims, GgmlType type, const void* data, uint64_t n_bytes);
  void add_tensor(const std::string& name, std::vector<uint64_t> dims, GgmlType type, uint64_t n_bytes, Fill fill);

  void write(const std::string& path) const;

 private:
  struct PendingTensor {
    std::string name;
    std::vector<uint64_t> dims;
    GgmlType type;
    uint64_t n_bytes;
    Fill fill;
  };
  uint64_t alignment_;
  std::vector<std::pair<std::string, GgufValue>> kv_;
  std::vector<PendingTensor> tensors_;
};

}  // namespace gemba::format
