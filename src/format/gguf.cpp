// GGUF v2/v3 reader and v3 writer (format: ggml's docs/gguf.md).
#include "format/gguf.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstring>
#include <limits>
#include <unordered_set>

#include "core/atomic-output.h"
#include "core/error.h"
#include "core/utf8.h"

namespace gemba::format {
namespace {

constexpr uint32_t kGgufMagic = 0x46554747;  // "GGUF" read as a little-endian u32
constexpr uint32_t kMaxDims = 4;             // ggml's GGML_MAX_DIMS
constexpr uint64_t kDefaultAlignment = 32;

struct TypeTraits {
  GgmlType type;
  const char* name;
  uint64_t block_elements;
  uint64_t block_bytes;
};

// Block layouts as in ggml (elements per block, bytes per block).
constexpr TypeTraits kTypes[] = {
    {GgmlType::F32, "f32", 1, 4},          {GgmlType::F16, "f16", 1, 2},
    {GgmlType::Q4_0, "q4_0", 32, 18},      {GgmlType::Q4_1, "q4_1", 32, 20},
    {GgmlType::Q5_0, "q5_0", 32, 22},      {GgmlType::Q5_1, "q5_1", 32, 24},
    {GgmlType::Q8_0, "q8_0", 32, 34},      {GgmlType::Q8_1, "q8_1", 32, 36},
    {GgmlType::Q2_K, "q2_k", 256, 84},     {GgmlType::Q3_K, "q3_k", 256, 110},
    {GgmlType::Q4_K, "q4_k", 256, 144},    {GgmlType::Q5_K, "q5_k", 256, 176},
    {GgmlType::Q6_K, "q6_k", 256, 210},    {GgmlType::Q8_K, "q8_k", 256, 292},
    {GgmlType::IQ2_XXS, "iq2_xxs", 256, 66}, {GgmlType::IQ2_XS, "iq2_xs", 256, 74},
    {GgmlType::IQ3_XXS, "iq3_xxs", 256, 98}, {GgmlType::IQ1_S, "iq1_s", 256, 50},
    {GgmlType::IQ4_NL, "iq4_nl", 32, 18},  {GgmlType::IQ3_S, "iq3_s", 256, 110},
    {GgmlType::IQ2_S, "iq2_s", 256, 82},   {GgmlType::IQ4_XS, "iq4_xs", 256, 136},
    {GgmlType::I8, "i8", 1, 1},            {GgmlType::I16, "i16", 1, 2},
    {GgmlType::I32, "i32", 1, 4},          {GgmlType::I64, "i64", 1, 8},
    {GgmlType::F64, "f64", 1, 8},          {GgmlType::IQ1_M, "iq1_m", 256, 56},
    {GgmlType::BF16, "bf16", 1, 2},
};

const TypeTraits* traits(GgmlType type) {
  for (const auto& t : kTypes)
    if (t.type == type) return &t;
  return nullptr;
}

// Size in bytes of a scalar value type; 0 for STRING/ARRAY or an unknown type.
uint64_t scalar_size(GgufValueType type) {
  switch (type) {
    case GgufValueType::UINT8: case GgufValueType::INT8: case GgufValueType::BOOL: return 1;
    case GgufValueType::UINT16: case GgufValueType::INT16: return 2;
    case GgufValueType::UINT32: case GgufValueType::INT32: case GgufValueType::FLOAT32: return 4;
    case GgufValueType::UINT64: case GgufValueType::INT64: case GgufValueType::FLOAT64: return 8;
    default: return 0;
  }
}

bool value_type_known(uint32_t t) { return t <= static_cast<uint32_t>(GgufValueType::FLOAT64); }
bool is_unsigned(GgufValueType t) {
  return t == GgufValueType::UINT8 || t == GgufValueType::UINT16 || t == GgufValueType::UINT32 ||
         t == GgufValueType::UINT64;
}
bool is_signed(GgufValueType t) {
  return t == GgufValueType::INT8 || t == GgufValueType::INT16 || t == GgufValueType::INT32 ||
         t == GgufValueType::INT64;
}
bool is_float(GgufValueType t) { return t == GgufValueType::FLOAT32 || t == GgufValueType::FLOAT64; }

bool mul_overflows(uint64_t a, uint64_t b, uint64_t* out) { return __builtin_mul_overflow(a, b, out); }

uint64_t align_up(uint64_t x, uint64_t a) { return (x + a - 1) / a * a; }

// Bounds-checked little-endian reader over the mapped bytes. Every error names the file
// and the byte offset.
class Cursor {
 public:
  Cursor(const std::string& path, const uint8_t* data, uint64_t size) : path_(path), data_(data), size_(size) {}

