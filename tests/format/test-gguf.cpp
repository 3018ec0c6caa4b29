// GGUF: round trips of every KV type and several tensor types; bad input (truncation at
// every length, bit flips, oversized counts, misaligned offsets, data past EOF) must give a
// gemba::Error naming the file, never a crash.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>

#include <unistd.h>

#include "core/atomic-output.h"
#include "core/error.h"
#include "format/gguf.h"

namespace fs = std::filesystem;
using namespace gemba;
using namespace gemba::format;

namespace {

class GgufTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("gemba-test-gguf-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }
  fs::path dir_;
};

GgufValue typed(GgufValueType type, uint64_t u, int64_t i, double f) {
  GgufValue v;
  v.type = type;
  v.u = u;
  v.i = i;
  v.f = f;
  return v;
}

// A small file with every KV type and a few tensor types.
std::vector<float> g_f32 = {1.5f, -2.0f, 3.25f, 0.0f, 7.0f, -8.5f};
std::vector<uint16_t> g_f16 = {0x3c00, 0xc000, 0x3800, 0x0000, 0x7bff, 0x0001, 0x8000, 0x4000};
std::vector<uint8_t> g_q8(2 * 34);

void write_sample(const std::string& file, uint64_t alignment = 32) {
  GgufWriter w(alignment);
  w.set_string("general.architecture", "llama");
  w.set("u8", typed(GgufValueType::UINT8, 200, 0, 0));
  w.set("i8", typed(GgufValueType::INT8, 0, -100, 0));
  w.set("u16", typed(GgufValueType::UINT16, 60000, 0, 0));
  w.set("i16", typed(GgufValueType::INT16, 0, -30000, 0));
  w.set_u32("u32", 4000000000u);
  w.set("i32", GgufValue::from_i32(-2000000000));
  w.set_f32("f32", 0.25f);
  w.set_bool("bool", true);
  w.set_string("str", "日本語 text");
  w.set("u64", GgufValue::from_u64(1ull << 60));
  w.set("i64", typed(GgufValueType::INT64, 0, -(1ll << 60), 0));
  w.set("f64", typed(GgufValueType::FLOAT64, 0, 0, 3.141592653589793));
  w.set("strs", GgufValue::from_strings({"<s>", "</s>", "", "▁日本"}));
  w.set("f32s", GgufValue::from_f32s({0.5f, -1.5f}));
  w.set("i32s", GgufValue::from_i32s({-1, 2, 3}));
  GgufValue u8s;
  u8s.type = GgufValueType::ARRAY;
  u8s.array_type = GgufValueType::UINT8;
  for (int k = 0; k < 20; ++k) u8s.array.push_back(typed(GgufValueType::UINT8, k, 0, 0));
  w.set("u8s", u8s);
  for (size_t k = 0; k < g_q8.size(); ++k) g_q8[k] = static_cast<uint8_t>(k * 7);
  w.add_tensor("a.f32", {3, 2}, GgmlType::F32, g_f32.data(), g_f32.size() * 4);
  w.add_tensor("b.f16", {8}, GgmlType::F16, g_f16.data(), g_f16.size() * 2);
  w.add_tensor("c.q8_0", {32, 2}, GgmlType::Q8_0, g_q8.data(), g_q8.size());
  w.add_tensor("d.q4_k", {256}, GgmlType::Q4_K, 144, [](uint8_t* dst) {
    for (int k = 0; k < 144; ++k) dst[k] = static_cast<uint8_t>(255 - k);
  });
  w.write(file);
}

std::string read_bytes(const std::string& file) { return read_file(file); }
// Plain write (no fsync): the loops below write thousands of small files.
// The old file is unlinked first: ext4 flushes a file truncated and rewritten in place.
void write_bytes(const std::string& file, const std::string& bytes) {
  std::error_code ec;
  fs::remove(file, ec);
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

// Opens a file expected to be bad; the error must be a gemba::Error naming the file.
void expect_error_naming(const std::string& file, const std::string& needle = "") {
  try {
    GgufFile::open(file);
    FAIL() << "expected gemba::Error for " << file;
  } catch (const Error& e) {
    std::string msg = e.what();
    EXPECT_NE(msg.find(file), std::string::npos) << msg;
    if (!needle.empty()) {
      EXPECT_NE(msg.find(needle), std::string::npos) << msg;
    }
  }
}

// Position of the first occurrence of `needle` in the raw bytes.
size_t find_bytes(const std::string& hay, const std::string& needle) {
  size_t pos = hay.find(needle);
  EXPECT_NE(pos, std::string::npos) << needle;
  return pos;
}

template <class T>
void put(std::string& bytes, size_t pos, T v) {
  std::memcpy(bytes.data() + pos, &v, sizeof(T));
}

}  // namespace

TEST_F(GgufTest, RoundTripsEveryValueType) {
  write_sample(path("a.gguf"));
  GgufFile f = GgufFile::open(path("a.gguf"));
  EXPECT_EQ(f.version(), 3u);
  EXPECT_EQ(f.alignment(), 32u);
  EXPECT_EQ(f.metadata().size(), 17u);
  EXPECT_EQ(f.get("u8").type, GgufValueType::UINT8);
  EXPECT_EQ(f.get_uint("u8"), 200u);
  EXPECT_EQ(f.get("i8").as_int("i8"), -100);
  EXPECT_EQ(f.get("u16").type, GgufValueType::UINT16);
  EXPECT_EQ(f.get_uint("u16"), 60000u);
  EXPECT_EQ(f.get("i16").as_int("i16"), -30000);
  EXPECT_EQ(f.get_uint("u32"), 4000000000u);
  EXPECT_EQ(f.get("i32").as_int("i32"), -2000000000);
  EXPECT_EQ(f.get("f32").type, GgufValueType::FLOAT32);
  EXPECT_EQ(f.get_float("f32", 0), 0.25);
  EXPECT_TRUE(f.get("bool").as_bool("bool"));
  EXPECT_EQ(f.get_string("str", ""), "日本語 text");
  EXPECT_EQ(f.get_uint("u64"), 1ull << 60);
  EXPECT_EQ(f.get("i64").as_int("i64"), -(1ll << 60));
  EXPECT_EQ(f.get("f64").type, GgufValueType::FLOAT64);
  EXPECT_EQ(f.get_float("f64", 0), 3.141592653589793);
  EXPECT_EQ(f.get("strs").as_strings("strs"), (std::vector<std::string>{"<s>", "</s>", "", "▁日本"}));
  EXPECT_EQ(f.get("f32s").as_floats("f32s"), (std::vector<float>{0.5f, -1.5f}));
  EXPECT_EQ(f.get("i32s").as_ints("i32s"), (std::vector<int64_t>{-1, 2, 3}));
  EXPECT_EQ(f.get("u8s").array.size(), 20u);
  EXPECT_EQ(f.get("u8s").array_type, GgufValueType::UINT8);
  EXPECT_EQ(f.get("u8s").array[19].u, 19u);
  // Metadata keeps file order.
  EXPECT_EQ(f.metadata()[0].first, "general.architecture");
  EXPECT_EQ(f.metadata().back().first, "u8s");
}

TEST_F(GgufTest, RoundTripsTensorsZeroCopyAndAligned) {
  write_sample(path("a.gguf"));
  GgufFile f = GgufFile::open(path("a.gguf"));
  ASSERT_EQ(f.tensors().size(), 4u);
  const auto& a = f.tensor("a.f32");
  EXPECT_EQ(a.dims, (std::vector<uint64_t>{3, 2}));
  EXPECT_EQ(a.type, GgmlType::F32);
  EXPECT_EQ(a.n_elements(), 6u);
  EXPECT_EQ(a.n_bytes, 24u);
  EXPECT_EQ(std::memcmp(a.data, g_f32.data(), 24), 0);
  const auto& b = f.tensor("b.f16");
  EXPECT_EQ(b.n_bytes, 16u);
  EXPECT_EQ(std::memcmp(b.data, g_f16.data(), 16), 0);
  const auto& c = f.tensor("c.q8_0");
  EXPECT_EQ(c.n_bytes, 68u);
  EXPECT_EQ(std::memcmp(c.data, g_q8.data(), 68), 0);
  const auto& d = f.tensor("d.q4_k");
  EXPECT_EQ(d.n_bytes, 144u);
  EXPECT_EQ(d.data[0], 255);
  EXPECT_EQ(d.data[143], 255 - 143);
  for (const auto& t : f.tensors()) {
    EXPECT_EQ(t.offset % 32, 0u) << t.name;
    EXPECT_EQ((t.data - f.tensors()[0].data + f.data_offset()) % 32, 0u) << t.name;
    EXPECT_GE(t.data, reinterpret_cast<const uint8_t*>(f.tensors()[0].data));
  }
  EXPECT_EQ(f.data_offset() % 32, 0u);
  EXPECT_EQ(f.find_tensor("nope"), nullptr);
  try {
    f.tensor("nope");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(path("a.gguf")), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("nope"), std::string::npos);
  }
  // Views survive moving the file object (the mapping does not move).
  const uint8_t* before = a.data;
  GgufFile moved = std::move(f);
  EXPECT_EQ(moved.tensor("a.f32").data, before);
  EXPECT_EQ(std::memcmp(moved.tensor("a.f32").data, g_f32.data(), 24), 0);
}

