// core: UTF-8, fp16/bf16, atomic outputs, JSON field errors, thread pool.
#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <filesystem>
#include <fstream>

#include "core/atomic-output.h"
#include "core/half.h"
#include "core/json.h"
#include "core/mapped-file.h"
#include "core/thread-pool.h"
#include "core/utf8.h"

namespace fs = std::filesystem;
using namespace gemba;

TEST(Utf8, ValidatesAndReportsOffset) {
  EXPECT_TRUE(utf8_valid("abc 日本語 ✓ 😀"));
  size_t bad = 99;
  EXPECT_FALSE(utf8_valid(std::string("ok\xC3(", 4), &bad));
  EXPECT_EQ(bad, 2u);
  EXPECT_FALSE(utf8_valid("\xC0\x80"));          // overlong
  EXPECT_FALSE(utf8_valid("\xED\xA0\x80"));      // surrogate
  EXPECT_FALSE(utf8_valid("\xF4\x90\x80\x80"));  // > U+10FFFF
  EXPECT_FALSE(utf8_valid("\xE6\x97"));          // truncated
  EXPECT_THROW(require_utf8("\xFF", "x.txt"), Error);
}

TEST(Utf8, DecodeEncodeRoundTrip) {
  std::string s = "Aé日😀";
  std::string out;
  size_t pos = 0;
  std::vector<uint32_t> cps;
  while (pos < s.size()) cps.push_back(utf8_decode(s, pos));
  EXPECT_EQ(cps, (std::vector<uint32_t>{0x41, 0xE9, 0x65E5, 0x1F600}));
  for (auto cp : cps) utf8_append(out, cp);
  EXPECT_EQ(out, s);
}

TEST(Half, F16RoundTripsEveryFiniteValue) {
  for (uint32_t h = 0; h < 0x10000; ++h) {
    if ((h & 0x7c00) == 0x7c00) continue;  // inf/NaN
    float f = f16_to_f32(static_cast<uint16_t>(h));
    ASSERT_EQ(f32_to_f16(f), h) << h;
  }
  EXPECT_EQ(f16_to_f32(0x3c00), 1.0f);
  EXPECT_EQ(f16_to_f32(0xc000), -2.0f);
  EXPECT_EQ(f16_to_f32(0x0001), std::ldexp(1.0f, -24));
  EXPECT_EQ(f32_to_f16(1e6f), 0x7c00);               // overflow -> inf
  EXPECT_EQ(f32_to_f16(1.0f + 1.0f / 2048), 0x3c00);  // tie rounds to even
}

TEST(Half, Bf16RoundsToNearestEven) {
  EXPECT_EQ(bf16_to_f32(f32_to_bf16(1.0f)), 1.0f);
  EXPECT_EQ(f32_to_bf16(bits_to_float(0x3f808000)), 0x3f80);  // tie -> even
  EXPECT_EQ(f32_to_bf16(bits_to_float(0x3f818000)), 0x3f82);  // tie -> even (up)
  EXPECT_NEAR(bf16_to_f32(f32_to_bf16(3.14159f)), 3.14159f, 0.01f);
}

TEST(AtomicOutput, FileAppearsOnlyOnCommit) {
  auto dir = fs::temp_directory_path() / "gemba-test-atomic";
  fs::remove_all(dir);
  fs::create_directories(dir);
  std::string path = (dir / "out.bin").string();
  {
    AtomicFile f(path);
    f.write("partial");
    EXPECT_FALSE(fs::exists(path));
  }  // destroyed uncommitted
  EXPECT_FALSE(fs::exists(path));
  EXPECT_EQ(std::distance(fs::directory_iterator(dir), fs::directory_iterator()), 0);
  write_file_atomic(path, "whole");
  EXPECT_EQ(read_file(path), "whole");
  auto mapped = MappedFile::open(path);
  EXPECT_EQ(mapped.view(), "whole");
  EXPECT_THROW(MappedFile::open((dir / "missing").string()), Error);

  std::string out_dir = (dir / "ckpt").string();
  {
    AtomicDir d(out_dir);
    write_file_atomic(d.file("a.txt"), "1");
    d.commit();
  }
  {
    AtomicDir d(out_dir);  // replaces the old one only on commit
    write_file_atomic(d.file("b.txt"), "2");
  }
  EXPECT_TRUE(fs::exists(out_dir + "/a.txt"));
  EXPECT_FALSE(fs::exists(out_dir + "/b.txt"));
  fs::remove_all(dir);
}

TEST(Json, ErrorsNameTheField) {
  Json j = parse_json(R"({"a": 1, "b": "x"})", "cfg.json");
  EXPECT_EQ(json_require<int>(j, "a", "cfg.json"), 1);
  EXPECT_EQ(json_optional<int>(j, "c", 7, "cfg.json"), 7);
  try {
    json_require<int>(j, "b", "cfg.json");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("'b'"), std::string::npos);
  }
  try {
    json_require<int>(j, "zz", "cfg.json");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("cfg.json: field 'zz' is missing"), std::string::npos);
  }
  EXPECT_THROW(parse_json("{bad", "body"), Error);
}

TEST(ThreadPool, CoversRangeExactlyOnce) {
  for (int threads : {1, 2, 3}) {
    ThreadPool pool(threads);
    for (size_t n : {0u, 1u, 2u, 7u, 1000u}) {
      std::vector<std::atomic<int>> hits(n);
      for (int rep = 0; rep < 50; ++rep)
        pool.parallel_for(n, [&](size_t b, size_t e, int) {
          for (size_t i = b; i < e; ++i) hits[i]++;
        });
      for (size_t i = 0; i < n; ++i) ASSERT_EQ(hits[i].load(), 50);
    }
  }
}