  uint64_t pos() const { return pos_; }
  uint64_t remaining() const { return size_ - pos_; }

  [[noreturn]] void error(const std::string& what) const {
    fail(path_, ": invalid GGUF at byte ", pos_, ": ", what);
  }

  void need(uint64_t n, const char* what) const {
    if (n > remaining())
      fail(path_, ": truncated GGUF: ", what, " needs ", n, " bytes at offset ", pos_, " but the file has ",
           remaining(), " left (file size ", size_, "; re-download or re-export the file)");
  }

  template <class T>
  T read(const char* what) {
    need(sizeof(T), what);
    T v;
    std::memcpy(&v, data_ + pos_, sizeof(T));
    pos_ += sizeof(T);
    return v;
  }

  std::string read_string(const char* what) {
    uint64_t len = read<uint64_t>(what);
    if (len > remaining())
      fail(path_, ": invalid GGUF at byte ", pos_ - 8, ": ", what, " length ", len, " runs past the end of the file (",
           remaining(), " bytes left)");
    std::string s(reinterpret_cast<const char*>(data_ + pos_), len);
    pos_ += len;
    return s;
  }

 private:
  const std::string& path_;
  const uint8_t* data_;
  uint64_t size_;
  uint64_t pos_ = 0;
};

GgufValue read_scalar(Cursor& in, GgufValueType type, const char* what) {
  GgufValue v;
  v.type = type;
  switch (type) {
    case GgufValueType::UINT8: v.u = in.read<uint8_t>(what); break;
    case GgufValueType::INT8: v.i = in.read<int8_t>(what); break;
    case GgufValueType::UINT16: v.u = in.read<uint16_t>(what); break;
    case GgufValueType::INT16: v.i = in.read<int16_t>(what); break;
    case GgufValueType::UINT32: v.u = in.read<uint32_t>(what); break;
    case GgufValueType::INT32: v.i = in.read<int32_t>(what); break;
    case GgufValueType::FLOAT32: v.f = in.read<float>(what); break;
    case GgufValueType::BOOL: {
      uint8_t b = in.read<uint8_t>(what);
      if (b > 1) in.error(cat(what, ": bool value ", int(b), " is neither 0 nor 1"));
      v.u = b;
      break;
    }
    case GgufValueType::STRING: v.s = in.read_string(what); break;
    case GgufValueType::UINT64: v.u = in.read<uint64_t>(what); break;
    case GgufValueType::INT64: v.i = in.read<int64_t>(what); break;
    case GgufValueType::FLOAT64: v.f = in.read<double>(what); break;
    case GgufValueType::ARRAY: GEMBA_ASSERT(false, "read_scalar called for an array");
  }
  return v;
}

GgufValue read_value(Cursor& in, uint32_t raw_type, const std::string& key) {
  if (!value_type_known(raw_type))
    in.error(cat("key '", key, "' has unknown value type ", raw_type, " (known: 0..12, uint8 .. float64)"));
  auto type = static_cast<GgufValueType>(raw_type);
  if (type != GgufValueType::ARRAY) return read_scalar(in, type, "metadata value");

  GgufValue v;
  v.type = GgufValueType::ARRAY;
  uint32_t raw_elem = in.read<uint32_t>("array element type");
  if (!value_type_known(raw_elem))
    in.error(cat("key '", key, "' is an array of unknown value type ", raw_elem, " (known: 0..12)"));
  auto elem = static_cast<GgufValueType>(raw_elem);
  if (elem == GgufValueType::ARRAY) in.error(cat("key '", key, "' is an array of arrays, which gemba does not read"));
  v.array_type = elem;
  uint64_t count = in.read<uint64_t>("array length");
  // Each element needs at least this many bytes: reject impossible counts before allocating.
  uint64_t min_size = elem == GgufValueType::STRING ? 8 : scalar_size(elem);
  if (count > in.remaining() / min_size)
    in.error(cat("key '", key, "' claims ", count, " array elements of ", gguf_value_type_name(elem),
                 " but only ", in.remaining(), " bytes are left in the file"));
  v.array.reserve(count);
  for (uint64_t i = 0; i < count; ++i) v.array.push_back(read_scalar(in, elem, "array element"));
  return v;
}

std::string quote(const std::string& s, size_t max_chars = 80) {
  std::string out = "\"";
  size_t n = 0;
  for (size_t pos = 0; pos < s.size();) {
    if (n++ >= max_chars) {
      out += "...";
      break;
    }
    size_t start = pos;
    uint32_t cp = utf8_decode(s, pos);
    if (cp == '"' || cp == '\\') {
      out += '\\';
      out += static_cast<char>(cp);
    } else if (cp == '\n') {
      out += "\\n";
    } else if (cp < 0x20 || cp == 0x7f || (cp == 0xFFFD && pos - start == 1)) {
      out += cat("\\x", "0123456789abcdef"[(static_cast<uint8_t>(s[start]) >> 4) & 15],
                 "0123456789abcdef"[static_cast<uint8_t>(s[start]) & 15]);
    } else {
      out.append(s, start, pos - start);
    }
  }
  return out + "\"";
}

std::string scalar_display(const GgufValue& v) {
  if (is_unsigned(v.type)) return std::to_string(v.u);
  if (is_signed(v.type)) return std::to_string(v.i);
  if (v.type == GgufValueType::BOOL) return v.u ? "true" : "false";
  if (is_float(v.type)) return cat(v.f);
  if (v.type == GgufValueType::STRING) return quote(v.s);
  return "?";
}

// Serialization buffer for the header part of the writer.
struct Out {
  std::string bytes;
  template <class T>
  void put(T v) {
    bytes.append(reinterpret_cast<const char*>(&v), sizeof(T));
  }
  void put_string(const std::string& s) {
    put<uint64_t>(s.size());
    bytes += s;
  }
};

template <class T>
T checked_narrow_u(uint64_t v, const std::string& key) {
  if (v > std::numeric_limits<T>::max()) fail("GGUF writer: key '", key, "': value ", v, " does not fit its type");
  return static_cast<T>(v);
}
template <class T>
T checked_narrow_i(int64_t v, const std::string& key) {
  if (v > std::numeric_limits<T>::max() || v < std::numeric_limits<T>::min())
    fail("GGUF writer: key '", key, "': value ", v, " does not fit its type");
  return static_cast<T>(v);
}

void write_scalar(Out& out, const GgufValue& v, GgufValueType type, const std::string& key) {
  if (v.type != type) fail("GGUF writer: key '", key, "': array element of type ", gguf_value_type_name(v.type),
                           " in an array of ", gguf_value_type_name(type));
  switch (type) {
    case GgufValueType::UINT8: out.put(checked_narrow_u<uint8_t>(v.u, key)); break;
    case GgufValueType::INT8: out.put(checked_narrow_i<int8_t>(v.i, key)); break;
    case GgufValueType::UINT16: out.put(checked_narrow_u<uint16_t>(v.u, key)); break;
    case GgufValueType::INT16: out.put(checked_narrow_i<int16_t>(v.i, key)); break;
    case GgufValueType::UINT32: out.put(checked_narrow_u<uint32_t>(v.u, key)); break;
    case GgufValueType::INT32: out.put(checked_narrow_i<int32_t>(v.i, key)); break;
    case GgufValueType::FLOAT32: out.put(static_cast<float>(v.f)); break;
    case GgufValueType::BOOL: out.put<uint8_t>(v.u ? 1 : 0); break;
    case GgufValueType::STRING: out.put_string(v.s); break;
    case GgufValueType::UINT64: out.put<uint64_t>(v.u); break;
    case GgufValueType::INT64: out.put<int64_t>(v.i); break;
    case GgufValueType::FLOAT64: out.put<double>(v.f); break;
    case GgufValueType::ARRAY: fail("GGUF writer: key '", key, "': arrays of arrays are not supported");
  }
}

void write_value(Out& out, const GgufValue& v, const std::string& key) {
  out.put<uint32_t>(static_cast<uint32_t>(v.type));
  if (v.type != GgufValueType::ARRAY) {
    write_scalar(out, v, v.type, key);
    return;
  }
  out.put<uint32_t>(static_cast<uint32_t>(v.array_type));
  out.put<uint64_t>(v.array.size());
  for (const auto& e : v.array) write_scalar(out, e, v.array_type, key);
}

}  // namespace

// ---- type tables ---------------------------------------------------------------------

std::string ggml_type_name(GgmlType type) {
  if (const auto* t = traits(type)) return t->name;
  return cat("unknown(", static_cast<uint32_t>(type), ")");
}

bool ggml_type_known(GgmlType type) { return traits(type) != nullptr; }

uint64_t ggml_block_elements(GgmlType type) {
  const auto* t = traits(type);
  if (!t) fail("unknown GGML tensor type ", static_cast<uint32_t>(type));
  return t->block_elements;
}

uint64_t ggml_block_bytes(GgmlType type) {
  const auto* t = traits(type);
  if (!t) fail("unknown GGML tensor type ", static_cast<uint32_t>(type));
  return t->block_bytes;
}

uint64_t ggml_row_bytes(GgmlType type, uint64_t n) {
  uint64_t block = ggml_block_elements(type);
  if (n % block != 0)
    fail("a row of ", n, " elements is not a multiple of the ", ggml_type_name(type), " block size ", block);
  uint64_t bytes;
  if (mul_overflows(n / block, ggml_block_bytes(type), &bytes)) fail("row of ", n, " elements: byte size overflows");
  return bytes;
}

GgmlType parse_ggml_type(const std::string& name) {
  std::string lower = name;
  for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (const auto& t : kTypes)
    if (lower == t.name) return t.type;
  std::string known;
  for (const auto& t : kTypes) known += cat(known.empty() ? "" : ", ", t.name);
  fail("unknown tensor type '", name, "' (known: ", known, ")");
}

uint32_t llama_file_type(GgmlType type) {
  switch (type) {
    case GgmlType::F32: return 0;
    case GgmlType::F16: return 1;
    case GgmlType::Q4_0: return 2;
    case GgmlType::Q4_1: return 3;
    case GgmlType::Q8_0: return 7;
    case GgmlType::Q5_0: return 8;
    case GgmlType::Q5_1: return 9;
    case GgmlType::Q2_K: return 10;
    case GgmlType::Q3_K: return 12;  // Q3_K_M
    case GgmlType::Q4_K: return 15;  // Q4_K_M
    case GgmlType::Q5_K: return 17;  // Q5_K_M
    case GgmlType::Q6_K: return 18;
    case GgmlType::BF16: return 32;
    default: fail("no llama file type for tensor type ", ggml_type_name(type));
  }
}

std::string gguf_value_type_name(GgufValueType type) {
  switch (type) {
    case GgufValueType::UINT8: return "uint8";
    case GgufValueType::INT8: return "int8";
    case GgufValueType::UINT16: return "uint16";
    case GgufValueType::INT16: return "int16";
    case GgufValueType::UINT32: return "uint32";
    case GgufValueType::INT32: return "int32";
    case GgufValueType::FLOAT32: return "float32";
    case GgufValueType::BOOL: return "bool";
    case GgufValueType::STRING: return "string";
    case GgufValueType::ARRAY: return "array";
    case GgufValueType::UINT64: return "uint64";
    case GgufValueType::INT64: return "int64";
    case GgufValueType::FLOAT64: return "float64";
  }
  return cat("unknown(", static_cast<uint32_t>(type), ")");
}

// ---- GgufValue -----------------------------------------------------------------------

GgufValue GgufValue::from_u32(uint32_t v) { GgufValue r; r.type = GgufValueType::UINT32; r.u = v; return r; }
GgufValue GgufValue::from_u64(uint64_t v) { GgufValue r; r.type = GgufValueType::UINT64; r.u = v; return r; }
GgufValue GgufValue::from_i32(int32_t v) { GgufValue r; r.type = GgufValueType::INT32; r.i = v; return r; }
GgufValue GgufValue::from_f32(float v) { GgufValue r; r.type = GgufValueType::FLOAT32; r.f = v; return r; }
GgufValue GgufValue::from_bool(bool v) { GgufValue r; r.type = GgufValueType::BOOL; r.u = v ? 1 : 0; return r; }
GgufValue GgufValue::from_string(std::string v) {
  GgufValue r;
  r.type = GgufValueType::STRING;
  r.s = std::move(v);
  return r;
}
GgufValue GgufValue::from_strings(const std::vector<std::string>& v) {
  GgufValue r;
  r.type = GgufValueType::ARRAY;
  r.array_type = GgufValueType::STRING;
  r.array.reserve(v.size());
  for (const auto& s : v) r.array.push_back(from_string(s));
  return r;
}
GgufValue GgufValue::from_f32s(const std::vector<float>& v) {
  GgufValue r;
  r.type = GgufValueType::ARRAY;
  r.array_type = GgufValueType::FLOAT32;
  r.array.reserve(v.size());
  for (float f : v) r.array.push_back(from_f32(f));
  return r;
}
GgufValue GgufValue::from_i32s(const std::vector<int32_t>& v) {
  GgufValue r;
  r.type = GgufValueType::ARRAY;
  r.array_type = GgufValueType::INT32;
  r.array.reserve(v.size());
  for (int32_t i : v) r.array.push_back(from_i32(i));
  return r;
}

uint64_t GgufValue::as_uint(const std::string& what) const {
  if (is_unsigned(type)) return u;
  if (is_signed(type)) {
    if (i < 0) fail(what, ": expected a non-negative integer, got ", i);
    return static_cast<uint64_t>(i);
  }
  fail(what, ": expected an unsigned integer, got ", gguf_value_type_name(type));
}

int64_t GgufValue::as_int(const std::string& what) const {
  if (is_signed(type)) return i;
  if (is_unsigned(type)) {
    if (u > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) fail(what, ": integer ", u, " is too large");
    return static_cast<int64_t>(u);
  }
  fail(what, ": expected an integer, got ", gguf_value_type_name(type));
}

double GgufValue::as_float(const std::string& what) const {
  if (is_float(type)) return f;
  if (is_unsigned(type)) return static_cast<double>(u);
  if (is_signed(type)) return static_cast<double>(i);
  fail(what, ": expected a number, got ", gguf_value_type_name(type));
}

bool GgufValue::as_bool(const std::string& what) const {
  if (type == GgufValueType::BOOL) return u != 0;
  fail(what, ": expected a bool, got ", gguf_value_type_name(type));
}

const std::string& GgufValue::as_string(const std::string& what) const {
  if (type == GgufValueType::STRING) return s;
  fail(what, ": expected a string, got ", gguf_value_type_name(type));
}

std::vector<std::string> GgufValue::as_strings(const std::string& what) const {
  if (type != GgufValueType::ARRAY || array_type != GgufValueType::STRING)
    fail(what, ": expected an array of strings, got ",
         type == GgufValueType::ARRAY ? "an array of " + gguf_value_type_name(array_type) : gguf_value_type_name(type));
  std::vector<std::string> out;
  out.reserve(array.size());
  for (const auto& e : array) out.push_back(e.s);
  return out;
}

std::vector<float> GgufValue::as_floats(const std::string& what) const {
  if (type != GgufValueType::ARRAY || !(is_float(array_type) || is_signed(array_type) || is_unsigned(array_type)))
    fail(what, ": expected an array of numbers, got ",
         type == GgufValueType::ARRAY ? "an array of " + gguf_value_type_name(array_type) : gguf_value_type_name(type));
  std::vector<float> out;
  out.reserve(array.size());
  for (const auto& e : array) out.push_back(static_cast<float>(e.as_float(what)));
  return out;
}

std::vector<int64_t> GgufValue::as_ints(const std::string& what) const {
  if (type != GgufValueType::ARRAY || !(is_signed(array_type) || is_unsigned(array_type)))
    fail(what, ": expected an array of integers, got ",
         type == GgufValueType::ARRAY ? "an array of " + gguf_value_type_name(array_type) : gguf_value_type_name(type));
  std::vector<int64_t> out;
  out.reserve(array.size());
  for (const auto& e : array) out.push_back(e.as_int(what));
  return out;
}

std::string GgufValue::to_display(size_t max_array_items) const {
  if (type != GgufValueType::ARRAY) return scalar_display(*this);
  std::string out = cat("[", gguf_value_type_name(array_type), " x ", array.size(), "] [");
  for (size_t k = 0; k < array.size() && k < max_array_items; ++k) {
    if (k) out += ", ";
    out += scalar_display(array[k]);
  }
  if (array.size() > max_array_items) out += cat(", ... (", array.size() - max_array_items, " more)");
  return out + "]";
}

// ---- GgufTensorInfo / GgufFile -------------------------------------------------------

uint64_t GgufTensorInfo::n_elements() const {
  uint64_t n = 1;
  for (uint64_t d : dims) n *= d;  // validated against overflow when the file was opened
  return n;
}

GgufFile GgufFile::open(const std::string& path) {
  GgufFile f;
  f.file_ = MappedFile::open(path);
  const uint64_t size = f.file_.size();
  Cursor in(f.file_.path(), f.file_.data(), size);

  if (size < 4) fail(path, ": not a GGUF file: only ", size, " bytes (expected the magic \"GGUF\")");
  uint32_t magic = in.read<uint32_t>("magic");
  if (magic != kGgufMagic) fail(path, ": not a GGUF file: the first 4 bytes are not \"GGUF\"");
  f.version_ = in.read<uint32_t>("version");
  if (f.version_ != 2 && f.version_ != 3)
    fail(path, ": unsupported GGUF version ", f.version_, " (gemba reads versions 2 and 3; re-convert the model)");
  uint64_t n_tensors = in.read<uint64_t>("tensor count");
  uint64_t n_kv = in.read<uint64_t>("metadata count");
  // Smallest possible KV: key length (8) + type (4) + 1-byte value; tensor info: name length (8)
  // + n_dims (4) + type (4) + offset (8).
  if (n_kv > in.remaining() / 13)
    fail(path, ": truncated or corrupt GGUF: metadata count ", n_kv, " is larger than the file (", size,
         " bytes) could hold (re-download or re-export the file)");
  if (n_tensors > in.remaining() / 24)
    fail(path, ": truncated or corrupt GGUF: tensor count ", n_tensors, " is larger than the file (", size,
         " bytes) could hold (re-download or re-export the file)");

  std::unordered_set<std::string> keys;
  f.kv_.reserve(n_kv);
  for (uint64_t k = 0; k < n_kv; ++k) {
    std::string key = in.read_string("metadata key");
    if (key.empty()) in.error(cat("metadata key #", k, " is empty"));
    if (!utf8_valid(key)) in.error(cat("metadata key #", k, " is not valid UTF-8"));
    if (!keys.insert(key).second) in.error(cat("duplicate metadata key '", key, "'"));
    uint32_t type = in.read<uint32_t>("metadata value type");
    GgufValue value = read_value(in, type, key);
    f.kv_.emplace_back(std::move(key), std::move(value));
  }

  if (const GgufValue* a = f.find("general.alignment")) {
    if (a->type != GgufValueType::UINT32)
      fail(path, ": general.alignment must be a uint32, got ", gguf_value_type_name(a->type));
    if (a->u == 0 || (a->u & (a->u - 1)) != 0)
      fail(path, ": general.alignment ", a->u, " is not a power of two");
    f.alignment_ = a->u;
  }

  std::unordered_set<std::string> names;
  f.tensors_.reserve(n_tensors);
  for (uint64_t t = 0; t < n_tensors; ++t) {
    GgufTensorInfo info;
    info.name = in.read_string("tensor name");
    if (info.name.empty()) in.error(cat("tensor #", t, " has an empty name"));
    if (!utf8_valid(info.name)) in.error(cat("tensor #", t, " name is not valid UTF-8"));
    if (!names.insert(info.name).second) in.error(cat("duplicate tensor name '", info.name, "'"));
    uint32_t n_dims = in.read<uint32_t>("tensor n_dims");
    if (n_dims == 0 || n_dims > kMaxDims)
      in.error(cat("tensor '", info.name, "' has ", n_dims, " dimensions (must be 1..", kMaxDims, ")"));
    uint64_t n_elements = 1;
    for (uint32_t d = 0; d < n_dims; ++d) {
      uint64_t dim = in.read<uint64_t>("tensor dimension");
      if (dim > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()) || mul_overflows(n_elements, dim, &n_elements))
        in.error(cat("tensor '", info.name, "': element count overflows (dimension ", d, " = ", dim, ")"));
      info.dims.push_back(dim);
    }
    uint32_t raw_type = in.read<uint32_t>("tensor type");
    info.type = static_cast<GgmlType>(raw_type);
    if (!ggml_type_known(info.type))
      in.error(cat("tensor '", info.name, "' has unknown type ", raw_type,
                   " (a newer ggml type gemba cannot read; re-quantize with a supported type such as q8_0, q4_0, q4_k, q6_k, f16)"));
    uint64_t block = ggml_block_elements(info.type);
    if (info.dims[0] % block != 0)
      in.error(cat("tensor '", info.name, "': first dimension ", info.dims[0], " is not a multiple of the ",
                   ggml_type_name(info.type), " block size ", block));
    uint64_t row_bytes = ggml_row_bytes(info.type, info.dims[0]);
    uint64_t rows = info.dims[0] == 0 ? 0 : n_elements / info.dims[0];
    if (mul_overflows(row_bytes, rows, &info.n_bytes))
      in.error(cat("tensor '", info.name, "': byte size overflows"));
    info.offset = in.read<uint64_t>("tensor offset");
    if (info.offset % f.alignment_ != 0)
      in.error(cat("tensor '", info.name, "': data offset ", info.offset, " is not a multiple of the alignment ",
                   f.alignment_));
    f.tensors_.push_back(std::move(info));
  }