TEST_F(GgufTest, HonoursCustomAlignment) {
  write_sample(path("a.gguf"), 64);
  GgufFile f = GgufFile::open(path("a.gguf"));
  EXPECT_EQ(f.alignment(), 64u);
  EXPECT_EQ(f.get_uint("general.alignment"), 64u);
  EXPECT_EQ(f.data_offset() % 64, 0u);
  for (const auto& t : f.tensors()) EXPECT_EQ(t.offset % 64, 0u);
  EXPECT_EQ(std::memcmp(f.tensor("c.q8_0").data, g_q8.data(), 68), 0);
  // Default alignment writes no general.alignment key.
  write_sample(path("b.gguf"));
  EXPECT_EQ(GgufFile::open(path("b.gguf")).find("general.alignment"), nullptr);
  EXPECT_THROW(GgufWriter(48), Error);
}

TEST_F(GgufTest, SetReplacesAndWriterValidates) {
  GgufWriter w;
  w.set_u32("k", 1);
  w.set_u32("k", 2);
  float x[4] = {};
  EXPECT_THROW(w.add_tensor("t", {4}, GgmlType::F32, x, 12), Error);   // wrong byte count
  EXPECT_THROW(w.add_tensor("t", {33}, GgmlType::Q8_0, x, 34), Error);  // not a block multiple
  EXPECT_THROW(w.add_tensor("t", {1, 1, 1, 1, 1}, GgmlType::F32, x, 4), Error);
  w.add_tensor("t", {4}, GgmlType::F32, x, 16);
  EXPECT_THROW(w.add_tensor("t", {4}, GgmlType::F32, x, 16), Error);  // duplicate
  GgufValue bad = typed(GgufValueType::UINT8, 300, 0, 0);
  w.set("bad", bad);
  EXPECT_THROW(w.write(path("x.gguf")), Error);
  EXPECT_FALSE(fs::exists(path("x.gguf")));  // atomic: nothing half-written
  w.set("bad", typed(GgufValueType::UINT8, 3, 0, 0));
  w.write(path("x.gguf"));
  GgufFile f = GgufFile::open(path("x.gguf"));
  EXPECT_EQ(f.metadata().size(), 2u);
  EXPECT_EQ(f.get_uint("k"), 2u);
}

