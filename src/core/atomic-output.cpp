#include "core/atomic-output.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "core/error.h"

namespace gemba {
namespace fs = std::filesystem;
namespace {

std::string unique_suffix() {
  static thread_local std::mt19937_64 rng{std::random_device{}() ^ static_cast<uint64_t>(::getpid())};
  return cat(".tmp-", ::getpid(), "-", std::hex, rng() & 0xffffffu);
}

void fsync_path(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
}

std::string parent_dir(const std::string& path) {
  fs::path parent = fs::path(path).parent_path();
  return parent.empty() ? "." : parent.string();
}

}  // namespace

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) fail(path, ": cannot open for reading: ", std::strerror(errno));
  std::ostringstream buffer;
  buffer << in.rdbuf();
  if (in.bad()) fail(path, ": read error");
  return buffer.str();
}

void write_file_atomic(const std::string& path, std::string_view bytes) {
  AtomicFile file(path);
  file.write(bytes);
  file.commit();
}

AtomicFile::AtomicFile(std::string path) : path_(std::move(path)) {
  temp_path_ = path_ + unique_suffix();
  file_ = std::fopen(temp_path_.c_str(), "wb");
  if (!file_) fail(path_, ": cannot create output file: ", std::strerror(errno));
}

AtomicFile::~AtomicFile() {
  if (file_) std::fclose(file_);
  if (!committed_) std::remove(temp_path_.c_str());
}

void AtomicFile::write(const void* data, size_t n) {
  GEMBA_ASSERT(file_ && !committed_);
  if (n && std::fwrite(data, 1, n, file_) != n) fail(path_, ": write failed: ", std::strerror(errno), " (disk full?)");
  written_ += n;
}

void AtomicFile::commit() {
  GEMBA_ASSERT(file_ && !committed_);
  if (std::fflush(file_) != 0 || ::fsync(::fileno(file_)) != 0)
    fail(path_, ": flush failed: ", std::strerror(errno), " (disk full?)");
  std::fclose(file_);
  file_ = nullptr;
  if (std::rename(temp_path_.c_str(), path_.c_str()) != 0) fail(path_, ": cannot rename temporary into place: ", std::strerror(errno));
  committed_ = true;
  fsync_path(parent_dir(path_));
}

AtomicDir::AtomicDir(std::string path) : path_(std::move(path)) {
  while (!path_.empty() && path_.back() == '/') path_.pop_back();
  if (path_.empty()) fail("output directory: empty path");
  std::error_code ec;
  fs::create_directories(parent_dir(path_), ec);
  temp_path_ = path_ + unique_suffix();
  if (!fs::create_directory(temp_path_, ec)) fail(path_, ": cannot create temporary directory ", temp_path_, ": ", ec.message());
}

AtomicDir::~AtomicDir() {
  if (!committed_) {
    std::error_code ec;
    fs::remove_all(temp_path_, ec);
  }
}

void AtomicDir::commit() {
  GEMBA_ASSERT(!committed_);
  for (const auto& entry : fs::recursive_directory_iterator(temp_path_))
    if (entry.is_regular_file()) fsync_path(entry.path().string());
  std::error_code ec;
  std::string old;
  if (fs::exists(path_)) {
    old = path_ + unique_suffix() + ".old";
    fs::rename(path_, old, ec);
    if (ec) fail(path_, ": cannot move the existing directory aside: ", ec.message());
  }
  fs::rename(temp_path_, path_, ec);
  if (ec) fail(path_, ": cannot rename temporary directory into place: ", ec.message());
  committed_ = true;
  if (!old.empty()) fs::remove_all(old, ec);
  fsync_path(parent_dir(path_));
}

}  // namespace gemba