  f.data_offset_ = align_up(in.pos(), f.alignment_);
  uint64_t data_end = 0;
  for (auto& info : f.tensors_) {
    uint64_t begin, end;
    if (__builtin_add_overflow(f.data_offset_, info.offset, &begin) ||
        __builtin_add_overflow(begin, info.n_bytes, &end) || end > size)
      fail(path, ": truncated or corrupt GGUF: tensor '", info.name, "' data [", info.offset, ", +", info.n_bytes,
           ") after the data section at byte ", f.data_offset_, " runs past the end of the file (", size,
           " bytes; re-download or re-export the file)");
    info.data = f.file_.data() + begin;
    data_end = std::max(data_end, align_up(end, f.alignment_));
  }
  // Writers (ggml, gguf-py, gemba) pad every tensor, the last one included, and ggml reads
  // the padded data section whole: a file cut inside that padding was truncated.
  if (data_end > size)
    fail(path, ": truncated GGUF: the data section should end at byte ", data_end, " (padded to ", f.alignment_,
         ") but the file has ", size, " bytes (re-download or re-export the file)");
  return f;
}

const GgufValue* GgufFile::find(const std::string& key) const {
  for (const auto& [k, v] : kv_)
    if (k == key) return &v;
  return nullptr;
}

const GgufValue& GgufFile::get(const std::string& key) const {
  const GgufValue* v = find(key);
  if (!v) fail(path(), ": missing key '", key, "'");
  return *v;
}