TEST_F(GgufTest, TypeTables) {
  EXPECT_EQ(ggml_type_name(GgmlType::Q4_K), "q4_k");
  EXPECT_EQ(ggml_type_name(static_cast<GgmlType>(99)), "unknown(99)");
  EXPECT_FALSE(ggml_type_known(static_cast<GgmlType>(4)));  // removed Q4_2
  EXPECT_EQ(ggml_row_bytes(GgmlType::Q4_0, 64), 36u);
  EXPECT_EQ(ggml_row_bytes(GgmlType::Q6_K, 512), 420u);
  EXPECT_EQ(ggml_row_bytes(GgmlType::BF16, 10), 20u);
  EXPECT_THROW(ggml_row_bytes(GgmlType::Q8_0, 33), Error);
  EXPECT_EQ(parse_ggml_type("Q8_0"), GgmlType::Q8_0);
  EXPECT_EQ(parse_ggml_type("bf16"), GgmlType::BF16);
  EXPECT_THROW(parse_ggml_type("q9_9"), Error);
  EXPECT_EQ(llama_file_type(GgmlType::Q8_0), 7u);
}

TEST_F(GgufTest, DisplayAbbreviatesLongArrays) {
  std::vector<std::string> many;
  for (int k = 0; k < 100; ++k) many.push_back(std::string("t").append(std::to_string(k)));
  std::string s = GgufValue::from_strings(many).to_display(3);
  EXPECT_NE(s.find("string x 100"), std::string::npos) << s;
  EXPECT_NE(s.find("\"t2\""), std::string::npos) << s;
  EXPECT_EQ(s.find("\"t3\""), std::string::npos) << s;
  EXPECT_NE(s.find("97 more"), std::string::npos) << s;
  EXPECT_EQ(GgufValue::from_string("a\"b\n").to_display(), "\"a\\\"b\\n\"");
}

