// Outputs appear whole or not at all: write to a temporary name beside the target, fsync,
// then rename. A crash or an error leaves the old file (or nothing), never a half-written one.
#pragma once
#include <cstdio>
#include <string>
#include <string_view>

namespace gemba {

// Writes `bytes` to `path` atomically.
void write_file_atomic(const std::string& path, std::string_view bytes);

// Reads a whole file; throws gemba::Error naming the path.
std::string read_file(const std::string& path);

// A file being written: append with write(), then commit(). Destroyed uncommitted, the
// temporary is removed.
class AtomicFile {
 public:
  explicit AtomicFile(std::string path);
  ~AtomicFile();
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  void write(const void* data, size_t n);
  void write(std::string_view s) { write(s.data(), s.size()); }
  size_t bytes_written() const { return written_; }
  void commit();
  const std::string& temp_path() const { return temp_path_; }

 private:
  std::string path_, temp_path_;
  std::FILE* file_ = nullptr;
  size_t written_ = 0;
  bool committed_ = false;
};

// A directory being built (a checkpoint, a prepared data set): fill temp_path(), then
// commit() renames it over `path` (replacing an existing one). Uncommitted, it is removed.
class AtomicDir {
 public:
  explicit AtomicDir(std::string path);
  ~AtomicDir();
  AtomicDir(const AtomicDir&) = delete;
  AtomicDir& operator=(const AtomicDir&) = delete;

  const std::string& temp_path() const { return temp_path_; }
  std::string file(const std::string& name) const { return temp_path_ + "/" + name; }
  void commit();

 private:
  std::string path_, temp_path_;
  bool committed_ = false;
};

}  // namespace gemba
