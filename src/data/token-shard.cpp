#include "data/token-shard.h"

#include <algorithm>
#include <bit>
#include <cstring>
#include <filesystem>

#include "core/error.h"

namespace gemba::data {
namespace fs = std::filesystem;
namespace {

constexpr char kMagic[4] = {'G', 'T', 'O', 'K'};
constexpr uint32_t kVersion = 1;
constexpr uint32_t kDtypeU16 = 0;
constexpr uint32_t kDtypeU32 = 1;
constexpr size_t kHeaderBytes = 24;

static_assert(std::endian::native == std::endian::little, "token shards are little-endian; add byte swapping for this target");

void put_u32(std::string& out, uint32_t v) { out.append(reinterpret_cast<const char*>(&v), 4); }
void put_u64(std::string& out, uint64_t v) { out.append(reinterpret_cast<const char*>(&v), 8); }

uint32_t get_u32(const uint8_t* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}

}  // namespace

TokenShardWriter::TokenShardWriter(std::string path, uint64_t vocab_size)
    : path_(std::move(path)), u16_(vocab_size <= 65536), vocab_size_(vocab_size) {
  if (vocab_size == 0) fail(path_, ": token shard needs a vocabulary size > 0");
  if (vocab_size > (uint64_t(1) << 31)) fail(path_, ": vocabulary size ", vocab_size, " does not fit int32 token ids");
}

void TokenShardWriter::append(const std::vector<int32_t>& tokens) {
  GEMBA_ASSERT(!committed_, "append after commit on ", path_);
  for (int32_t t : tokens)
    if (t < 0 || static_cast<uint64_t>(t) >= vocab_size_)
      fail(path_, ": token id ", t, " is outside the vocabulary [0, ", vocab_size_, ")");
  buffer_.insert(buffer_.end(), tokens.begin(), tokens.end());
  count_ += tokens.size();
}

void TokenShardWriter::commit() {
  GEMBA_ASSERT(!committed_, "commit twice on ", path_);
  AtomicFile file(path_);
  std::string header;
  header.append(kMagic, 4);
  put_u32(header, kVersion);
  put_u32(header, u16_ ? kDtypeU16 : kDtypeU32);
  put_u32(header, 0);
  put_u64(header, count_);
  GEMBA_ASSERT(header.size() == kHeaderBytes);
  file.write(header);
  constexpr size_t kChunk = 1 << 16;
  if (u16_) {
    std::vector<uint16_t> chunk;
    for (size_t i = 0; i < buffer_.size(); i += kChunk) {
      size_t n = std::min(kChunk, buffer_.size() - i);
      chunk.resize(n);
      for (size_t j = 0; j < n; ++j) chunk[j] = static_cast<uint16_t>(buffer_[i + j]);
      file.write(chunk.data(), n * 2);
    }
  } else {
    file.write(buffer_.data(), buffer_.size() * 4);
  }
  file.commit();
  committed_ = true;
  buffer_.clear();
  buffer_.shrink_to_fit();
}

TokenShard TokenShard::open(const std::string& path) {
  TokenShard shard;
  shard.file_ = MappedFile::open(path);
  const uint8_t* p = shard.file_.data();
  size_t size = shard.file_.size();
  if (size < kHeaderBytes) fail(path, ": not a token shard (", size, " bytes, the header alone is ", kHeaderBytes, "); re-run `gemba data prepare`");
  if (std::memcmp(p, kMagic, 4) != 0) fail(path, ": not a token shard (magic is not \"GTOK\"); pass a .tok file written by `gemba data prepare`");
  uint32_t version = get_u32(p + 4);
  if (version != kVersion) fail(path, ": token shard version ", version, " is not supported (expected ", kVersion, "); re-run `gemba data prepare`");
  uint32_t dtype = get_u32(p + 8);
  if (dtype != kDtypeU16 && dtype != kDtypeU32) fail(path, ": token shard dtype ", dtype, " is unknown (0 = u16, 1 = u32)");
  uint64_t count;
  std::memcpy(&count, p + 16, 8);
  shard.u16_ = dtype == kDtypeU16;
  uint64_t width = shard.u16_ ? 2 : 4;
  uint64_t payload = size - kHeaderBytes;
  if (count > payload / width || count * width != payload)
    fail(path, ": token shard is truncated or padded: header says ", count, " tokens (", count * width, " bytes) but ",
         payload, " bytes follow the header; re-run `gemba data prepare`");
  shard.count_ = count;
  shard.tokens_ = p + kHeaderBytes;
  return shard;
}

int32_t TokenShard::operator[](uint64_t i) const {
  GEMBA_ASSERT(i < count_, "token index ", i, " out of range ", count_, " in ", path());
  if (u16_) {
    uint16_t v;
    std::memcpy(&v, tokens_ + i * 2, 2);
    return v;
  }
  int32_t v;
  std::memcpy(&v, tokens_ + i * 4, 4);
  return v;
}

void TokenShard::read(uint64_t begin, uint64_t n, int32_t* out) const {
  GEMBA_ASSERT(begin <= count_ && n <= count_ - begin, "token range [", begin, ", ", begin + n, ") out of range ", count_,
               " in ", path());
  if (u16_) {
    const uint8_t* p = tokens_ + begin * 2;
    for (uint64_t i = 0; i < n; ++i) {
      uint16_t v;
      std::memcpy(&v, p + i * 2, 2);
      out[i] = v;
    }
  } else if (n) {
    std::memcpy(out, tokens_ + begin * 4, n * 4);
  }
}

std::vector<std::string> expand_shard_paths(const std::string& spec) {
  std::vector<std::string> paths;
  size_t start = 0;
  while (start <= spec.size()) {
    size_t comma = spec.find(',', start);
    if (comma == std::string::npos) comma = spec.size();
    std::string item = spec.substr(start, comma - start);
    start = comma + 1;
    if (item.empty()) continue;
    std::error_code ec;
    if (fs::is_directory(item, ec)) {
      std::vector<std::string> found;
      for (const auto& entry : fs::directory_iterator(item, ec))
        if (entry.is_regular_file() && entry.path().extension() == ".tok") found.push_back(entry.path().string());
      if (ec) fail(item, ": cannot list directory: ", ec.message());
      if (found.empty()) fail(item, ": directory holds no *.tok token shards; run `gemba data prepare` first");
      std::sort(found.begin(), found.end());
      paths.insert(paths.end(), found.begin(), found.end());
    } else if (fs::exists(item, ec)) {
      paths.push_back(item);
    } else {
      fail(item, ": no such token shard or directory");
    }
  }
  if (paths.empty()) fail("--data '", spec, "': names no token shard");
  return paths;
}

}  // namespace gemba::data