TEST_F(GgufTest, TypedGettersRejectWrongTypes) {
  write_sample(path("a.gguf"));
  GgufFile f = GgufFile::open(path("a.gguf"));
  EXPECT_THROW(f.get("str").as_uint("str"), Error);
  EXPECT_THROW(f.get("i8").as_uint("i8"), Error);  // negative
  EXPECT_THROW(f.get("u32").as_string("u32"), Error);
  EXPECT_THROW(f.get("f32s").as_strings("f32s"), Error);
  EXPECT_THROW(f.get("strs").as_floats("strs"), Error);
  EXPECT_THROW(f.get_uint("missing"), Error);
  EXPECT_EQ(f.get_uint("missing", 7), 7u);
  try {
    f.get("missing");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(path("a.gguf")), std::string::npos);
  }
}

TEST_F(GgufTest, ReadsVersion2AndRejectsOthers) {
  write_sample(path("a.gguf"));
  std::string bytes = read_bytes(path("a.gguf"));
  put<uint32_t>(bytes, 4, 2);
  write_bytes(path("v2.gguf"), bytes);
  EXPECT_EQ(GgufFile::open(path("v2.gguf")).version(), 2u);
  put<uint32_t>(bytes, 4, 1);
  write_bytes(path("v1.gguf"), bytes);
  expect_error_naming(path("v1.gguf"), "version 1");
  put<uint32_t>(bytes, 4, 3);
  bytes[0] = 'X';
  write_bytes(path("magic.gguf"), bytes);
  expect_error_naming(path("magic.gguf"), "GGUF");
}

TEST_F(GgufTest, TruncatedAtEveryLengthThrows) {
  write_sample(path("a.gguf"));
  const std::string bytes = read_bytes(path("a.gguf"));
  const std::string cut = path("cut.gguf");
  for (size_t n = 0; n < bytes.size(); ++n) {
    write_bytes(cut, bytes.substr(0, n));
    try {
      GgufFile::open(cut);
      ADD_FAILURE() << "a file truncated to " << n << " of " << bytes.size() << " bytes was accepted";
    } catch (const Error& e) {
      ASSERT_NE(std::string(e.what()).find(cut), std::string::npos) << e.what();
    }
  }
}

TEST_F(GgufTest, RandomBitFlipsNeverCrash) {
  write_sample(path("a.gguf"));
  const std::string bytes = read_bytes(path("a.gguf"));
  const std::string bad = path("flip.gguf");
  int accepted = 0, rejected = 0;
  for (uint32_t seed = 0; seed < 600; ++seed) {
    std::mt19937 rng(seed);
    std::string b = bytes;
    int flips = 1 + seed % 4;
    // Header bytes (before the tensor data) are where flips hit the parser.
    size_t limit = seed % 2 ? b.size() : std::min<size_t>(b.size(), 700);
    for (int k = 0; k < flips; ++k) b[rng() % limit] ^= static_cast<char>(1u << (rng() % 8));
    write_bytes(bad, b);
    try {
      GgufFile f = GgufFile::open(bad);
      // Whatever was accepted must be internally consistent: every view inside the file.
      for (const auto& t : f.tensors()) {
        ASSERT_NE(t.data, nullptr);
        ASSERT_LE(f.data_offset() + t.offset + t.n_bytes, f.file_size());
      }
      ++accepted;
    } catch (const Error& e) {
      ASSERT_NE(std::string(e.what()).find(bad), std::string::npos) << e.what();
      ++rejected;
    }
  }
  EXPECT_GT(rejected, 0);
  EXPECT_GT(accepted, 0);  // flips inside values or data are legal files
}