uint64_t GgufFile::get_uint(const std::string& key) const { return get(key).as_uint(path() + ": " + key); }

uint64_t GgufFile::get_uint(const std::string& key, uint64_t fallback) const {
  const GgufValue* v = find(key);
  return v ? v->as_uint(path() + ": " + key) : fallback;
}

double GgufFile::get_float(const std::string& key, double fallback) const {
  const GgufValue* v = find(key);
  return v ? v->as_float(path() + ": " + key) : fallback;
}

std::string GgufFile::get_string(const std::string& key, const std::string& fallback) const {
  const GgufValue* v = find(key);
  return v ? v->as_string(path() + ": " + key) : fallback;
}

const GgufTensorInfo* GgufFile::find_tensor(const std::string& name) const {
  for (const auto& t : tensors_)
    if (t.name == name) return &t;
  return nullptr;
}

const GgufTensorInfo& GgufFile::tensor(const std::string& name) const {
  const GgufTensorInfo* t = find_tensor(name);
  if (!t) fail(path(), ": missing tensor '", name, "'");
  return *t;
}

// ---- GgufWriter ----------------------------------------------------------------------

GgufWriter::GgufWriter(uint64_t alignment) : alignment_(alignment) {
  if (alignment == 0 || (alignment & (alignment - 1)) != 0 || alignment > std::numeric_limits<uint32_t>::max())
    fail("GGUF writer: alignment ", alignment, " is not a power of two");
  if (alignment != kDefaultAlignment) set("general.alignment", GgufValue::from_u32(static_cast<uint32_t>(alignment)));
}

