// A read-only memory-mapped file: model weights are used in place, never copied, so
// resident memory stays near the pages actually touched.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace gemba {

class MappedFile {
 public:
  MappedFile() = default;
  // Maps the whole file; throws gemba::Error naming the path if it cannot be opened.
  static MappedFile open(const std::string& path);
  ~MappedFile();
  MappedFile(MappedFile&& other) noexcept;
  MappedFile& operator=(MappedFile&& other) noexcept;
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;

  const uint8_t* data() const { return data_; }
  size_t size() const { return size_; }
  const std::string& path() const { return path_; }
  std::string_view view() const { return {reinterpret_cast<const char*>(data_), size_}; }

 private:
  const uint8_t* data_ = nullptr;
  size_t size_ = 0;
  std::string path_;
};

}  // namespace gemba