TEST_F(GgufTest, OversizedCountsAreRejectedBeforeAllocating) {
  write_sample(path("a.gguf"));
  const std::string bytes = read_bytes(path("a.gguf"));
  {  // tensor count
    std::string b = bytes;
    put<uint64_t>(b, 8, 1ull << 62);
    write_bytes(path("t.gguf"), b);
    expect_error_naming(path("t.gguf"), "tensor count");
  }
  {  // KV count
    std::string b = bytes;
    put<uint64_t>(b, 16, ~0ull);
    write_bytes(path("kv.gguf"), b);
    expect_error_naming(path("kv.gguf"), "metadata count");
  }
  {  // string length of the first key
    std::string b = bytes;
    put<uint64_t>(b, 24, 1ull << 50);
    write_bytes(path("s.gguf"), b);
    expect_error_naming(path("s.gguf"), "length");
  }
  {  // array count of "strs"
    std::string b = bytes;
    size_t key = find_bytes(b, "strs");
    put<uint64_t>(b, key + 4 + 4 + 4, 1ull << 40);  // key, value type, element type, count
    write_bytes(path("arr.gguf"), b);
    expect_error_naming(path("arr.gguf"), "strs");
  }
  {  // tensor dims whose product overflows
    std::string b = bytes;
    size_t name = find_bytes(b, "a.f32");
    put<uint64_t>(b, name + 5 + 4, 1ull << 40);
    put<uint64_t>(b, name + 5 + 4 + 8, 1ull << 40);
    write_bytes(path("dims.gguf"), b);
    expect_error_naming(path("dims.gguf"), "a.f32");
  }
  {  // n_dims > 4
    std::string b = bytes;
    size_t name = find_bytes(b, "b.f16");
    put<uint32_t>(b, name + 5, 9);
    write_bytes(path("ndims.gguf"), b);
    expect_error_naming(path("ndims.gguf"), "dimensions");
  }
}

TEST_F(GgufTest, UnknownTypesAreNamed) {
  write_sample(path("a.gguf"));
  const std::string bytes = read_bytes(path("a.gguf"));
  {
    std::string b = bytes;
    size_t key = find_bytes(b, "u16");
    put<uint32_t>(b, key + 3, 77);
    write_bytes(path("kv.gguf"), b);
    expect_error_naming(path("kv.gguf"), "unknown value type 77");
  }
  {
    std::string b = bytes;
    size_t name = find_bytes(b, "b.f16");
    put<uint32_t>(b, name + 5 + 4 + 8, 4);  // after n_dims and the single dim: type = removed Q4_2
    write_bytes(path("tt.gguf"), b);
    expect_error_naming(path("tt.gguf"), "unknown type 4");
  }
}

TEST_F(GgufTest, MisalignedOffsetsAndDataPastEofAreRejected) {
  write_sample(path("a.gguf"));
  const std::string bytes = read_bytes(path("a.gguf"));
  size_t name = find_bytes(bytes, "b.f16");
  size_t offset_pos = name + 5 + 4 + 8 + 4;
  {
    std::string b = bytes;
    uint64_t off;
    std::memcpy(&off, b.data() + offset_pos, 8);
    put<uint64_t>(b, offset_pos, off + 4);
    write_bytes(path("mis.gguf"), b);
    expect_error_naming(path("mis.gguf"), "alignment");
  }
  {
    std::string b = bytes;
    put<uint64_t>(b, offset_pos, 1ull << 20);
    write_bytes(path("eof.gguf"), b);
    expect_error_naming(path("eof.gguf"), "b.f16");
  }
  {
    std::string b = bytes;
    put<uint64_t>(b, offset_pos, ~0ull & ~31ull);  // offset + size overflows
    write_bytes(path("ovf.gguf"), b);
    expect_error_naming(path("ovf.gguf"), "b.f16");
  }
  {  // the last tensor's data cut short
    write_bytes(path("short.gguf"), bytes.substr(0, bytes.size() - 40));
    expect_error_naming(path("short.gguf"), "d.q4_k");
  }
}

TEST_F(GgufTest, DuplicateKeysAndMissingFile) {
  write_sample(path("a.gguf"));
  std::string b = read_bytes(path("a.gguf"));
  size_t key = find_bytes(b, "i16");
  b[key] = 'u';  // "u16" twice
  write_bytes(path("dup.gguf"), b);
  expect_error_naming(path("dup.gguf"), "duplicate");
  expect_error_naming(path("does-not-exist.gguf"));
  write_bytes(path("empty.gguf"), "");
  expect_error_naming(path("empty.gguf"));
}
