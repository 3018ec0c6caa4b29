// safetensors: round trips of every dtype, metadata, header padding, HF dirs (single and
// sharded); bad input (truncation at every length, bit flips, bad JSON, bad offsets) must
// give a gemba::Error naming the file, never a crash.
#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>

#include <unistd.h>

#include "core/atomic-output.h"
#include "core/error.h"
#include "core/half.h"
#include "core/json.h"
#include "format/safetensors.h"

namespace fs = std::filesystem;
using namespace gemba;
using namespace gemba::format;

namespace {

class SafetensorsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("gemba-test-st-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }
  fs::path dir_;
};

const std::vector<float> kF32 = {1.0f, -2.5f, 3.0f, 0.125f, 5.0f, 6.0f};
const std::vector<double> kF64 = {1e-300, -2.0};
const std::vector<int64_t> kI64 = {-(1ll << 40), 7};
const std::vector<int32_t> kI32 = {-5, 6, 7};
const std::vector<int16_t> kI16 = {-300, 300};
const std::vector<int8_t> kI8 = {-128, 127, 0};
const std::vector<uint8_t> kU8 = {0, 255, 9, 10, 11};
const std::vector<uint8_t> kBool = {1, 0, 1};

std::vector<uint16_t> to_f16(const std::vector<float>& v) {
  std::vector<uint16_t> out;
  for (float f : v) out.push_back(f32_to_f16(f));
  return out;
}
std::vector<uint16_t> to_bf16(const std::vector<float>& v) {
  std::vector<uint16_t> out;
  for (float f : v) out.push_back(f32_to_bf16(f));
  return out;
}

void write_sample(const std::string& file) {
  static const auto f16 = to_f16(kF32);
  static const auto bf16 = to_bf16(kF32);
  SafetensorsWriter w;
  w.set_metadata("format", "pt");
  w.set_metadata("note", "日本語");
  w.add("model.embed_tokens.weight", DType::F32, {2, 3}, kF32.data());
  w.add("h.f16", DType::F16, {6}, f16.data());
  w.add("h.bf16", DType::BF16, {3, 2}, bf16.data());
  w.add("d.f64", DType::F64, {2}, kF64.data());
  w.add("i.i64", DType::I64, {2}, kI64.data());
  w.add("i.i32", DType::I32, {3, 1}, kI32.data());
  w.add("i.i16", DType::I16, {2}, kI16.data());
  w.add("i.i8", DType::I8, {3}, kI8.data());
  w.add("u.u8", DType::U8, {5}, kU8.data());
  w.add("b.bool", DType::BOOL, {3}, kBool.data());
  w.add("scalar", DType::F32, {}, [](uint8_t* dst) {
    float v = 42.0f;
    std::memcpy(dst, &v, 4);
  });
  w.write(file);
}

template <class T>
void expect_data(const TensorView* t, const std::vector<T>& expected) {
  ASSERT_NE(t, nullptr);
  ASSERT_EQ(t->n_bytes, expected.size() * sizeof(T)) << t->name;
  EXPECT_EQ(std::memcmp(t->data, expected.data(), t->n_bytes), 0) << t->name;
}

void expect_error_naming(const std::string& file, const std::string& needle = "") {
  try {
    SafetensorsFile::open(file);
    FAIL() << "expected gemba::Error for " << file;
  } catch (const Error& e) {
    std::string msg = e.what();
    EXPECT_NE(msg.find(file), std::string::npos) << msg;
    if (!needle.empty()) {
      EXPECT_NE(msg.find(needle), std::string::npos) << msg;
    }
  }
}

// Plain write (no fsync): the loops below write thousands of small files.
// The old file is unlinked first: ext4 flushes a file truncated and rewritten in place.
void write_bytes(const std::string& file, const std::string& bytes) {
  std::error_code ec;
  fs::remove(file, ec);
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

// A raw safetensors file from a header string and data bytes.
std::string raw(const std::string& header, const std::string& data) {
  uint64_t n = header.size();
  std::string out(reinterpret_cast<const char*>(&n), 8);
  return out + header + data;
}

}  // namespace

TEST_F(SafetensorsTest, RoundTripsEveryDType) {
  write_sample(path("m.safetensors"));
  SafetensorsFile f = SafetensorsFile::open(path("m.safetensors"));
  EXPECT_EQ(f.tensors().size(), 11u);
  EXPECT_EQ(f.metadata().at("format"), "pt");
  EXPECT_EQ(f.metadata().at("note"), "日本語");
  const TensorView* e = f.find("model.embed_tokens.weight");
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->dtype, DType::F32);
  EXPECT_EQ(e->shape, (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(e->n_elements(), 6);
  expect_data(e, kF32);
  expect_data(f.find("h.f16"), to_f16(kF32));
  expect_data(f.find("h.bf16"), to_bf16(kF32));
  expect_data(f.find("d.f64"), kF64);
  expect_data(f.find("i.i64"), kI64);
  expect_data(f.find("i.i32"), kI32);
  expect_data(f.find("i.i16"), kI16);
  expect_data(f.find("i.i8"), kI8);
  expect_data(f.find("u.u8"), kU8);
  expect_data(f.find("b.bool"), kBool);
  EXPECT_EQ(f.find("i.i16")->dtype, DType::I16);
  EXPECT_EQ(f.find("b.bool")->dtype, DType::BOOL);
  const TensorView* s = f.find("scalar");
  ASSERT_NE(s, nullptr);
  EXPECT_TRUE(s->shape.empty());
  EXPECT_EQ(s->n_elements(), 1);
  EXPECT_EQ(to_f32(*s), std::vector<float>{42.0f});
  EXPECT_EQ(f.find("nope"), nullptr);
  // Tensors come in file (data offset) order, which is the order they were added.
  EXPECT_EQ(f.tensors().front().name, "model.embed_tokens.weight");
  EXPECT_EQ(f.tensors().back().name, "scalar");
}

TEST_F(SafetensorsTest, ConvertsFloatTypesToF32) {
  write_sample(path("m.safetensors"));
  SafetensorsFile f = SafetensorsFile::open(path("m.safetensors"));
  EXPECT_EQ(to_f32(*f.find("h.f16")), kF32);  // exactly representable values
  EXPECT_EQ(to_f32(*f.find("h.bf16")), kF32);
  EXPECT_EQ(to_f32(*f.find("d.f64")), (std::vector<float>{0.0f, -2.0f}));
  EXPECT_THROW(to_f32(*f.find("i.i32")), Error);
}

TEST_F(SafetensorsTest, HeaderIsPaddedWithSpacesTo8Bytes) {
  write_sample(path("m.safetensors"));
  std::string bytes = read_file(path("m.safetensors"));
  uint64_t n;
  std::memcpy(&n, bytes.data(), 8);
  EXPECT_EQ(n % 8, 0u);
  std::string text = bytes.substr(8, n);
  size_t last = text.find_last_not_of(' ');
  ASSERT_NE(last, std::string::npos);
  EXPECT_EQ(text[last], '}');
  EXPECT_LT(n - 1 - last, 8u);  // at most 7 padding spaces
  Json header = Json::parse(bytes.substr(8, n));
  EXPECT_EQ(header["__metadata__"]["format"], "pt");
  EXPECT_EQ(header["u.u8"]["dtype"], "U8");
  EXPECT_EQ(header["model.embed_tokens.weight"]["data_offsets"], Json::parse("[0, 24]"));
}

TEST_F(SafetensorsTest, WriterRejectsBadInput) {
  SafetensorsWriter w;
  w.add("a", DType::F32, {1}, kF32.data());
  EXPECT_THROW(w.add("a", DType::F32, {1}, kF32.data()), Error);
  EXPECT_THROW(w.add("__metadata__", DType::F32, {1}, kF32.data()), Error);
  EXPECT_THROW(w.add("b", DType::F32, {-1}, kF32.data()), Error);
  w.add("\xff bad utf8", DType::F32, {1}, kF32.data());
  EXPECT_THROW(w.write(path("x.safetensors")), Error);
  EXPECT_FALSE(fs::exists(path("x.safetensors")));
}

TEST_F(SafetensorsTest, DTypeNames) {
  EXPECT_EQ(dtype_name(DType::BF16), "BF16");
  EXPECT_EQ(dtype_bytes(DType::I64), 8u);
  EXPECT_EQ(parse_dtype("U8", "x"), DType::U8);
  try {
    parse_dtype("F8_E4M3", "w.safetensors: tensor 'q'");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("F8_E4M3"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("tensor 'q'"), std::string::npos);
  }
}

TEST_F(SafetensorsTest, TruncatedAtEveryLengthThrows) {
  write_sample(path("m.safetensors"));
  const std::string bytes = read_file(path("m.safetensors"));
  const std::string cut = path("cut.safetensors");
  for (size_t n = 0; n < bytes.size(); ++n) {
    write_bytes(cut, bytes.substr(0, n));
    try {
      SafetensorsFile::open(cut);
      ADD_FAILURE() << "a file truncated to " << n << " of " << bytes.size() << " bytes was accepted";
    } catch (const Error& e) {
      ASSERT_NE(std::string(e.what()).find(cut), std::string::npos) << e.what();
    }
  }
}

TEST_F(SafetensorsTest, RandomBitFlipsNeverCrash) {
  write_sample(path("m.safetensors"));
  const std::string bytes = read_file(path("m.safetensors"));
  const std::string bad = path("flip.safetensors");
  int accepted = 0, rejected = 0;
  for (uint32_t seed = 0; seed < 600; ++seed) {
    std::mt19937 rng(seed);
    std::string b = bytes;
    for (int k = 0; k < 1 + int(seed % 3); ++k) b[rng() % b.size()] ^= static_cast<char>(1u << (rng() % 8));
    write_bytes(bad, b);
    try {
      SafetensorsFile f = SafetensorsFile::open(bad);
      for (const auto& t : f.tensors()) ASSERT_EQ(t.n_bytes, uint64_t(t.n_elements()) * dtype_bytes(t.dtype));
      ++accepted;
    } catch (const Error& e) {
      ASSERT_NE(std::string(e.what()).find(bad), std::string::npos) << e.what();
      ++rejected;
    }
  }
  EXPECT_GT(rejected, 0);
  EXPECT_GT(accepted, 0);
}

TEST_F(SafetensorsTest, BadHeadersAreNamed) {
  const std::string f = path("bad.safetensors");
  auto check = [&](const std::string& bytes, const std::string& needle) {
    write_bytes(f, bytes);
    expect_error_naming(f, needle);
  };
  check("", "8-byte");
  {
    std::string b(8, '\0');
    uint64_t huge = 200ull * 1000 * 1000;
    std::memcpy(b.data(), &huge, 8);
    check(b + "{}", "100 MB");
    huge = 1000;
    std::memcpy(b.data(), &huge, 8);
    check(b + "{}", "past the end");
  }
  check(raw("[1, 2]", ""), "{");
  check(raw("{\"a\": ", ""), "invalid JSON");
  check(raw("{\"a\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [0, 4]}}", "abc"), "past the end");
  check(raw("{\"a\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [0, 4]}}", "abcd"), "'a'");
  check(raw("{\"a\": {\"dtype\": \"Q4\", \"shape\": [1], \"data_offsets\": [0, 4]}}", "abcd"), "Q4");
  check(raw("{\"a\": {\"shape\": [1], \"data_offsets\": [0, 4]}}", "abcd"), "dtype");
  check(raw("{\"a\": {\"dtype\": \"F32\", \"shape\": [-1], \"data_offsets\": [0, 4]}}", "abcd"), "shape");
  check(raw("{\"a\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [4, 0]}}", "abcd"), "begin after end");
  check(raw("{\"a\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [0]}}", "abcd"), "data_offsets");
  check(raw("{\"a\": {\"dtype\": \"U8\", \"shape\": [4294967296, 4294967296, 4294967296], \"data_offsets\": [0, 4]}}",
            "abcd"),
        "overflow");
  check(raw("{\"__metadata__\": {\"k\": 1}}", ""), "__metadata__");
  check(raw("{\"a\": 5}", ""), "'a'");
  check(raw(std::string("{\"\xff\": 5}"), ""), "UTF-8");
  // A valid minimal file opens.
  write_bytes(f, raw("{\"a\": {\"dtype\": \"U8\", \"shape\": [2, 2], \"data_offsets\": [0, 4]}}", "abcd"));
  EXPECT_EQ(SafetensorsFile::open(f).tensors().size(), 1u);
}

TEST_F(SafetensorsTest, OpensSingleFileHfDir) {
  fs::create_directories(path("hf"));
  write_sample(path("hf/model.safetensors"));
  SafetensorsModel m = SafetensorsModel::open_dir(path("hf"));
  EXPECT_EQ(m.tensors().size(), 11u);
  expect_data(&m.get("model.embed_tokens.weight"), kF32);
  EXPECT_EQ(m.find("missing"), nullptr);
  try {
    m.get("missing");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(path("hf")), std::string::npos);
  }
}

TEST_F(SafetensorsTest, OpensShardedHfDir) {
  fs::create_directories(path("hf"));
  SafetensorsWriter a, b;
  a.add("x.weight", DType::F32, {2, 3}, kF32.data());
  a.add("y.weight", DType::I32, {3}, kI32.data());
  b.add("z.weight", DType::U8, {5}, kU8.data());
  a.write(path("hf/model-00001-of-00002.safetensors"));
  b.write(path("hf/model-00002-of-00002.safetensors"));
  Json index = {{"metadata", {{"total_size", 41}}},
                {"weight_map",
                 {{"x.weight", "model-00001-of-00002.safetensors"},
                  {"y.weight", "model-00001-of-00002.safetensors"},
                  {"z.weight", "model-00002-of-00002.safetensors"}}}};
  write_json_file(path("hf/model.safetensors.index.json"), index);
  SafetensorsModel m = SafetensorsModel::open_dir(path("hf"));
  auto all = m.tensors();
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0]->name, "x.weight");
  EXPECT_EQ(all[2]->name, "z.weight");
  expect_data(&m.get("x.weight"), kF32);
  expect_data(&m.get("y.weight"), kI32);
  expect_data(&m.get("z.weight"), kU8);

  // A tensor listed in the index but absent from its shard.
  index["weight_map"]["w.weight"] = "model-00002-of-00002.safetensors";
  write_json_file(path("hf/model.safetensors.index.json"), index);
  EXPECT_THROW(SafetensorsModel::open_dir(path("hf")), Error);
  // A shard outside the directory.
  index["weight_map"].erase("w.weight");
  index["weight_map"]["z.weight"] = "../evil.safetensors";
  write_json_file(path("hf/model.safetensors.index.json"), index);
  EXPECT_THROW(SafetensorsModel::open_dir(path("hf")), Error);
  // A tensor in two shards.
  index["weight_map"]["z.weight"] = "model-00002-of-00002.safetensors";
  b.add("x.weight", DType::F32, {2, 3}, kF32.data());
  b.write(path("hf/model-00002-of-00002.safetensors"));
  write_json_file(path("hf/model.safetensors.index.json"), index);
  EXPECT_THROW(SafetensorsModel::open_dir(path("hf")), Error);
  // Malformed index.
  write_file_atomic(path("hf/model.safetensors.index.json"), "{\"weight_map\": [");
  try {
    SafetensorsModel::open_dir(path("hf"));
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("model.safetensors.index.json"), std::string::npos) << e.what();
  }
  // No weights at all.
  fs::create_directories(path("empty"));
  EXPECT_THROW(SafetensorsModel::open_dir(path("empty")), Error);
  EXPECT_THROW(SafetensorsModel::open_dir(path("no-such-dir")), Error);
}
