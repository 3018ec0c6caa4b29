#include "data/minhash.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <unordered_set>

#include "core/error.h"
#include "core/splitmix64.h"
#include "core/utf8.h"

namespace gemba::data {
namespace {

// Code points with whitespace runs folded to one space.
std::vector<uint32_t> shingle_units(std::string_view text) {
  std::vector<uint32_t> units;
  units.reserve(text.size());
  bool space = false;
  for (size_t pos = 0; pos < text.size();) {
    uint32_t cp = utf8_decode(text, pos);
    if (cp == ' ' || cp == '\n' || cp == '\t' || cp == '\r') {
      space = !units.empty();
      continue;
    }
    if (space) units.push_back(' ');
    space = false;
    units.push_back(cp);
  }
  return units;
}

std::vector<uint64_t> shingle_hashes(std::string_view text, int ngram) {
  GEMBA_ASSERT(ngram >= 1);
  auto units = shingle_units(text);
  std::vector<uint64_t> hashes;
  size_t n = static_cast<size_t>(ngram);
  size_t count = units.size() < n ? 1 : units.size() - n + 1;
  hashes.reserve(count);
  for (size_t i = 0; i < count; ++i) {
    size_t len = std::min(n, units.size() - i);
    hashes.push_back(hash64(std::string_view(reinterpret_cast<const char*>(units.data() + i), len * sizeof(uint32_t))));
  }
  std::sort(hashes.begin(), hashes.end());
  hashes.erase(std::unique(hashes.begin(), hashes.end()), hashes.end());
  return hashes;
}

}  // namespace

uint64_t mix64(uint64_t x) {
  return splitmix64_mix(x);
}

uint64_t hash64(std::string_view bytes, uint64_t seed) {
  // FNV-1a (Fowler, Noll, Vo) over the bytes, then mixed.
  uint64_t h = 0xcbf29ce484222325ull ^ mix64(seed);
  for (char c : bytes) {
    h ^= static_cast<uint8_t>(c);
    h *= 0x100000001b3ull;
  }
  return mix64(h);
}

std::vector<uint64_t> minhash_signature(std::string_view text, int ngram, int num_perm) {
  GEMBA_ASSERT(num_perm >= 1);
  auto hashes = shingle_hashes(text, ngram);
  std::vector<uint64_t> signature(static_cast<size_t>(num_perm), std::numeric_limits<uint64_t>::max());
  // Permutation i: x -> mix64(x ^ salt_i), an independent-looking hash per slot.
  std::vector<uint64_t> salts(signature.size());
  for (size_t i = 0; i < salts.size(); ++i) salts[i] = mix64(0x5851f42d4c957f2dull * (i + 1));
  for (uint64_t h : hashes)
    for (size_t i = 0; i < signature.size(); ++i) signature[i] = std::min(signature[i], mix64(h ^ salts[i]));
  return signature;
}

double minhash_similarity(const std::vector<uint64_t>& a, const std::vector<uint64_t>& b) {
  GEMBA_ASSERT(a.size() == b.size() && !a.empty());
  size_t equal = 0;
  for (size_t i = 0; i < a.size(); ++i) equal += a[i] == b[i];
  return static_cast<double>(equal) / static_cast<double>(a.size());
}

double shingle_jaccard(std::string_view a, std::string_view b, int ngram) {
  auto ha = shingle_hashes(a, ngram);
  auto hb = shingle_hashes(b, ngram);
  std::vector<uint64_t> common;
  std::set_intersection(ha.begin(), ha.end(), hb.begin(), hb.end(), std::back_inserter(common));
  size_t unite = ha.size() + hb.size() - common.size();
  return unite ? static_cast<double>(common.size()) / static_cast<double>(unite) : 1.0;
}

LshIndex::LshIndex(int num_perm, double threshold) {
  GEMBA_ASSERT(num_perm >= 1);
  if (!(threshold > 0 && threshold <= 1)) fail("near-duplicate threshold ", threshold, " must be in (0, 1]");
  // The most rows per band whose S-curve midpoint is still <= threshold (best precision at
  // full recall around the threshold); candidates are verified afterwards.
  bands_ = num_perm;
  rows_ = 1;
  for (int r = 1; r <= num_perm; ++r) {
    int b = num_perm / r;
    double midpoint = std::pow(1.0 / b, 1.0 / r);
    if (midpoint <= threshold) {
      bands_ = b;
      rows_ = r;
    }
  }
}

uint64_t LshIndex::band_key(const std::vector<uint64_t>& signature, int band) const {
  GEMBA_ASSERT(static_cast<size_t>(bands_ * rows_) <= signature.size());
  const uint64_t* rows = signature.data() + static_cast<size_t>(band * rows_);
  return hash64(std::string_view(reinterpret_cast<const char*>(rows), static_cast<size_t>(rows_) * 8), static_cast<uint64_t>(band));
}

void LshIndex::insert(size_t id, const std::vector<uint64_t>& signature) {
  for (int band = 0; band < bands_; ++band) buckets_[band_key(signature, band)].push_back(id);
}

std::vector<size_t> LshIndex::candidates(const std::vector<uint64_t>& signature) const {
  std::vector<size_t> out;
  for (int band = 0; band < bands_; ++band) {
    auto it = buckets_.find(band_key(signature, band));
    if (it != buckets_.end()) out.insert(out.end(), it->second.begin(), it->second.end());
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

}  // namespace gemba::data
