// Token shards: the trainer's input. A small binary file:
//   magic "GTOK" | u32 version = 1 | u32 dtype (0 = u16, 1 = u32) | u32 reserved = 0 |
//   u64 token count | tokens (little-endian)
// Documents are separated by the tokenizer's EOS id (each starts with BOS when the
// tokenizer has one). Readers mmap the file; the header is 24 bytes, so tokens are aligned.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "core/atomic-output.h"
#include "core/mapped-file.h"

namespace gemba::data {

class TokenShardWriter {
 public:
  // u16 storage when every id fits (vocab_size <= 65536), else u32.
  TokenShardWriter(std::string path, uint64_t vocab_size);
  // Ids outside [0, vocab_size) are a gemba::Error naming the path.
  void append(const std::vector<int32_t>& tokens);
  void commit();  // writes the header count and renames into place
  uint64_t count() const { return count_; }
  bool is_u16() const { return u16_; }

 private:
  std::string path_;
  bool u16_;
  uint64_t vocab_size_;
  std::vector<int32_t> buffer_;
  uint64_t count_ = 0;
  bool committed_ = false;
};

class TokenShard {
 public:
  static TokenShard open(const std::string& path);  // throws naming the path
  uint64_t size() const { return count_; }
  bool is_u16() const { return u16_; }
  int32_t operator[](uint64_t i) const;  // i < size()
  void read(uint64_t begin, uint64_t n, int32_t* out) const;  // begin + n <= size()
  const std::string& path() const { return file_.path(); }

 private:
  MappedFile file_;
  bool u16_ = true;
  uint64_t count_ = 0;
  const uint8_t* tokens_ = nullptr;
};

// Expands a --data argument: a shard file, a directory (all *.tok inside, sorted), or a
// comma-separated list of either.
std::vector<std::string> expand_shard_paths(const std::string& spec);

}  // namespace gemba::data
