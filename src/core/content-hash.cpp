#include "core/content-hash.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <vector>

namespace gemba {
namespace fs = std::filesystem;

uint64_t fnv1a64(std::string_view bytes, uint64_t h) {
  for (unsigned char c : bytes) {
    h ^= c;
    h *= 0x100000001b3ull;
  }
  return h;
}

std::string hex64(uint64_t value) {
  static const char* digits = "0123456789abcdef";
  std::string out(16, '0');
  for (int i = 15; i >= 0; --i, value >>= 4) out[i] = digits[value & 0xf];
  return out;
}

namespace {

uint64_t hash_file(const fs::path& path, uint64_t limit, uint64_t h) {
  std::ifstream in(path, std::ios::binary);
  const uint64_t size = fs::file_size(path);
  h = fnv1a64(std::to_string(size), h);
  std::vector<char> buffer(1 << 20);
  auto hash_range = [&](uint64_t offset, uint64_t n) {
    in.seekg(static_cast<std::streamoff>(offset));
    while (n > 0 && in) {
      auto chunk = static_cast<std::streamsize>(std::min<uint64_t>(n, buffer.size()));
      in.read(buffer.data(), chunk);
      h = fnv1a64(std::string_view(buffer.data(), static_cast<size_t>(in.gcount())), h);
      n -= static_cast<uint64_t>(in.gcount());
      if (in.gcount() == 0) break;
    }
  };
  if (size <= limit) {
    hash_range(0, size);
  } else {
    hash_range(0, 1 << 20);
    hash_range(size - (1 << 20), 1 << 20);
  }
  return h;
}

}  // namespace

std::string path_content_hash(const std::string& path, uint64_t limit) {
  std::error_code ec;
  if (!fs::exists(path, ec)) return "missing";
  uint64_t h = 0xcbf29ce484222325ull;
  if (fs::is_directory(path, ec)) {
    std::vector<fs::path> files;
    for (const auto& entry : fs::recursive_directory_iterator(path, ec))
      if (entry.is_regular_file()) files.push_back(entry.path());
    std::sort(files.begin(), files.end());
    for (const auto& f : files) {
      h = fnv1a64(fs::relative(f, path).string(), h);
      h = hash_file(f, limit, h);
    }
  } else {
    h = hash_file(path, limit, h);
  }
  return hex64(h);
}

}  // namespace gemba
