// data: token shard round trip (u16 and u32), header validation, path expansion.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <random>

#include "core/atomic-output.h"
#include "core/error.h"
#include "data/token-shard.h"

namespace fs = std::filesystem;
using namespace gemba;
using namespace gemba::data;

namespace {

fs::path temp_dir(const std::string& name) {
  fs::path dir = fs::temp_directory_path() / ("gemba-test-shard-" + name + "-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

std::vector<int32_t> random_tokens(size_t n, int32_t vocab, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int32_t> dist(0, vocab - 1);
  std::vector<int32_t> out(n);
  for (auto& t : out) t = dist(rng);
  return out;
}

void round_trip(uint64_t vocab, bool expect_u16) {
  fs::path dir = temp_dir("rt" + std::to_string(vocab));
  std::string path = (dir / "a.tok").string();
  auto first = random_tokens(1000, static_cast<int32_t>(vocab), 1);
  auto second = random_tokens(37, static_cast<int32_t>(vocab), 2);
  first.push_back(static_cast<int32_t>(vocab - 1));  // the largest id must survive
  TokenShardWriter writer(path, vocab);
  EXPECT_EQ(writer.is_u16(), expect_u16);
  writer.append(first);
  writer.append(second);
  EXPECT_FALSE(fs::exists(path)) << "the shard must not appear before commit";
  writer.commit();
  EXPECT_EQ(fs::file_size(path), 24 + (first.size() + second.size()) * (expect_u16 ? 2 : 4));

  TokenShard shard = TokenShard::open(path);
  EXPECT_EQ(shard.is_u16(), expect_u16);
  ASSERT_EQ(shard.size(), first.size() + second.size());
  for (size_t i = 0; i < first.size(); ++i) ASSERT_EQ(shard[i], first[i]) << i;
  std::vector<int32_t> tail(second.size());
  shard.read(first.size(), second.size(), tail.data());
  EXPECT_EQ(tail, second);
  fs::remove_all(dir);
}

}  // namespace

TEST(TokenShard, RoundTripU16) { round_trip(32000, true); }
TEST(TokenShard, RoundTripU16Boundary) { round_trip(65536, true); }
TEST(TokenShard, RoundTripU32) { round_trip(99584, false); }

TEST(TokenShard, EmptyShardRoundTrips) {
  fs::path dir = temp_dir("empty");
  std::string path = (dir / "e.tok").string();
  TokenShardWriter writer(path, 100);
  writer.commit();
  EXPECT_EQ(TokenShard::open(path).size(), 0u);
  fs::remove_all(dir);
}

TEST(TokenShard, RejectsOutOfVocabularyIds) {
  fs::path dir = temp_dir("oov");
  TokenShardWriter writer((dir / "x.tok").string(), 100);
  EXPECT_THROW(writer.append({1, 100}), Error);
  EXPECT_THROW(writer.append({-1}), Error);
  fs::remove_all(dir);
}

TEST(TokenShard, BadHeadersAreErrorsNamingTheFile) {
  fs::path dir = temp_dir("bad");
  std::string good = (dir / "good.tok").string();
  {
    TokenShardWriter writer(good, 1000);
    writer.append({1, 2, 3, 4});
    writer.commit();
  }
  std::string bytes = read_file(good);
  auto expect_error = [&](const std::string& name, const std::string& content, const std::string& needle) {
    std::string path = (dir / name).string();
    write_file_atomic(path, content);
    try {
      TokenShard::open(path);
      ADD_FAILURE() << name << " opened without error";
    } catch (const Error& e) {
      std::string msg = e.what();
      EXPECT_NE(msg.find(path), std::string::npos) << msg;
      EXPECT_NE(msg.find(needle), std::string::npos) << msg;
    }
  };
  expect_error("short.tok", bytes.substr(0, 10), "header");
  std::string magic = bytes;
  magic[0] = 'X';
  expect_error("magic.tok", magic, "magic");
  std::string version = bytes;
  version[4] = 7;
  expect_error("version.tok", version, "version");
  std::string dtype = bytes;
  dtype[8] = 5;
  expect_error("dtype.tok", dtype, "dtype");
  expect_error("truncated.tok", bytes.substr(0, bytes.size() - 1), "truncated");
  expect_error("padded.tok", bytes + "xx", "truncated");
  std::string huge = bytes;
  huge[23] = 0x7f;  // count near 2^63: must not overflow the size check
  expect_error("huge.tok", huge, "truncated");
  EXPECT_THROW(TokenShard::open((dir / "missing.tok").string()), Error);
  fs::remove_all(dir);
}

TEST(TokenShard, ExpandsFilesDirectoriesAndLists) {
  fs::path dir = temp_dir("expand");
  for (const char* name : {"b.tok", "a.tok"}) {
    TokenShardWriter writer((dir / name).string(), 10);
    writer.append({1});
    writer.commit();
  }
  write_file_atomic((dir / "notes.txt").string(), "x");
  auto paths = expand_shard_paths(dir.string());
  ASSERT_EQ(paths.size(), 2u);
  EXPECT_EQ(fs::path(paths[0]).filename(), "a.tok");
  EXPECT_EQ(fs::path(paths[1]).filename(), "b.tok");
  auto listed = expand_shard_paths((dir / "b.tok").string() + "," + dir.string());
  EXPECT_EQ(listed.size(), 3u);
  EXPECT_THROW(expand_shard_paths((dir / "nope.tok").string()), Error);
  fs::path empty = dir / "empty";
  fs::create_directories(empty);
  EXPECT_THROW(expand_shard_paths(empty.string()), Error);
  EXPECT_THROW(expand_shard_paths(""), Error);
  fs::remove_all(dir);
}