void GgufWriter::set(const std::string& key, GgufValue value) {
  if (key.empty()) fail("GGUF writer: empty metadata key");
  if (key == "general.alignment") {
    if (value.type != GgufValueType::UINT32 || value.u == 0 || (value.u & (value.u - 1)) != 0)
      fail("GGUF writer: general.alignment must be a uint32 power of two");
    alignment_ = value.u;
  }
  for (auto& [k, v] : kv_)
    if (k == key) {
      v = std::move(value);
      return;
    }
  kv_.emplace_back(key, std::move(value));
}

void GgufWriter::add_tensor(const std::string& name, std::vector<uint64_t> dims, GgmlType type, const void* data,
                            uint64_t n_bytes) {
  const auto* src = static_cast<const uint8_t*>(data);
  add_tensor(name, std::move(dims), type, n_bytes, [src, n_bytes](uint8_t* dst) { std::memcpy(dst, src, n_bytes); });
}

void GgufWriter::add_tensor(const std::string& name, std::vector<uint64_t> dims, GgmlType type, uint64_t n_bytes,
                            Fill fill) {
  if (name.empty()) fail("GGUF writer: empty tensor name");
  for (const auto& t : tensors_)
    if (t.name == name) fail("GGUF writer: duplicate tensor '", name, "'");
  if (dims.empty() || dims.size() > kMaxDims)
    fail("GGUF writer: tensor '", name, "' has ", dims.size(), " dimensions (must be 1..", kMaxDims, ")");
  if (!ggml_type_known(type)) fail("GGUF writer: tensor '", name, "' has unknown type ", static_cast<uint32_t>(type));
  uint64_t rows = 1;
  for (size_t d = 1; d < dims.size(); ++d)
    if (mul_overflows(rows, dims[d], &rows)) fail("GGUF writer: tensor '", name, "': size overflows");
  uint64_t expected;
  if (mul_overflows(ggml_row_bytes(type, dims[0]), rows, &expected))
    fail("GGUF writer: tensor '", name, "': size overflows");
  if (expected != n_bytes)
    fail("GGUF writer: tensor '", name, "' of type ", ggml_type_name(type), " needs ", expected, " bytes, got ", n_bytes);
  tensors_.push_back({name, std::move(dims), type, n_bytes, std::move(fill)});
}

