// Content hashes for change detection (pipeline stages rerun only when their inputs
// changed). FNV-1a 64 over bytes; directories hash their sorted relative paths and files.
// Not cryptographic: it detects edits, it does not resist tampering.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

namespace gemba {

uint64_t fnv1a64(std::string_view bytes, uint64_t seed = 0xcbf29ce484222325ull);

// Hash of a file's or directory's contents, as 16 hex digits. Files larger than
// `full_hash_limit` bytes are hashed by size, first and last MiB (a model checkpoint need
// not be read whole to notice it was rewritten). A missing path hashes as "missing".
std::string path_content_hash(const std::string& path, uint64_t full_hash_limit = 64ull << 20);

std::string hex64(uint64_t value);

}  // namespace gemba
