// safetensors reader/writer (format: huggingface/safetensors README) and HF model dirs.
#include "format/safetensors.h"

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <limits>
#include <set>

#include "core/atomic-output.h"
#include "core/error.h"
#include "core/half.h"
#include "core/json.h"
#include "core/utf8.h"

namespace gemba::format {
namespace fs = std::filesystem;
namespace {

constexpr uint64_t kMaxHeaderBytes = 100ull * 1000 * 1000;  // as the reference implementation

struct DTypeInfo {
  DType dtype;
  const char* name;
  size_t bytes;
};
constexpr DTypeInfo kDTypes[] = {
    {DType::F32, "F32", 4}, {DType::F16, "F16", 2}, {DType::BF16, "BF16", 2}, {DType::F64, "F64", 8},
    {DType::I64, "I64", 8}, {DType::I32, "I32", 4}, {DType::I16, "I16", 2},   {DType::I8, "I8", 1},
    {DType::U8, "U8", 1},   {DType::BOOL, "BOOL", 1},
};

const DTypeInfo& info(DType dtype) {
  for (const auto& d : kDTypes)
    if (d.dtype == dtype) return d;
  GEMBA_ASSERT(false, "unknown DType ", static_cast<int>(dtype));
}

// Reads a non-negative JSON integer that fits in uint64.
bool json_u64(const Json& j, uint64_t* out) {
  if (j.is_number_unsigned()) {
    *out = j.get<uint64_t>();
    return true;
  }
  if (j.is_number_integer()) {
    int64_t v = j.get<int64_t>();
    if (v < 0) return false;
    *out = static_cast<uint64_t>(v);
    return true;
  }
  return false;
}

}  // namespace

std::string dtype_name(DType dtype) { return info(dtype).name; }
size_t dtype_bytes(DType dtype) { return info(dtype).bytes; }

DType parse_dtype(const std::string& name, const std::string& what) {
  for (const auto& d : kDTypes)
    if (name == d.name) return d.dtype;
  std::string known;
  for (const auto& d : kDTypes) known += cat(known.empty() ? "" : ", ", d.name);
  fail(what, ": unsupported dtype '", name, "' (gemba reads ", known, ")");
}

int64_t TensorView::n_elements() const {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;  // validated against overflow when the file was opened
  return n;
}

std::vector<float> to_f32(const TensorView& t) {
  const size_t n = static_cast<size_t>(t.n_elements());
  if (t.n_bytes != n * dtype_bytes(t.dtype))
    fail("tensor '", t.name, "': ", t.n_bytes, " bytes do not match its shape and dtype ", dtype_name(t.dtype));
  std::vector<float> out(n);
  switch (t.dtype) {
    case DType::F32:
      if (n) std::memcpy(out.data(), t.data, n * 4);
      break;
    case DType::F16:
    case DType::BF16:
      for (size_t k = 0; k < n; ++k) {
        uint16_t h;
        std::memcpy(&h, t.data + 2 * k, 2);
        out[k] = t.dtype == DType::F16 ? f16_to_f32(h) : bf16_to_f32(h);
      }
      break;
    case DType::F64:
      for (size_t k = 0; k < n; ++k) {
        double d;
        std::memcpy(&d, t.data + 8 * k, 8);
        out[k] = static_cast<float>(d);
      }
      break;
    default:
      fail("tensor '", t.name, "' has dtype ", dtype_name(t.dtype), ", expected a float type (F32, F16, BF16, F64)");
  }
  return out;
}

// ---- SafetensorsFile -----------------------------------------------------------------

SafetensorsFile SafetensorsFile::open(const std::string& path) {
  SafetensorsFile f;
  f.file_ = MappedFile::open(path);
  const uint64_t size = f.file_.size();
  if (size < 8) fail(path, ": truncated safetensors file: ", size, " bytes, less than the 8-byte header length");
  uint64_t header_len;
  std::memcpy(&header_len, f.file_.data(), 8);
  if (header_len > kMaxHeaderBytes)
    fail(path, ": not a safetensors file: header length ", header_len, " exceeds the 100 MB limit");
  if (header_len > size - 8)
    fail(path, ": truncated safetensors file: header of ", header_len, " bytes runs past the end of the file (",
         size, " bytes; re-download or re-save it)");
  if (header_len < 2) fail(path, ": invalid safetensors file: header of ", header_len, " bytes is too short");
  std::string_view header(reinterpret_cast<const char*>(f.file_.data()) + 8, header_len);
  if (header[0] != '{') fail(path, ": not a safetensors file: the JSON header does not start with '{'");
  size_t bad = 0;
  if (!utf8_valid(header, &bad)) fail(path, ": invalid safetensors header: invalid UTF-8 at header byte ", bad);
  Json json = parse_json(header, path + ": safetensors header");
  if (!json.is_object()) fail(path, ": invalid safetensors header: expected a JSON object");

  const uint64_t data_begin = 8 + header_len;
  const uint64_t data_size = size - data_begin;
  const uint8_t* data = f.file_.data() + data_begin;
  for (const auto& [name, entry] : json.items()) {
    if (name == "__metadata__") {
      if (!entry.is_object()) fail(path, ": __metadata__ must be an object of strings");
      for (const auto& [key, value] : entry.items()) {
        if (!value.is_string()) fail(path, ": __metadata__ field '", key, "' must be a string, got ", value.type_name());
        f.metadata_[key] = value.get<std::string>();
      }
      continue;
    }
    const std::string what = cat(path, ": tensor '", name, "'");
    if (!entry.is_object()) fail(what, ": expected an object with dtype, shape and data_offsets");
    TensorView view;
    view.name = name;
    view.dtype = parse_dtype(json_require<std::string>(entry, "dtype", what), what);
    auto shape = entry.find("shape");
    if (shape == entry.end() || !shape->is_array()) fail(what, ": field 'shape' must be an array of integers");
    uint64_t n_elements = 1;
    for (const auto& d : *shape) {
      uint64_t dim;
      if (!json_u64(d, &dim) || dim > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
        fail(what, ": shape entries must be non-negative integers");
      if (__builtin_mul_overflow(n_elements, dim, &n_elements)) fail(what, ": shape element count overflows");
      view.shape.push_back(static_cast<int64_t>(dim));
    }
    if (n_elements > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) fail(what, ": shape too large");
    auto offsets = entry.find("data_offsets");
    uint64_t begin, end;
    if (offsets == entry.end() || !offsets->is_array() || offsets->size() != 2 || !json_u64((*offsets)[0], &begin) ||
        !json_u64((*offsets)[1], &end))
      fail(what, ": field 'data_offsets' must be [begin, end] with non-negative integers");
    if (begin > end) fail(what, ": data_offsets [", begin, ", ", end, "] has begin after end");
    if (end > data_size)
      fail(what, ": data_offsets [", begin, ", ", end, "] run past the end of the file (", data_size,
           " data bytes; the file is truncated or corrupt)");
    uint64_t expected;
    if (__builtin_mul_overflow(n_elements, static_cast<uint64_t>(dtype_bytes(view.dtype)), &expected) ||
        expected != end - begin)
      fail(what, ": data_offsets span ", end - begin, " bytes but shape and dtype ", dtype_name(view.dtype),
           " need ", n_elements, " x ", dtype_bytes(view.dtype), " bytes");
    view.data = data + begin;
    view.n_bytes = end - begin;
    f.tensors_.push_back(std::move(view));
  }
  std::stable_sort(f.tensors_.begin(), f.tensors_.end(),
                   [](const TensorView& a, const TensorView& b) { return a.data < b.data; });
  return f;
}

const TensorView* SafetensorsFile::find(const std::string& name) const {
  auto it = std::find_if(tensors_.begin(), tensors_.end(), [&](const TensorView& t) { return t.name == name; });
  return it == tensors_.end() ? nullptr : &*it;
}

// ---- SafetensorsModel ----------------------------------------------------------------

SafetensorsModel SafetensorsModel::open_dir(const std::string& dir) {
  SafetensorsModel m;
  m.dir_ = dir;
  const fs::path root(dir);
  if (!fs::is_directory(root)) fail(dir, ": not a directory (expected a Hugging Face model directory)");
  const fs::path index_path = root / "model.safetensors.index.json";
  const fs::path single = root / "model.safetensors";

  auto add_shard = [&m](const std::string& path) -> SafetensorsFile& {
    m.shards_.push_back(std::make_unique<SafetensorsFile>(SafetensorsFile::open(path)));
    SafetensorsFile& shard = *m.shards_.back();
    for (const auto& t : shard.tensors())
      if (!m.by_name_.emplace(t.name, &t).second)
        fail(path, ": tensor '", t.name, "' also appears in another shard of ", m.dir_);
    return shard;
  };

  if (fs::exists(index_path)) {
    const std::string what = index_path.string();
    Json index = read_json_file(what);
    if (!index.is_object()) fail(what, ": expected a JSON object");
    auto map = index.find("weight_map");
    if (map == index.end() || !map->is_object()) fail(what, ": field 'weight_map' must be an object {tensor: file}");
    std::vector<std::string> files;
    std::set<std::string> seen;
    for (const auto& [tensor, file] : map->items()) {
      if (!file.is_string()) fail(what, ": weight_map entry '", tensor, "' must be a file name string");
      std::string name = file.get<std::string>();
      if (name.empty() || name.find('/') != std::string::npos || name.find('\\') != std::string::npos || name == "." ||
          name == "..")
        fail(what, ": weight_map entry '", tensor, "' names '", name, "', which is not a plain file name in ", dir);
      if (seen.insert(name).second) files.push_back(name);
    }
    std::sort(files.begin(), files.end());  // shard names are numbered: file order = name order
    for (const auto& name : files) add_shard((root / name).string());
    for (const auto& [tensor, file] : map->items()) {
      auto it = m.by_name_.find(tensor);
      if (it == m.by_name_.end())
        fail(what, ": tensor '", tensor, "' is listed in weight_map but missing from ", file.get<std::string>());
    }
  } else if (fs::exists(single)) {
    add_shard(single.string());
  } else {
    fail(dir, ": no model.safetensors or model.safetensors.index.json (is this a Hugging Face model directory?)");
  }
  return m;
}

const TensorView* SafetensorsModel::find(const std::string& name) const {
  auto it = by_name_.find(name);
  return it == by_name_.end() ? nullptr : it->second;
}

const TensorView& SafetensorsModel::get(const std::string& name) const {
  const TensorView* t = find(name);
  if (!t) fail(dir_, ": missing tensor '", name, "'");
  return *t;
}

std::vector<const TensorView*> SafetensorsModel::tensors() const {
  std::vector<const TensorView*> out;
  for (const auto& shard : shards_)
    for (const auto& t : shard->tensors()) out.push_back(&t);
  return out;
}

// ---- SafetensorsWriter ---------------------------------------------------------------

void SafetensorsWriter::add(const std::string& name, DType dtype, std::vector<int64_t> shape, const void* data) {
  const auto* src = static_cast<const uint8_t*>(data);
  uint64_t n = dtype_bytes(dtype);
  for (int64_t d : shape) n *= static_cast<uint64_t>(d < 0 ? 0 : d);
  add(name, dtype, std::move(shape), [src, n](uint8_t* dst) {
    if (n) std::memcpy(dst, src, n);
  });
}

void SafetensorsWriter::add(const std::string& name, DType dtype, std::vector<int64_t> shape, Fill fill) {
  if (name.empty() || name == "__metadata__") fail("safetensors writer: invalid tensor name '", name, "'");
  for (const auto& t : tensors_)
    if (t.name == name) fail("safetensors writer: duplicate tensor '", name, "'");
  uint64_t n = dtype_bytes(dtype);
  for (int64_t d : shape)
    if (d < 0 || __builtin_mul_overflow(n, static_cast<uint64_t>(d), &n))
      fail("safetensors writer: tensor '", name, "' has an invalid shape");
  tensors_.push_back({name, dtype, std::move(shape), std::move(fill)});
}

void SafetensorsWriter::write(const std::string& path) const {
  Json header = Json::object();
  if (!metadata_.empty()) {
    Json meta = Json::object();
    for (const auto& [k, v] : metadata_) meta[k] = v;
    header["__metadata__"] = meta;
  }
  std::vector<uint64_t> sizes;
  uint64_t offset = 0;
  for (const auto& t : tensors_) {
    uint64_t n = dtype_bytes(t.dtype);
    for (int64_t d : t.shape) n *= static_cast<uint64_t>(d);
    sizes.push_back(n);
    header[t.name] = {{"dtype", dtype_name(t.dtype)}, {"shape", t.shape}, {"data_offsets", {offset, offset + n}}};
    offset += n;
  }
  std::string text;
  try {
    text = header.dump(-1, ' ', false, Json::error_handler_t::strict);
  } catch (const nlohmann::json::exception& e) {
    fail(path, ": cannot write safetensors header (tensor names and metadata must be valid UTF-8): ", e.what());
  }
  text.resize((text.size() + 7) / 8 * 8, ' ');  // pad with spaces so the data starts 8-byte aligned
  uint64_t len = text.size();

  AtomicFile out(path);
  out.write(&len, 8);
  out.write(text);
  std::vector<uint8_t> buffer;
  for (size_t k = 0; k < tensors_.size(); ++k) {
    buffer.assign(sizes[k], 0);
    if (tensors_[k].fill) tensors_[k].fill(buffer.data());
    out.write(buffer.data(), buffer.size());
  }
  out.commit();
}

}  // namespace gemba::format