void GgufWriter::write(const std::string& path) const {
  Out head;
  head.put<uint32_t>(kGgufMagic);
  head.put<uint32_t>(3);
  head.put<uint64_t>(tensors_.size());
  head.put<uint64_t>(kv_.size());
  for (const auto& [key, value] : kv_) {
    head.put_string(key);
    write_value(head, value, key);
  }
  uint64_t offset = 0;
  for (const auto& t : tensors_) {
    head.put_string(t.name);
    head.put<uint32_t>(static_cast<uint32_t>(t.dims.size()));
    for (uint64_t d : t.dims) head.put<uint64_t>(d);
    head.put<uint32_t>(static_cast<uint32_t>(t.type));
    head.put<uint64_t>(offset);
    offset = align_up(offset + t.n_bytes, alignment_);
  }
  head.bytes.resize(align_up(head.bytes.size(), alignment_), '\0');

  AtomicFile out(path);
  out.write(head.bytes);
  std::vector<uint8_t> buffer;
  static const char kZeros[256] = {};
  for (const auto& t : tensors_) {
    buffer.assign(t.n_bytes, 0);
    if (t.fill) t.fill(buffer.data());
    out.write(buffer.data(), buffer.size());
    uint64_t pad = align_up(t.n_bytes, alignment_) - t.n_bytes;
    while (pad > 0) {
      uint64_t n = std::min<uint64_t>(pad, sizeof(kZeros));
      out.write(kZeros, n);
      pad -= n;
    }
  }
  out.commit();
}

}  // namespace gemba::format
