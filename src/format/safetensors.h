// safetensors: u64 little-endian header length N, N bytes of JSON
// {name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {str: str}}, then raw
// little-endian data (offsets relative to the end of the header). Reader over mmap with
// bounds checks; writer that streams tensors; HF model directories (one file or sharded via
// model.safetensors.index.json).
#pragma once
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/mapped-file.h"

namespace gemba::format {

enum class DType { F32, F16, BF16, F64, I64, I32, I16, I8, U8, BOOL };

std::string dtype_name(DType dtype);      // "F32", "BF16", ... (safetensors spelling)
size_t dtype_bytes(DType dtype);
DType parse_dtype(const std::string& name, const std::string& what);  // throws naming `what`

struct TensorView {
  std::string name;
  DType dtype = DType::F32;
  std::vector<int64_t> shape;  // row-major, slowest-varying first (PyTorch order)
  const uint8_t* data = nullptr;
  uint64_t n_bytes = 0;
  int64_t n_elements() const;
};

// Converts any float tensor (F32/F16/BF16/F64) to f32 values.
std::vector<float> to_f32(const TensorView& tensor);

class SafetensorsFile {
 public:
  static SafetensorsFile open(const std::string& path);  // throws "<path>: <problem>"
  SafetensorsFile(SafetensorsFile&&) noexcept = default;
  SafetensorsFile& operator=(SafetensorsFile&&) noexcept = default;

  const std::string& path() const { return file_.path(); }
  const std::vector<TensorView>& tensors() const { return tensors_; }
  const TensorView* find(const std::string& name) const;
  const std::map<std::string, std::string>& metadata() const { return metadata_; }

 private:
  SafetensorsFile() = default;
  MappedFile file_;
  std::vector<TensorView> tensors_;
  std::map<std::string, std::string> metadata_;
};

// All weights of a Hugging Face model directory: model.safetensors, or the shards named by
// model.safetensors.index.json.
class SafetensorsModel {
 public:
  static SafetensorsModel open_dir(const std::string& dir);
  const TensorView* find(const std::string& name) const;
  const TensorView& get(const std::string& name) const;  // throws naming dir + tensor
  std::vector<const TensorView*> tensors() const;       // all shards, in file order
  const std::string& dir() const { return dir_; }

 private:
  std::string dir_;
  std::vector<std::unique_ptr<SafetensorsFile>> shards_;
  std::map<std::string, const TensorView*> by_name_;
};

class SafetensorsWriter {
 public:
  using Fill = std::function<void(uint8_t* dst)>;  // writes exactly n_bytes
  void add(const std::string& name, DType dtype, std::vector<int64_t> shape, const void* data);  // data valid until write()
  void add(const std::string& name, DType dtype, std::vector<int64_t> shape, Fill fill);
  void set_metadata(const std::string& key, const std::string& value) { metadata_[key] = value; }
  void write(const std::string& path) const;  // atomic

 private:
  struct Pending {
    std::string name;
    DType dtype;
    std::vector<int64_t> shape;
    Fill fill;
  };
  std::vector<Pending> tensors_;
  std::map<std::string, std::string> metadata_;
};

}  // namespace gemba::format
